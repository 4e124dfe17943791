"""Pure metric functions: a deterministic ALCE-style citation judge and the answer-level metrics.

ALCE (Gao et al. 2023) splits an answer into sentences ("statements"), and asks an NLI model
whether the passages a statement cites entail it. Here the NLI model is replaced by a
deterministic judge that works for extractive and paraphrasing models alike:

* a cited quote counts only if it is verbatim in the article *file* at the stated offsets
  (rechecked here, independently of the assistant's own verifier);
* every figure in the statement must appear in the cited quotes (no invented numbers);
* if the statement states one of the case's key facts (a ``key_facts`` pattern matches it),
  each such key fact must be in the cited quotes; otherwise at least ``MIN_WORD_OVERLAP`` of the
  statement's content words must be.

Everything here is strings and numbers in, numbers out; ``docs/eval.md`` defines each metric.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

MIN_WORD_OVERLAP = 0.5

# --- statements --------------------------------------------------------------------------------

# "[1]", "[2][3]", and the "[1, 2]" style some models write.
_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_MARKERS_ONLY = re.compile(r"^(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+")
# A sentence ends at . ! ? (plus closing quotes/brackets), optionally followed by markers.
_END = re.compile(r"[.!?]+[”\"’')]*(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])*(?=\s|$)")
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\bU\.[SKN]|\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Sgt|St|No|Jr|Sr|vs|etc|approx|Jan|Feb|"
    r"Aug|Sept?|Oct|Nov|Dec|Gov|Sen|Rep|Prof))\.$"
)


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
        cursor = 0
        for match in _END.finditer(line):
            end = match.end()
            before = line[cursor : match.start() + 1]
            rest = line[end:].lstrip()
            has_markers = "[" in match.group(0)
            if not has_markers and (_ABBREVIATION.search(before) or (rest and rest[0].islower())):
                continue
            raws.append(line[cursor:end])
            cursor = end
        raws.append(line[cursor:])
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

# A figure: "1,000", "7,687.5", "103rd"; digits inside identifiers ("001_55bc…") are not figures.
_NUMBER = re.compile(r"(?<![A-Za-z0-9_])(\d[\d,]*(?:\.\d+)?)(?:st|nd|rd|th)?(?![A-Za-z0-9_])")
_WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z'’-]*(?![A-Za-z0-9_])")
_STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    me more most my no nor not now of off on once only or other our out over own same she should
    so some such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your
    said says say according also according reported reportedly
    """.split()
)


def numbers_in(text: str) -> set[str]:
    out = set()
    for match in _NUMBER.finditer(text):
        value = match.group(1).rstrip(",").replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        out.add(value)
    return out


def _stem(word: str) -> str:
    """A light stemmer that maps inflections to one form: time/times, fire/fired, ship/shipped."""
    w = word.lower().replace("’", "'").removesuffix("'s").strip("'-")
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            if w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]  # shipped -> ship
            break
    return w[:-1] if w.endswith("e") and len(w) > 3 else w


def content_words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text) if w.lower() not in _STOPWORDS} - {""}


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


# --- answer-level metrics ----------------------------------------------------------------------


def missing_facts(answer_text: str, key_facts: Sequence[str]) -> list[str]:
    text = strip_markers(answer_text)
    return [p for p in key_facts if not re.search(p, text, re.I)]


class SideLike(Protocol):
    articles: tuple[str, ...]
    pattern: str


def missing_sides(
    judged: Sequence[StatementJudgement],
    citations: Sequence[CitationLike],
    checks: Mapping[int, CitationCheck],
    sides: Sequence[SideLike],
) -> list[int]:
    """Indexes of the sides not covered: no statement states the side's value citing a valid
    quote from one of that side's articles that itself contains the value."""
    by_id = {c.id: c for c in citations}
    missing = []
    for index, side in enumerate(sides):
        covered = False
        for statement in judged:
            if not re.search(side.pattern, statement.text, re.I):
                continue
            for cid in statement.citation_ids:
                c = by_id.get(cid)
                check = checks.get(cid)
                if (
                    c is not None
                    and check is not None
                    and check.valid
                    and c.article_id in side.articles
                    and re.search(side.pattern, c.quote, re.I)
                ):
                    covered = True
        if not covered:
            missing.append(index)
    return missing


