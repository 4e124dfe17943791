"""The verifier: only quotes found in the cited article become citations."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assistant.answer.sentences import SentenceIndex
from assistant.answer.verify import clean_quote, find_quote, verify_claims
from assistant.schema import Claim
from assistant.settings import PROJECT_ROOT
from assistant.store.splitting import Passage

from conftest import seed_text

AFP = "001_55bce36a464c4aa4"
ROW = "003_933040b281bedf99"


def _passage(article_id: str, needle: str, number: int = 0) -> Passage:
    text = seed_text(article_id)
    start = text.index(needle)
    return Passage(
        article_id, "title", start, start + len(needle), needle, number, f"{article_id}@v"
    )


def _texts() -> dict[str, str]:
    return {f"{a}@v": seed_text(a) for a in (AFP, ROW)}


def test_exact_quote_maps_to_offsets_in_the_article() -> None:
    text = seed_text(AFP)
    quote = "remaining airborne for about 86 minutes"
    span = find_quote(text, quote)
    assert span is not None and text[span.start : span.end] == quote


def test_whitespace_and_typographic_quote_differences_are_tolerated() -> None:
    text = seed_text(AFP)
    typed = '"We\'ve not yet seen these troops   deploy into combat\nagainst Ukrainian forces"'
    span = find_quote(text, typed)
    assert span is not None
    assert text[span.start : span.end] == (
        "We’ve not yet seen these troops deploy into combat against Ukrainian forces"
    )


def test_fabricated_quote_is_rejected() -> None:
    passages = [_passage(AFP, "Japan noted that the intercontinental ballistic missile (ICBM)")]
    claim = Claim(text="It flew 9,000 km.", passage=1, quote="the missile flew 9,000 kilometers")
    kept, rejected = verify_claims([claim], passages, _texts())
    assert kept == [] and "not found" in rejected[0].reason


def test_quote_attributed_to_the_wrong_article_is_rejected() -> None:
    # The quote is real, but it is in 003 while passage [1] belongs to 001.
    passages = [_passage(AFP, "Japan noted that the intercontinental ballistic missile (ICBM)")]
    quote = "the missile reached an altitude of 7,688 kilometers"
    kept, rejected = verify_claims([Claim(text=quote, passage=1, quote=quote)], passages, _texts())
    assert kept == [] and AFP in rejected[0].reason


@pytest.mark.parametrize("number", [0, 2, -1, 99])
def test_out_of_range_passage_number_is_rejected(number: int) -> None:
    passages = [_passage(AFP, "Japan noted that the intercontinental ballistic missile (ICBM)")]
    claim = Claim(text="x", passage=number, quote="Japan noted that the intercontinental")
    kept, rejected = verify_claims([claim], passages, _texts())
    assert kept == [] and "does not exist" in rejected[0].reason


def test_invented_figure_beside_a_real_quote_is_rejected() -> None:
    passages = [_passage(AFP, "remaining airborne for about 86 minutes")]
    claim = Claim(
        text="The missile stayed airborne for 120 minutes.",
        passage=1,
        quote="remaining airborne for about 86 minutes",
    )
    kept, rejected = verify_claims([claim], passages, _texts())
    assert kept == [] and "120" in rejected[0].reason


def test_trivially_short_quotes_do_not_count() -> None:
    assert find_quote(seed_text(AFP), "Kursk") is None


def test_the_occurrence_inside_the_cited_passage_is_preferred() -> None:
    text = seed_text(AFP)
    quote = "North Korean troops"
    first = text.index(quote)
    later = text.index(quote, first + 200)
    span = find_quote(text, quote, near=(later - 5, later + 40))
    assert span is not None and span.start == later


def test_clean_quote_strips_wrapping_marks_and_ellipses() -> None:
    assert clean_quote(' "…flew 1,000 kilometers..." ') == "flew 1,000 kilometers"


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_span_of_an_article_verifies_to_itself(data: st.DataObject) -> None:
    text = seed_text(data.draw(st.sampled_from([AFP, ROW])))
    start = data.draw(st.integers(0, len(text) - 40))
    end = data.draw(st.integers(start + 20, min(len(text), start + 300)))
    quote = text[start:end].strip()
    assume(len(clean_quote(quote).split()) >= 3 and len(clean_quote(quote)) >= 12)
    noisy = quote.replace(" ", data.draw(st.sampled_from([" ", "  ", "\n", " \t"])))
    noisy = noisy.replace("’", "'").replace("“", '"').replace("”", '"')
    span = find_quote(text, noisy, near=(start, end))
    assert span is not None
    expected = clean_quote(quote)  # outer quote marks are not part of what is cited
    assert " ".join(text[span.start : span.end].split()) == " ".join(expected.split())


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="qxzjkv ", min_size=15, max_size=60))
def test_text_not_in_the_article_never_verifies(garbage: str) -> None:
    assume(len(garbage.split()) >= 3)
    assert find_quote(seed_text(AFP), garbage) is None


def test_a_claim_that_says_more_than_its_real_quote_is_rejected() -> None:
    needle = "Japan noted that the intercontinental ballistic missile (ICBM) flew longer"
    passages = [_passage(AFP, needle)]
    claim = Claim(
        text="North Korea destroyed a Japanese warship with a nuclear torpedo.",
        passage=1,
        quote="Japan noted that the intercontinental ballistic missile (ICBM) flew longer",
    )
    kept, rejected = verify_claims([claim], passages, _texts())
    assert kept == [] and "says more than its quote" in rejected[0].reason


def test_a_faithful_paraphrase_of_the_quote_is_kept() -> None:
    needle = "remaining airborne for about 86 minutes"
    claim = Claim(
        text="Japan said the missile remained airborne for about 86 minutes.",
        passage=1,
        quote="the North, remaining airborne for about 86 minutes",
    )
    kept, _ = verify_claims([claim], [_passage(AFP, needle)], _texts())
    assert len(kept) == 1


# --- sentence ids, whole-sentence citations, loose quotes, fidelity -----------------------------

DEBIAN = PROJECT_ROOT / "eval" / "corpora" / "debian_history" / "articles" / "dh_1_2.txt"


def _index(article_id: str, needle: str) -> tuple[list[Passage], dict[str, str], SentenceIndex]:
    passages = [_passage(article_id, needle)]
    texts = _texts()
    return passages, texts, SentenceIndex(passages, texts)


def _sid(index: SentenceIndex, needle: str) -> int:
    return next(s.id for s in index.by_id.values() if needle in s.text)


def test_a_claim_citing_a_sentence_id_gets_that_sentence_as_its_quote() -> None:
    needle = "remaining airborne for about 86 minutes"
    passages, texts, index = _index(AFP, needle)
    claim = Claim(
        text="The ICBM remained airborne for about 86 minutes.", sentences=[_sid(index, needle)]
    )
    (kept,), _ = verify_claims([claim], passages, texts)
    assert (
        kept.quote.startswith("Japan noted that")
        and texts[f"{AFP}@v"][kept.span.start : kept.span.end] == kept.quote
    )


def test_a_sentence_id_outside_the_prompt_is_rejected() -> None:
    passages, texts, _ = _index(AFP, "remaining airborne for about 86 minutes")
    _, (rejected,) = verify_claims([Claim(text="x", sentences=[404])], passages, texts)
    assert "s404" in rejected.reason


def test_a_quote_is_anchored_to_the_whole_sentence_that_contains_it() -> None:
    passages, texts, _ = _index(AFP, "remaining airborne for about 86 minutes")
    claim = Claim(
        text="The ICBM remained airborne for about 86 minutes.",
        passage=1,
        quote="remaining airborne for about 86 minutes",
    )
    (kept,), _ = verify_claims([claim], passages, texts)
    assert kept.quote.startswith("Japan noted") and kept.quote.endswith("7,000 kilometers.")


@pytest.mark.parametrize(
    "quote",
    [
        "remained airborne for around 86 minutes",  # inflection, approximator
        "reaching altitudes of 7000 km",  # number format, unit spelling
        "Japan noted that the intercontinental ballistic missile ... flew longer",  # ellipsis
    ],
)
def test_a_loosely_copied_quote_is_anchored(quote: str) -> None:
    passages, texts, _ = _index(AFP, "remaining airborne for about 86 minutes")
    claim = Claim(
        text="Japan noted the ICBM flew longer than any previously tested.", passage=1, quote=quote
    )
    kept, rejected = verify_claims([claim], passages, texts)
    assert len(kept) == 1, rejected


@pytest.mark.parametrize(
    "quote",
    [
        "remaining airborne for about 96 minutes",  # another figure
        "not remaining airborne for about 86 minutes",  # negated
        "reaching altitudes of 7,000 miles",  # another unit
    ],
)
def test_a_loose_quote_that_says_something_else_is_never_anchored(quote: str) -> None:
    passages, texts, _ = _index(AFP, "remaining airborne for about 86 minutes")
    claim = Claim(text="The ICBM was airborne.", passage=1, quote=quote)
    kept, rejected = verify_claims([claim], passages, texts)
    assert kept == [] and "quote not found" in rejected[0].reason


def test_a_distorted_claim_is_rejected_with_the_cited_text_as_its_replacement() -> None:
    passages, texts, _ = _index(AFP, "remaining airborne for about 86 minutes")
    claim = Claim(
        text="The ICBM remained airborne for about 86 hours.",
        passage=1,
        quote="remaining airborne for about 86 minutes",
    )
    kept, (rejected,) = verify_claims([claim], passages, texts)
    assert kept == [] and rejected.problems[0].kind == "figure"
    assert rejected.replacement is not None
    assert rejected.replacement.text == rejected.replacement.quote  # the article's own words


def test_loose_quotes_anchor_on_a_corpus_that_is_not_the_seeds() -> None:
    text = DEBIAN.read_text(encoding="utf-8")
    start = text.index("This release consisted of 974 packages")
    passage = Passage("dh", "Debian", start, start + 80, text[start : start + 80], 0, "dh@v")
    claim = Claim(
        text="The release had 974 packages.",
        passage=1,
        quote="consisted of nine hundred 974 packages",
    )
    assert verify_claims([claim], [passage], {"dh@v": text})[0] == []
    claim = Claim(
        text="The release consisted of 974 packages.",
        passage=1,
        quote="This release consisted of 974 package",
    )
    (kept,), _ = verify_claims([claim], [passage], {"dh@v": text})
    assert "974 packages" in kept.quote
