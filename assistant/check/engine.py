"""The claim checker: split the text, find evidence, decide, and build verified ``ClaimCheck``s.

Offline, the verdict comes from the rules in ``decide`` over sentences ranked by the embedding
model and word overlap. With a chat model (OpenAI or compatible), the model proposes a verdict
citing numbered sentences and the same rules verify each citation (``model``); nothing it
cites without support reaches the result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from langchain_core.embeddings import Embeddings

from assistant.check.decide import Judgement, WordSimilarity, judge_all, verdict_of
from assistant.check.evidence import Candidate, EvidenceFinder
from assistant.check.explain import explanation
from assistant.check.schema import CheckReport, ClaimCheck, EvidenceNote
from assistant.check.split import MAX_CLAIMS, split_claims
from assistant.errors import InputError
from assistant.schema import Citation
from assistant.store.retrieval import HybridRetriever

PASSAGES_PER_CLAIM = 8
OFFLINE_NAME = "offline"


class ClaimChecker:
    def __init__(
        self,
        retriever: HybridRetriever,
        article_text: Callable[[str], str | None],
        embeddings: Embeddings,
    ) -> None:
        self.article_text = article_text
        self.finder = EvidenceFinder(retriever, article_text, embeddings)
        self.words = WordSimilarity(embeddings)

    def candidates(self, claim: str) -> list[Candidate]:
        return self.finder.find(claim, PASSAGES_PER_CLAIM)

    def check(self, claim: str) -> ClaimCheck:
        """One claim, decided offline."""
        judgements = judge_all(claim, self.candidates(claim), self.article_text, self.words)
        return build_check(claim, verdict_of(judgements), judgements, model=OFFLINE_NAME)

    def check_text(
        self, text: str, check: Callable[[str], ClaimCheck] | None = None
    ) -> CheckReport:
        """Every check-worthy claim of ``text``, one verdict each."""
        split = split_claims(text)
        if not split.claims:
            raise InputError(
                "found no checkable claim in the text: state a fact as a sentence (not a "
                'question), e.g. "The missile flew for 86 minutes."'
            )
        if len(split.claims) > MAX_CLAIMS:
            raise InputError(
                f"the text holds {len(split.claims)} claims; check at most {MAX_CLAIMS} at a time"
            )
        run = check or self.check
        return CheckReport(text=text, claims=[run(c) for c in split.claims], skipped=split.skipped)


def build_check(
    claim: str,
    verdict: str,
    judgements: Sequence[Judgement],
    *,
    model: str,
    notes: Sequence[str] = (),
) -> ClaimCheck:
    """A ``ClaimCheck`` citing the deciding sentences; a verdict without them falls back.

    ``supported`` cites its supporting sentences, ``refuted`` its contradicting ones,
    ``conflicting`` both; ``not_enough_evidence`` cites nothing. A verdict whose evidence is
    missing becomes ``not_enough_evidence``, so no verdict ever stands without a citation.
    """
    wanted = {
        "supported": ("supports",),
        "refuted": ("contradicts",),
        "conflicting": ("supports", "contradicts"),
        "not_enough_evidence": (),
    }[verdict]
    deciding = [j for j in judgements if j.stance in wanted]
    if verdict == "conflicting" and {j.stance for j in deciding} != {"supports", "contradicts"}:
        deciding = []
    if verdict != "not_enough_evidence" and not deciding:
        verdict = "not_enough_evidence"
    citations: list[Citation] = []
    evidence: list[EvidenceNote] = []
    for j in deciding:
        s = j.candidate.sentence
        cid = len(citations) + 1
        citations.append(
            Citation(
                id=cid,
                article_id=s.article_id,
                title=s.title,
                quote=s.text,
                start=s.start,
                end=s.end,
            )
        )
        evidence.append(
            EvidenceNote(citation_id=cid, stance=j.stance or "supports", detail=j.detail)
        )
    check = ClaimCheck(
        claim=claim,
        verdict=verdict,  # type: ignore[arg-type]
        explanation="",
        citations=citations,
        supporting=[e.citation_id for e in evidence if e.stance == "supports"],
        contradicting=[e.citation_id for e in evidence if e.stance == "contradicts"],
        evidence=evidence,
        model=model,
        notes=list(notes),
    )
    check.explanation = explanation(check, [j.candidate for j in judgements])
    return check