def retrieval_scores(ranked_articles: Sequence[str], gold: Iterable[str]) -> tuple[float, float]:
    """(recall@k, reciprocal rank) of the gold articles in the passages shown, in rank order."""
    gold_set = set(gold)
    if not gold_set:
        raise ValueError("retrieval scores need at least one gold article")
    found = gold_set & set(ranked_articles)
    rank = next((i for i, a in enumerate(ranked_articles, 1) if a in gold_set), None)
    return len(found) / len(gold_set), (1.0 / rank if rank else 0.0)


def refusal_scores(pairs: Iterable[tuple[bool, bool]]) -> dict[str, float | None]:
    """Refusal precision/recall/F1 with unanswerable cases as the positive class.

    ``pairs`` are (answerable, refused). Also the Trust-Score "grounded refusal" F1, the mean of
    the refusal F1 and the answered F1 (answerable cases as the positive class of answering).
    """
    tp = fp = fn = tn = 0
    for answerable, refused in pairs:
        if refused and not answerable:
            tp += 1
        elif refused:
            fp += 1
        elif not answerable:
            fn += 1
        else:
            tn += 1
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = _f1(precision, recall)
    answered_f1 = _f1(_ratio(tn, tn + fn), _ratio(tn, tn + fp))
    both = f1 is not None and answered_f1 is not None
    return {
        "refusal_precision": precision,
        "refusal_recall": recall,
        "refusal_f1": f1,
        "grounded_refusal_f1": (f1 + answered_f1) / 2 if both else None,  # type: ignore[operator]
    }


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


# --- per-case scores and their aggregation -----------------------------------------------------


@dataclass
class CaseScores:
    """Everything the eval measured about one case (JSON-ready through ``to_json``)."""

    kind: str
    answerable: bool
    refused: bool
    error: str | None = None
    correct: bool | None = None  # answerable cases only
    missing_facts: list[str] = field(default_factory=list)
    passed: bool = False
    statements: list[StatementJudgement] = field(default_factory=list)
    citation_recall: float | None = None
    citation_precision: float | None = None
    citation_checks: list[CitationCheck] = field(default_factory=list)
    claims_proposed: int | None = None
    claims_kept: int | None = None
    conflict_covered: bool | None = None
    missing_sides: list[int] = field(default_factory=list)
    retrieval_recall: float | None = None
    reciprocal_rank: float | None = None
    latency_s: float | None = None
    failures: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "refused": self.refused,
            "correct": self.correct,
            "missing_facts": self.missing_facts,
            "citation_recall": self.citation_recall,
            "citation_precision": self.citation_precision,
            "quotes_valid": sum(c.valid for c in self.citation_checks),
            "quotes_total": len(self.citation_checks),
            "invalid_quotes": [
                {"id": c.id, "article_id": c.article_id, "reason": c.reason}
                for c in self.citation_checks
                if not c.valid
            ],
            "claims_proposed": self.claims_proposed,
            "claims_kept": self.claims_kept,
            "conflict_covered": self.conflict_covered,
            "missing_sides": self.missing_sides,
            "retrieval_recall": self.retrieval_recall,
            "reciprocal_rank": self.reciprocal_rank,
            "latency_s": self.latency_s,
            "statements": [s.to_json() for s in self.statements],
            "failures": self.failures,
            "error": self.error,
        }


@dataclass(frozen=True)
class MetricInfo:
    key: str
    label: str
    unit: str  # "rate" (0..1, shown as %) or "s"
    gated: bool  # part of the CI gate (latency is machine-dependent, so it is not)
    help: str


