"""The deterministic ALCE-style citation judge: statements, citation checks and support.

ALCE (Gao et al. 2023) splits an answer into sentences ("statements") and asks an NLI model
whether the passages a statement cites entail it. Here the NLI model is replaced by a
deterministic judge that works for extractive and paraphrasing models alike:

* a cited quote counts only if it is verbatim in the article *file* at the stated offsets
  (rechecked here, independently of the assistant's own verifier);
* every figure in the statement must appear in the cited quotes (no invented numbers);
* if the statement states one of the case's key facts (a ``key_facts`` pattern matches it),
  each such key fact must be in the cited quotes; otherwise at least ``MIN_WORD_OVERLAP`` of the
  statement's content words must be.

Sentences, figures and words come from ``assistant.text``, the one owner of those rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.text import numbers, sentence_spans, tokens

MIN_WORD_OVERLAP = 0.5

# --- statements --------------------------------------------------------------------------------

# "[1]", "[2][3]", and the "[1, 2]" style some models write.
_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_MARKERS_ONLY = re.compile(r"^(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+")


@dataclass(frozen=True)
class Statement:
    """One answer sentence: its text without markers, and the citation ids it carries."""

    text: str
    citation_ids: tuple[int, ...]


def strip_markers(text: str) -> str:
    """Text without ``[n]`` markers (so a key fact like ``\\b3\\b`` cannot match ``[3]``)."""
    out = _MARKER.sub("", text)
    out = re.sub(r"\s+([.,;:!?])", r"\1", out)
    return re.sub(r"\s+", " ", out).strip()


def marker_ids(text: str) -> tuple[int, ...]:
    ids: list[int] = []
    for group in _MARKER.findall(text):
        for part in re.split(r"\s*[,;]\s*", group):
            if int(part) not in ids:
                ids.append(int(part))
    return tuple(ids)


def split_statements(answer: str) -> list[Statement]:
    """Sentences of ``answer``, each with the markers that follow (or precede) its full stop.

    "Fact one. [1] Fact two [2]." and "Fact one [1]. Fact two [2]." both give two statements,
    each carrying its own marker; a line of markers alone belongs to the sentence before it.
    """
    raws: list[str] = []
    for line in answer.splitlines():
        line = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", line)  # list bullets and numbering
        raws.extend(line[start:end] for start, end in sentence_spans(line))
    statements: list[Statement] = []
    for raw in raws:
        raw = raw.strip()
        lead = _MARKERS_ONLY.match(raw)
        if lead and statements:
            prev = statements[-1]
            extra = tuple(i for i in marker_ids(lead.group(0)) if i not in prev.citation_ids)
            statements[-1] = Statement(prev.text, prev.citation_ids + extra)
            raw = raw[lead.end() :].strip()
        text = strip_markers(raw)
        if not re.search(r"[A-Za-z0-9]", text):
            if statements and marker_ids(raw):
                prev = statements[-1]
                extra = tuple(i for i in marker_ids(raw) if i not in prev.citation_ids)
                statements[-1] = Statement(prev.text, prev.citation_ids + extra)
            continue
        statements.append(Statement(text, marker_ids(raw)))
    return statements


# --- citations ---------------------------------------------------------------------------------


class CitationLike(Protocol):
    id: int
    article_id: str
    quote: str
    start: int
    end: int


@dataclass(frozen=True)
class CitationCheck:
    id: int
    article_id: str
    valid: bool
    reason: str | None = None


def check_citation(citation: CitationLike, sources: Mapping[str, str]) -> CitationCheck:
    """Whether the quote is exactly ``article_text[start:end]`` in the cited article's file."""
    text = sources.get(citation.article_id)
    if text is None:
        return CitationCheck(
            citation.id, citation.article_id, False, f"article {citation.article_id} is unknown"
        )
    if not 0 <= citation.start < citation.end <= len(text):
        return CitationCheck(
            citation.id,
            citation.article_id,
            False,
            f"offsets {citation.start}-{citation.end} lie outside the article",
        )
    if text[citation.start : citation.end] != citation.quote:
        return CitationCheck(
            citation.id,
            citation.article_id,
            False,
            f"the quote is not the article's text at {citation.start}-{citation.end}",
        )
    return CitationCheck(citation.id, citation.article_id, True)


# --- support -----------------------------------------------------------------------------------


