"""Malformed HTTP calls to the UI's endpoints: one clear error for the caller, no traceback.

Gradio checks a call's values before our functions run: too few values fail its arity check
(``Blocks.validate_inputs``), a value that does not fit its component fails the component's
data model or ``preprocess`` (a file that is not an upload, text for a slider), and a click
handler called without the click's data fails building its ``SelectData``. Each raises a plain
exception, which the queue prints as a traceback and answers with an empty error.
``CheckedBlocks`` overrides those steps of Gradio's own pipeline so the caller gets ``gr.Error``
saying what was wrong and what to send instead, and the server log stays clean: a script's
mistake is not a server bug. A call naming an endpoint that does not exist fails in Gradio's
routes instead, so ``exception_handlers`` answers it at the web server. Errors raised by our
own functions are handled where they are raised (``app._endpoint``, ``Handlers``): real bugs
there still log a traceback.
"""

from __future__ import annotations

import inspect
import typing
from typing import Any

import gradio as gr
from fastapi import Request
from fastapi.responses import JSONResponse
from gradio.block_function import BlockFunction
from gradio.exceptions import ComponentProcessingError, Error, InvalidPathError
from gradio.route_utils import FnIndexInferError

HELP = "see /?view=api for each endpoint's values"


def value_names(block_fn: BlockFunction) -> list[str]:
    """The names of an endpoint's values, from its function's parameters where it has them."""
    count = len(block_fn.inputs)
    try:
        params = list(inspect.signature(block_fn.fn).parameters) if block_fn.fn else []
    except (TypeError, ValueError):
        params = []
    names = params[:count] if len(params) >= count else []
    return names or [f"value {n}" for n in range(1, count + 1)]


def endpoint_name(block_fn: BlockFunction) -> str:
    return f"/{block_fn.api_name}" if block_fn.api_name else f"the event {block_fn.name!r}"


def too_few_values(block_fn: BlockFunction, got: int) -> str:
    names = value_names(block_fn)
    sent = "nothing was" if got == 0 else f"{got} {'was' if got == 1 else 'were'}"
    return (
        f"{endpoint_name(block_fn)} takes {len(names)} value{'s' if len(names) != 1 else ''} "
        f"in its data list ({', '.join(names)}) and {sent} sent; send null for a value you "
        f"leave out ({HELP})"
    )


def unusable_value(block_fn: BlockFunction, exc: BaseException, index: int | None = None) -> str:
    what = "a value"
    if index is not None:
        names = value_names(block_fn)
        name = names[index] if index < len(names) else "extra"
        kind = block_fn.inputs[index].get_block_name() if index < len(block_fn.inputs) else ""
        what = f"value {index + 1} ({name}{f', a {kind}' if kind else ''})"
    hint = ""
    if any(isinstance(b, gr.File) for b in block_fn.inputs):
        hint = "; send a file as gradio_client.handle_file(path)"
    return (
        f"{what} sent to {endpoint_name(block_fn)} does not fit it: {_first_reason(exc)}"
        f"{hint} ({HELP})"
    )


def _first_reason(exc: BaseException) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):  # pydantic: the first complaint, without its input echo
        try:
            first = errors()[0]
            return str(first.get("msg", exc)).removeprefix("Value error, ").rstrip(".")
        except (IndexError, TypeError, AttributeError):
            pass
    lines = str(exc).strip().splitlines()
    return lines[0][:300].rstrip(".") if lines else type(exc).__name__


def _event_data_fits(block_fn: BlockFunction, event_data: Any) -> bool:
    """Whether each event-data argument of the function can be built from what came, tried the
    way Gradio builds it (``SelectData(target, data)`` reads ``data["index"]``, for instance)."""
    data = getattr(event_data, "_data", None)
    if data is None:
        return False
    try:
        hints = typing.get_type_hints(block_fn.fn)
    except Exception:  # unresolvable annotations: leave the checking to Gradio
        return True
    for hint in hints.values():
        if inspect.isclass(hint) and issubclass(hint, gr.EventData):
            try:
                hint(getattr(event_data, "target", None), data)
            except (KeyError, TypeError, IndexError, AttributeError, ValueError):
                return False
    return True


class CheckedBlocks(gr.Blocks):
    """``gr.Blocks`` that answers calls with missing or unusable values with one line."""

    def validate_inputs(self, block_fn: BlockFunction, inputs: list[Any]) -> None:
        if len(inputs) < len(block_fn.inputs):
            raise Error(too_few_values(block_fn, len(inputs)), print_exception=False)

    async def preprocess_data(
        self,
        block_fn: BlockFunction,
        inputs: list[Any],
        state: Any,
        explicit_call: bool = False,
    ) -> list[Any]:
        try:
            return await super().preprocess_data(block_fn, inputs, state, explicit_call)
        except Error:
            raise
        except ComponentProcessingError as exc:  # worded by _format_processing_error below
            raise Error(str(exc), print_exception=False) from None
        except (InvalidPathError, ValueError, TypeError) as exc:
            # ValueError covers pydantic's ValidationError (a component's data model).
            raise Error(unusable_value(block_fn, exc), print_exception=False) from None

    @staticmethod
    def _format_processing_error(
        block_fn: BlockFunction,
        index: int,
        block: Any,
        value: Any,
        is_input: bool,
        original_error: Exception,
    ) -> str:
        if not is_input:  # our function returned something its output cannot show: a bug
            return gr.Blocks._format_processing_error(
                block_fn, index, block, value, is_input, original_error
            )
        return unusable_value(block_fn, original_error, index)

    async def call_function(
        self,
        block_fn: BlockFunction | int,
        processed_input: list[Any],
        iterator: Any = None,
        requests: Any = None,
        event_id: str | None = None,
        event_data: Any = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        fn = self.fns[block_fn] if isinstance(block_fn, int) else block_fn
        if fn.collects_event_data and not _event_data_fits(fn, event_data):
            raise Error(
                f"{endpoint_name(fn)} answers a click in the page and needs that click's data "
                f"as the page sends it; it cannot be called on its own ({HELP})",
                print_exception=False,
            )
        return await super().call_function(
            block_fn, processed_input, iterator, requests, event_id, event_data, *args, **kwargs
        )


# --- calls that name no endpoint at all: answered by the web server, before any Blocks code ---


async def _unknown_endpoint(request: Request, exc: Exception) -> JSONResponse:
    name = request.path_params.get("api_name", "")
    return JSONResponse({"error": f"there is no endpoint named {name!r}; {HELP}"}, status_code=404)


async def _unknown_event(request: Request, exc: Exception) -> JSONResponse:
    if not request.url.path.endswith("/queue/join"):
        raise exc  # a KeyError anywhere else is a bug: Starlette's usual 500 and traceback
    return JSONResponse(
        {"error": f"there is no event with fn_index {exc}; {HELP}"}, status_code=404
    )


def exception_handlers() -> dict[Any, Any]:
    """For ``launch(app_kwargs=...)``: a call to an endpoint or event that does not exist gets
    a 404 saying so, where Gradio's routes raise (a 500 and a traceback in the server log)."""
    return {FnIndexInferError: _unknown_endpoint, KeyError: _unknown_event}