METRICS: tuple[MetricInfo, ...] = (
    MetricInfo("accuracy", "Accuracy", "rate", True, "cases handled right"),
    MetricInfo("citation_recall", "Citation recall", "rate", True, "statements supported"),
    MetricInfo("citation_precision", "Citation precision", "rate", True, "citations relevant"),
    MetricInfo("quote_validity", "Quote validity", "rate", True, "quotes verbatim at offsets"),
    MetricInfo("claim_verification", "Claims verified", "rate", True, "model claims kept"),
    MetricInfo("answer_correctness", "Answer correctness", "rate", True, "key facts present"),
    MetricInfo("refusal_precision", "Refusal precision", "rate", True, "refusals warranted"),
    MetricInfo("refusal_recall", "Refusal recall", "rate", True, "unanswerables refused"),
    MetricInfo("refusal_f1", "Refusal F1", "rate", True, "refusal P/R harmonic mean"),
    MetricInfo("grounded_refusal_f1", "Grounded refusal F1", "rate", True, "Trust-Score F1_GR"),
    MetricInfo("conflict_coverage", "Conflict coverage", "rate", True, "both sides cited"),
    MetricInfo("retrieval_recall", "Retrieval recall@k", "rate", True, "gold articles shown"),
    MetricInfo("retrieval_mrr", "Retrieval MRR", "rate", True, "first gold passage rank"),
    MetricInfo("latency_p50_s", "Latency p50", "s", False, "median seconds per question"),
    MetricInfo("latency_p95_s", "Latency p95", "s", False, "95th percentile seconds"),
)
METRIC_KEYS = tuple(m.key for m in METRICS)
METRIC_INFO = {m.key: m for m in METRICS}


def aggregate(scores: Sequence[CaseScores]) -> dict[str, Any]:
    """The metrics of a group of cases (a kind, or all), plus the counts behind them."""
    answered = [s for s in scores if s.citation_recall is not None]
    checks = [c for s in scores for c in s.citation_checks]
    proposed = sum(s.claims_proposed or 0 for s in scores if s.claims_proposed is not None)
    kept = sum(s.claims_kept or 0 for s in scores if s.claims_proposed is not None)
    answerable = [s for s in scores if s.answerable]
    conflicts = [s for s in scores if s.conflict_covered is not None]
    retrieval = [s for s in answerable if s.retrieval_recall is not None]
    latencies = [s.latency_s for s in scores if s.latency_s is not None and s.error is None]
    metrics: dict[str, Any] = {
        "accuracy": mean(float(s.passed) for s in scores),
        "citation_recall": mean(s.citation_recall for s in answered),
        "citation_precision": mean(s.citation_precision for s in answered),
        "quote_validity": _ratio(sum(c.valid for c in checks), len(checks)),
        "claim_verification": _ratio(kept, proposed),
        "answer_correctness": mean(float(bool(s.correct)) for s in answerable),
        **refusal_scores((s.answerable, s.refused) for s in scores),
        "conflict_coverage": mean(float(bool(s.conflict_covered)) for s in conflicts),
        "retrieval_recall": mean(s.retrieval_recall for s in retrieval),
        "retrieval_mrr": mean(s.reciprocal_rank for s in retrieval),
        "latency_p50_s": percentile(latencies, 50),
        "latency_p95_s": percentile(latencies, 95),
    }
    metrics["n"] = {
        "cases": len(scores),
        "answerable": len(answerable),
        "unanswerable": len(scores) - len(answerable),
        "refused": sum(s.refused for s in scores),
        "errors": sum(s.error is not None for s in scores),
        "answers_with_statements": len(answered),
        "statements": sum(len(s.statements) for s in answered),
        "citations": len(checks),
        "claims_proposed": proposed,
        "conflict_cases": len(conflicts),
    }
    return metrics