def numbers_in(text: str) -> set[str]:
    return numbers(text)


def content_words(text: str) -> set[str]:
    """Stemmed content words (figures are judged separately, by ``numbers_in``)."""
    return {t for t in tokens(text) if not t[0].isdigit()}


def word_overlap(statement: str, evidence: str) -> float:
    """Share of the statement's content words that the evidence contains (1.0 if it has none)."""
    words = content_words(statement)
    if not words:
        return 1.0
    return len(words & content_words(evidence)) / len(words)


def relevant_facts(statement: str, key_facts: Sequence[str]) -> list[str]:
    return [p for p in key_facts if re.search(p, statement, re.I)]


def supports(statement: str, quotes: Sequence[str], key_facts: Sequence[str]) -> tuple[bool, str]:
    """Whether ``quotes`` support ``statement``; the reason is empty when they do."""
    if not quotes:
        return False, "cites nothing"
    evidence = "\n".join(quotes)
    invented = numbers_in(statement) - numbers_in(evidence)
    if invented:
        return False, f"figure {sorted(invented)[0]} is not in the cited quotes"
    facts = relevant_facts(statement, key_facts)
    if facts:
        absent = [p for p in facts if not re.search(p, evidence, re.I)]
        if absent:
            return False, f"key fact /{absent[0]}/ is not in the cited quotes"
        return True, ""
    overlap = word_overlap(statement, evidence)
    if overlap < MIN_WORD_OVERLAP:
        return False, f"only {overlap:.0%} of its words are in the cited quotes"
    return True, ""


@dataclass(frozen=True)
class StatementJudgement:
    text: str
    citation_ids: tuple[int, ...]
    supported: bool
    reason: str = ""
    irrelevant_ids: tuple[int, ...] = ()

    @property
    def precise(self) -> int:
        """Citations that count towards precision (ALCE: none if the statement is unsupported)."""
        return len(self.citation_ids) - len(self.irrelevant_ids) if self.supported else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "citations": list(self.citation_ids),
            "supported": self.supported,
            "reason": self.reason or None,
            "irrelevant_citations": list(self.irrelevant_ids),
        }


def judge_statement(
    statement: Statement,
    quotes: Mapping[int, str],
    checks: Mapping[int, CitationCheck],
    key_facts: Sequence[str],
) -> StatementJudgement:
    """ALCE recall and precision for one statement, with the deterministic judge."""
    ids = statement.citation_ids
    if not ids:
        return StatementJudgement(statement.text, ids, False, "no citation")
    for cid in ids:
        if cid not in checks:
            return StatementJudgement(statement.text, ids, False, f"[{cid}] is not a citation")
        if not checks[cid].valid:
            return StatementJudgement(
                statement.text, ids, False, f"[{cid}] does not verify: {checks[cid].reason}"
            )
    ok, reason = supports(statement.text, [quotes[c] for c in ids], key_facts)
    if not ok:
        return StatementJudgement(statement.text, ids, False, reason)
    irrelevant: list[int] = []
    if len(ids) > 1:
        for cid in ids:
            alone, _ = supports(statement.text, [quotes[cid]], key_facts)
            rest, _ = supports(statement.text, [quotes[c] for c in ids if c != cid], key_facts)
            if not alone and rest:
                irrelevant.append(cid)
    return StatementJudgement(statement.text, ids, True, "", tuple(irrelevant))


@dataclass(frozen=True)
class CitationJudgement:
    statements: list[StatementJudgement]
    recall: float | None  # None: no statements (a refusal)
    precision: float | None


def judge_answer(
    answer_text: str,
    citations: Sequence[CitationLike],
    checks: Mapping[int, CitationCheck],
    key_facts: Sequence[str],
) -> CitationJudgement:
    """ALCE citation recall and precision of one answer (macro-averaged over answers later)."""
    statements = split_statements(answer_text)
    if not statements:
        return CitationJudgement([], None, None)
    quotes = {c.id: c.quote for c in citations}
    judged = [judge_statement(s, quotes, checks, key_facts) for s in statements]
    recall = sum(j.supported for j in judged) / len(judged)
    total = sum(len(j.citation_ids) for j in judged)
    precision = sum(j.precise for j in judged) / total if total else 0.0
    return CitationJudgement(judged, recall, precision)
