"""The claim checker: split the text, find evidence, decide, and build verified ``ClaimCheck``s.

Offline, the verdict comes from the rules in ``decide`` over sentences ranked by the embedding
model and word overlap. With a chat model (OpenAI or compatible), the model proposes a verdict
citing numbered sentences and the same rules verify each citation (``model``); nothing it
cites without support reaches the result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from assistant.check.decide import (
    MIN_RELEVANCE,
    Judgement,
    judge_all,
    verdict_of,
)
from assistant.check.evidence import Candidate, EvidenceFinder
from assistant.check.explain import explanation
from assistant.check.schema import CheckReport, ClaimCheck, EvidenceNote
from assistant.check.similarity import WordSimilarity
from assistant.check.split import MAX_CLAIMS, split_claims
from assistant.errors import InputError
from assistant.schema import Citation
from assistant.settings import OFFLINE_MODEL, Settings
from assistant.store.retrieval import HybridRetriever

PASSAGES_PER_CLAIM = 12


class ClaimChecker:
    def __init__(
        self,
        retriever: HybridRetriever,
        article_text: Callable[[str], str | None],
        embeddings: Embeddings,
        *,
        chat_model: Callable[[str], BaseChatModel] | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.article_text = article_text
        self.chat_model = chat_model
        self.settings = settings
        self.finder = EvidenceFinder(retriever, article_text, embeddings)
        self.words = WordSimilarity(embeddings)

    def candidates(self, claim: str) -> list[Candidate]:
        return self.finder.find(claim, PASSAGES_PER_CLAIM)

    def check(self, claim: str, model: str = OFFLINE_MODEL) -> ClaimCheck:
        """One claim: decided offline, or proposed by ``model`` and verified."""
        candidates = self.candidates(claim)
        chat = self._chat(model)
        if chat is None:
            judgements = judge_all(claim, candidates, self.article_text, self.words)
            return build_check(claim, verdict_of(judgements), judgements, model=OFFLINE_MODEL)
        return self._check_with_model(claim, candidates, chat, model)

    def _chat(self, name: str) -> BaseChatModel | None:
        if name == OFFLINE_MODEL or self.chat_model is None:
            return None
        from assistant.offline.model import OfflineChatModel

        chat = self.chat_model(name)
        return None if isinstance(chat, OfflineChatModel) else chat

    def _check_with_model(
        self, claim: str, candidates: list[Candidate], chat: BaseChatModel, name: str
    ) -> ClaimCheck:
        from assistant.answer.chain import model_errors
        from assistant.check.model import MAX_SENTENCES, ask_model, verify
        from assistant.models import structured_output_kwargs

        shown = [c for c in candidates if c.relevance >= MIN_RELEVANCE][:MAX_SENTENCES]
        if not shown:
            return build_check(claim, "not_enough_evidence", [], model=name)
        method = structured_output_kwargs(self.settings or Settings(), chat)["method"]
        with model_errors():
            proposal, usage, failure = ask_model(chat, method, claim, shown)
        if proposal is None:
            note = f"The model's reply was not a usable verdict ({failure})."
            result = build_check(claim, "not_enough_evidence", [], model=name, notes=[note])
        else:
            verdict, kept, notes = verify(claim, proposal, shown, self.article_text)
            result = build_check(claim, verdict, kept, model=name, notes=notes)
        result.usage = usage
        return result

    def check_text(self, text: str, model: str = OFFLINE_MODEL) -> CheckReport:
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
        checks = [self.check(c, model) for c in split.claims]
        return CheckReport(text=text, claims=checks, skipped=split.skipped)


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
