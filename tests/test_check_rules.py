"""The claim checker's general rules, one behaviour each: opposite words, ordinal figures,
clause alignment, context sentences, and how support and contradiction make a verdict.

Texts are made up (a sports league, a software project), not the seeds; the seeds are checked
end to end at the bottom.
"""

from __future__ import annotations

from assistant.answer.fidelity import check_fidelity, clauses, is_opposite
from assistant.check.decide import Judgement, judge, verdict_of
from assistant.check.evidence import Candidate, Sentence
from assistant.factchecker import FactChecker


def opposites(claim: str, source: str) -> list[tuple[str, str | None]]:
    return [
        (p.claim_part, p.source_part)
        for p in check_fidelity(claim, [source]).problems
        if is_opposite(p)
    ]


def candidate(
    text: str, article: str, *, article_id: str = "a", similarity: float = 0.8
) -> Candidate:
    start = article.index(text)
    sentence = Sentence(article_id, "League notes", article_id, start, start + len(text), text)
    return Candidate(sentence, similarity, 0.8)


# --- opposite words (lexicon.OPPOSITES, compared in fidelity.py) ------------------------------


def test_a_sentence_saying_the_opposite_outcome_contradicts_the_claim() -> None:
    assert opposites(
        "The Rovers lost the cup final to the Harriers.",
        "The Rovers won the cup final, beating the Harriers on penalties.",
    ) == [("lost", "won")]


def test_an_opposite_change_contradicts_a_claimed_rise() -> None:
    assert opposites(
        "Ticket sales rose by 10 percent last season.",
        "Ticket sales fell by 10 percent last season.",
    ) == [("rose", "fell")]


def test_an_opposite_in_another_clause_about_something_else_does_not_contradict() -> None:
    source = "Support for the old format was dropped, while the new format was introduced."
    assert opposites("The release introduced the new format.", source) == []
    assert opposites("The release introduced the old format.", source) == [
        ("introduced", "dropped")
    ]


def test_a_negated_word_is_left_to_the_negation_rule() -> None:
    assert opposites("The Rovers did not win the final.", "The Rovers lost the final.") == []


def test_hyphenated_parts_can_be_opposites() -> None:
    assert opposites(
        "It was a single-player release.", "It was the first multi-player release."
    ) == [("single-player", "multi-player")]


def test_a_short_apposition_joins_the_clause_after_it() -> None:
    assert clauses("Oslo Airport, the main hub, had to close on Monday.") == [
        "Oslo Airport the main hub",
        "had to close on Monday.",
    ]


# --- figures ---------------------------------------------------------------------------------


def test_ordinal_words_are_figures_a_rival_ordinal_contradicts() -> None:
    problems = check_fidelity(
        "The twelfth conference was held in Lyon.", ["The thirteenth conference was held in Lyon."]
    ).problems
    assert [(p.kind, p.claim_part, p.source_part) for p in problems] == [
        ("figure", "twelfth", "thirteenth")
    ]


def test_a_figure_after_of_counts_the_noun_before_it() -> None:
    problems = check_fidelity(
        "The founder died at the age of 64.", ["The founder passed away at 46 years of age."]
    ).problems
    assert ("figure", "64", "46") in [(p.kind, p.claim_part, p.source_part) for p in problems]


# --- judging one sentence ----------------------------------------------------------------------


def test_the_sentence_before_may_name_what_a_sentence_is_about() -> None:
    article = (
        "Season 2019 (Harriers). The Harriers were promoted to the first division. "
        "The club appointed Maria Lund as head coach."
    )
    c = candidate("The club appointed Maria Lund as head coach.", article)
    claim = "The Harriers appointed Maria Lund as head coach."
    assert judge(claim, c, article).stance == "supports"
    assert judge(claim, c, "The club appointed Maria Lund as head coach.").stance is None


def test_the_opposite_outcome_for_the_same_match_contradicts() -> None:
    article = "The Rovers won the cup final, beating the Harriers on penalties."
    c = candidate(article, article)
    judgement = judge("The Rovers lost the cup final to the Harriers.", c, article)
    assert judgement.stance == "contradicts"
    assert "opposite" in judgement.detail


def test_another_ordinal_next_to_another_place_is_another_event_not_a_contradiction() -> None:
    article = "The eighteenth conference took place in Montreal."
    c = candidate(article, article, similarity=0.65)
    assert judge("The tenth conference took place in New York.", c, article).stance is None


# --- verdicts ----------------------------------------------------------------------------------


def _j(stance: str, article_id: str, *, gaps: int = 0, similarity: float = 0.8) -> Judgement:
    text = f"Sentence from {article_id}."
    return Judgement(
        candidate(text, text, article_id=article_id, similarity=similarity), stance, "", gaps
    )  # type: ignore[arg-type]


def test_a_full_support_and_a_contradiction_from_other_articles_conflict() -> None:
    assert verdict_of([_j("supports", "a"), _j("contradicts", "b")]) == "conflicting"


def test_a_partial_support_does_not_stand_against_a_contradiction_elsewhere() -> None:
    assert verdict_of([_j("supports", "a", gaps=2), _j("contradicts", "b")]) == "refuted"


def test_within_one_article_the_closest_sentence_decides() -> None:
    judgements = [
        _j("supports", "a", gaps=1, similarity=0.9),
        _j("contradicts", "a", similarity=0.7),
    ]
    assert verdict_of(judgements) == "supported"


# --- end to end ----------------------------------------------------------------------------------


def test_an_opposite_outcome_refutes_a_seed_claim(fact_checker: FactChecker) -> None:
    check = fact_checker.check("North Korea's U-17 women's team lost the World Cup final to Spain.")
    assert check.verdict == "refuted"
    against = [c for c in check.citations if c.id in check.contradicting]
    assert "defeating Spain" in against[0].quote
