"""Corpora and a stand-in embedding for ``assistant bench --corpus``.

The store's costs only show at thousands of documents, and real prose of that size that is
available offline is the system's own manual: Debian's man pages. Rendering 5,000 of them with
groff takes minutes, so their roff markup is stripped here instead (good enough prose for
timing; nothing here is used to answer questions).

The stand-in embedding hashes word tokens into a fixed-size unit vector: it costs microseconds,
so a bench with it shows what the store itself costs, apart from the embedding model (which
dominates ingest and is measured on its own).
"""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.text import tokens

MAN_ROOT = Path("/usr/share/man")
_ESCAPES = re.compile(r"\\f(?:\[[^\]]*\]|\(..|.)|\\s[-+]?\d|\\\(..|\\\[[^\]]*\]|\\[&|^%:/,]")
_MACRO = re.compile(r"^[.']\s*(\S*)\s*(.*)$")
_TEXT_MACROS = {"SH", "SS", "B", "I", "BI", "BR", "IB", "IR", "RB", "RI", "TP", "IP", "Nm", "Nd"}


def strip_roff(source: str) -> str:
    """Readable text from man(7)/mdoc(7) source: headings and paragraphs, no markup."""
    out: list[str] = []
    for line in source.splitlines():
        if line.startswith(('.\\"', "'\\\"", '\\"')):
            continue
        match = _MACRO.match(line)
        if match:
            name, rest = match.groups()
            if name in {"SH", "SS"}:
                out += ["", rest.strip('"').capitalize(), ""]
            elif name in {"PP", "P", "LP", "sp", "br", "Pp"}:
                out.append("")
            elif name in _TEXT_MACROS and rest:
                out.append(rest.replace('"', ""))
            continue
        if not line.lstrip().startswith("\\}"):
            out.append(line)
    text = _ESCAPES.sub("", "\n".join(out)).replace("\\-", "-").replace("\\e", "\\")
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def man_page_corpus(dest: Path, count: int, min_chars: int = 1500, max_chars: int = 20000) -> int:
    """Write up to ``count`` man pages as ``.txt`` articles into ``dest``; returns how many.

    Pages are taken in sorted order, except that each command family (the page name's first
    word) comes after all the others once it has supplied a hundred pages: on this system three
    quarters of the pages are one generated family (``gcloud …``), which would otherwise make
    up nearly all of any sample.
    """
    dest.mkdir(parents=True, exist_ok=True)
    written = 0
    first: list[Path] = []
    later: list[Path] = []
    per_family: dict[str, int] = {}
    for page in sorted(MAN_ROOT.glob("man[1-8]/*.gz")):
        family = re.split(r"[_.\s-]", page.name, maxsplit=1)[0]
        per_family[family] = per_family.get(family, 0) + 1
        (first if per_family[family] <= 100 else later).append(page)
    for page in first + later:
        if written >= count:
            break
        try:
            source = gzip.decompress(page.read_bytes()).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if source.startswith(".so "):  # an alias of another page
            continue
        text = strip_roff(source)
        if not min_chars <= len(text) <= max_chars:
            continue
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", page.name.removesuffix(".gz"))
        (dest / f"{name}.txt").write_text(text, "utf-8")
        written += 1
    return written


class HashEmbeddings(Embeddings):
    """Token hashing into 384 signed buckets, unit length: cheap, deterministic, lexical."""

    model_id = "hash-stand-in"
    dims = 384
    symmetric = True  # like the real model: one vector for a query and a text

    def _one(self, text: str) -> list[float]:
        vector = np.zeros(self.dims, dtype=np.float32)
        for token in tokens(text) or ["empty"]:
            digest = hashlib.blake2b(token.encode(), digest_size=4).digest()
            bucket = int.from_bytes(digest[:3], "little") % self.dims
            vector[bucket] += 1.0 if digest[3] & 1 else -1.0
        norm = float(np.linalg.norm(vector)) or 1.0
        return (vector / norm).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._one(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._one(text)
