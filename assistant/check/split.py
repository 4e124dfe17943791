"""Cutting a text (a paragraph, a quote from a speech) into check-worthy claims.

A claim is a sentence, or a clause after a semicolon, that states something the articles could
confirm or contradict. Questions and fragments with fewer than ``MIN_CONTENT_WORDS`` content
words ("Thank you.", "Let me be clear.") state nothing checkable and are set aside, not guessed
at. Sentences come from ``assistant.text``, the one sentence splitter of the project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.text import sentence_spans, tokens

MIN_CONTENT_WORDS = 3
MAX_CLAIMS = 10
_CLAUSE = re.compile(r";\s+")
_WRAPPERS = "\"'“”‘’«» \t\n"


@dataclass
class Split:
    claims: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def split_claims(text: str) -> Split:
    """The check-worthy claims of ``text`` in order, and the sentences set aside."""
    out = Split()
    for start, end in sentence_spans(text):
        sentence = " ".join(text[start:end].split())
        for part in _clauses(sentence):
            (out.claims if is_check_worthy(part) else out.skipped).append(part)
    return out


def _clauses(sentence: str) -> list[str]:
    """Semicolon clauses that each carry a claim; otherwise the sentence whole."""
    parts = [p.strip(_WRAPPERS) for p in _CLAUSE.split(sentence)]
    if len(parts) > 1 and all(len(tokens(p)) >= MIN_CONTENT_WORDS for p in parts):
        return [_as_sentence(p) for p in parts]
    return [sentence.strip(_WRAPPERS) or sentence]


def _as_sentence(part: str) -> str:
    part = part[:1].upper() + part[1:]
    return part if part.endswith((".", "!", "?")) else part + "."


def is_check_worthy(sentence: str) -> bool:
    """A statement (not a question) with enough content words to be confirmed or refuted."""
    if sentence.rstrip(_WRAPPERS).endswith("?"):
        return False
    return len(tokens(sentence)) >= MIN_CONTENT_WORDS
