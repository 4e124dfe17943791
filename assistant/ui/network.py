"""Where the web UI listens: checking the address first, and saying why binding failed.

Kept free of Gradio so ``assistant serve`` can refuse a wrong ``--host`` before it spends
seconds loading the index and Gradio.
"""

from __future__ import annotations

import errno
import ipaddress
import socket

from assistant.errors import AssistantError, InputError


def check_host(host: str) -> None:
    """Refuse a host that is neither an IP address nor a name that resolves, before binding."""
    try:
        ipaddress.ip_address(host)
        return
    except ValueError:
        pass
    try:
        socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        raise InputError(
            f"--host {host!r} is not an IP address or a host name this machine can resolve; "
            "use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)"
        ) from None


def bind_failure(host: str, port: int, exc: OSError) -> str:
    """Why the server could not listen: a busy port and an address not on this machine differ."""
    probe_family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(probe_family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, 0))
        except OSError as why:
            return (
                f"cannot listen on {host}: this machine has no such address ({why.strerror}); "
                "use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)"
            )
    busy = exc.errno == errno.EADDRINUSE or "port" in str(exc).lower()
    if busy or isinstance(exc, PermissionError):
        return (
            f"cannot listen on {host}:{port}: the port is in use or not allowed; "
            "pass --port with another number or stop the other server"
        )
    return f"cannot start the web server on {host}:{port}: {exc}"


def check_port(host: str, port: int) -> None:
    """Refuse an address this machine cannot listen on before seconds go into the index and
    Gradio: the bind is tried and released at once. A port taken in between still fails when
    the server binds, with the same message."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise AssistantError(bind_failure(host, port, exc)) from None