class CaseLike(Protocol):
    kind: str
    answerable: bool
    gold_articles: tuple[str, ...]
    key_facts: tuple[str, ...]
    sides: Sequence[SideLike]


class AnswerLike(Protocol):
    answer: str
    refused: bool
    citations: Sequence[Any]
    passages: Sequence[Any]
    dropped_claims: int


def score_case(
    case: CaseLike,
    answer: AnswerLike | None,
    sources: Mapping[str, str],
    *,
    latency_s: float | None = None,
    claims_proposed: int | None = None,
    error: str | None = None,
) -> CaseScores:
    """Score one answer against its case. ``answer`` is None when the assistant failed (error)."""
    if answer is None:
        scores = CaseScores(case.kind, case.answerable, refused=False, error=error)
        if case.answerable:
            scores.correct = False
            scores.missing_facts = list(case.key_facts)
            scores.retrieval_recall, scores.reciprocal_rank = 0.0, 0.0
        if case.kind == "conflict":
            scores.conflict_covered = False
            scores.missing_sides = list(range(len(case.sides)))
        scores.failures = [f"error: {error or 'no answer'}"]
        return scores

    checks = {c.id: check_citation(c, sources) for c in answer.citations}
    judged = (
        judge_answer(answer.answer, answer.citations, checks, case.key_facts)
        if not answer.refused
        else CitationJudgement([], None, None)
    )
    scores = CaseScores(
        kind=case.kind,
        answerable=case.answerable,
        refused=answer.refused,
        statements=judged.statements,
        citation_recall=judged.recall,
        citation_precision=judged.precision,
        citation_checks=list(checks.values()),
        latency_s=latency_s,
        claims_proposed=claims_proposed,
        claims_kept=(
            max(0, claims_proposed - answer.dropped_claims) if claims_proposed is not None else None
        ),
    )
    failures = scores.failures
    if case.answerable:
        scores.missing_facts = (
            [] if answer.refused else missing_facts(answer.answer, case.key_facts)
        )
        scores.correct = not answer.refused and not scores.missing_facts
        scores.passed = scores.correct
        if answer.refused:
            failures.append("refused a question the articles answer")
        elif scores.missing_facts:
            failures.append(
                "missing key fact(s): " + ", ".join(f"/{p}/" for p in scores.missing_facts)
            )
        ranked = [p.article_id for p in sorted(answer.passages, key=lambda p: p.number)]
        scores.retrieval_recall, scores.reciprocal_rank = retrieval_scores(
            ranked, case.gold_articles
        )
    else:
        scores.passed = answer.refused
        if not answer.refused:
            failures.append("answered a question the articles do not answer")
    if case.kind == "conflict":
        scores.missing_sides = (
            list(range(len(case.sides)))
            if answer.refused
            else missing_sides(judged.statements, answer.citations, checks, case.sides)
        )
        scores.conflict_covered = not scores.missing_sides
        for index in scores.missing_sides:
            side = case.sides[index]
            failures.append(
                f"conflict side {index + 1} (/{side.pattern}/ from {', '.join(side.articles)}) "
                "is not cited"
            )
    for check in checks.values():
        if not check.valid:
            failures.append(f"[{check.id}] invalid quote: {check.reason}")
    for number, statement in enumerate(judged.statements, 1):
        if not statement.supported:
            failures.append(f"statement {number} unsupported ({statement.reason})")
        elif statement.irrelevant_ids:
            ids = "".join(f"[{i}]" for i in statement.irrelevant_ids)
            failures.append(f"statement {number}: irrelevant citation {ids}")
    return scores


def fmt(key: str, value: float | None, *, unit: bool = True) -> str:
    """A metric for people: rates as percentages with one decimal, latency in milliseconds."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if METRIC_INFO[key].unit == "s":
        return f"{value * 1000:.0f}" + (" ms" if unit else "")
    return f"{100 * value:.1f}"
