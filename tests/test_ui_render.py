"""The UI's HTML rendering: citation markers, sources, refusals, conflicts, evidence, safety."""

from __future__ import annotations

import re

import pytest

from assistant.schema import Answer, Citation, Conflict, PassageRef
from assistant.store.index import ArticleEntry
from assistant.ui import render
from assistant.ui.evidence import CONTEXT_CHARS, evidence_html

from conftest import SEED_IDS, seed_text

AFP = "001_55bce36a464c4aa4"
MISSILE_QUOTE = (
    "South Korea, which previously indicated that North Korea was preparing a missile or even "
    "nuclear test ahead of Tuesday’s US election, reported that Pyongyang appeared to have "
    "fired a solid-propelled long-range ballistic missile that flew 1,000 kilometers (621 miles)."
)
PAYLOAD = '<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2"> ${7*7} {{x}}'


def entry(article_id: str, title: str, outlet: str | None = None, date: str | None = None):
    return ArticleEntry(article_id, f"{article_id}@v", title, outlet, date, f"/x/{article_id}", 3)


def citation(article_id: str, quote: str, cid: int = 1, title: str = "AFP report") -> Citation:
    start = seed_text(article_id).index(quote)
    return Citation(
        id=cid,
        article_id=article_id,
        title=title,
        quote=quote,
        start=start,
        end=start + len(quote),
    )


@pytest.fixture
def corpus() -> render.Corpus:
    return render.Corpus.of([entry(AFP, "AFP report", "AFP", "2024")])


@pytest.fixture
def missile_answer() -> Answer:
    c = citation(AFP, MISSILE_QUOTE)
    return Answer(
        question="How far did the missile fly?",
        answer=f"{MISSILE_QUOTE} [1]",
        refused=False,
        citations=[c],
        model="offline",
        passages=[
            PassageRef(number=1, article_id=AFP, title="AFP report", start=c.start - 40, end=c.end)
        ],
    )


def hostile_answer() -> Answer:
    return Answer(
        question=PAYLOAD,
        answer=f"It says {PAYLOAD}. [1]",
        refused=False,
        citations=[
            Citation(
                id=1, article_id="evil", title=PAYLOAD, quote=PAYLOAD, start=0, end=len(PAYLOAD)
            )
        ],
        conflicts=[Conflict(topic=PAYLOAD, citation_ids=[1], values=[PAYLOAD])],
        notes=[PAYLOAD],
    )


def assert_inert(fragment: str) -> None:
    lowered = fragment.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "onerror" not in re.sub(r"&lt;.*?&gt;", "", lowered, flags=re.S)
    assert "${" not in fragment and "{{" not in fragment


def test_answer_markers_become_superscripts_only_for_cited_ids(corpus: render.Corpus) -> None:
    answer = Answer(
        question="q", answer="One fact. [1] A list [7] item.", refused=False,
        citations=[citation(AFP, MISSILE_QUOTE)],
    )  # fmt: skip
    html = render.answer_html(answer, corpus)
    assert '<sup class="fc-cite" title="Source 1">[1]</sup>' in html
    assert "A list [7] item." in html


def test_sources_list_shows_title_outlet_date_and_verbatim_quote(
    missile_answer: Answer, corpus: render.Corpus
) -> None:
    html = render.answer_html(missile_answer, corpus)
    sources = html.split('<ol class="fc-sources">', 1)[1]
    assert '<span class="fc-src-n">[1]</span>' in sources
    assert "AFP report" in sources and "AFP · 2024" in sources
    assert f"“{render.esc(MISSILE_QUOTE)}”" in sources


def test_chat_message_is_one_html_block_without_blank_lines(missile_answer: Answer) -> None:
    text = missile_answer.model_copy(update={"answer": "First.\n\nSecond. [1]"})
    html = render.answer_html(text, render.Corpus.of([]))
    assert "\n" not in html
    assert html.startswith("<div") and html.endswith("</div>")


def test_refusal_is_marked_not_in_the_articles_and_lists_no_sources() -> None:
    answer = Answer(question="Who won?", answer="The articles do not answer this.", refused=True)
    html = render.answer_html(answer, render.Corpus.of([]))
    assert "fc-refused" in html and "Not in the articles" in html
    assert "fc-sources" not in html


def test_an_unverified_answer_is_not_labelled_as_missing_from_the_articles() -> None:
    answer = Answer(
        question="Who won?",
        answer="The model answered, but none of it could be verified.",
        refused=True,
        status="unverified",
    )
    html = render.answer_html(answer, render.Corpus.of([]))
    assert "Could not be verified" in html
    assert "Not in the articles" not in html


def test_a_partial_answer_says_it_is_partly_verified(missile_answer: Answer) -> None:
    partial = missile_answer.model_copy(update={"status": "partial"})
    html = render.answer_html(partial, render.Corpus.of([]))
    assert "Partly verified" in html and "fc-sources" in html
    assert "Partly verified" not in render.answer_html(missile_answer, render.Corpus.of([]))


def test_conflict_shows_each_value_in_its_own_column_with_its_sources() -> None:
    citations = [
        Citation(id=i, article_id=f"a{i}", title=f"Article {i}", quote="q", start=0, end=1)
        for i in (1, 2, 3)
    ]
    conflict = Conflict(
        topic="troops",
        citation_ids=[1, 2, 3],
        values=["10,000 soldiers", "8,000 troops", "8,000 troops"],
    )
    html = render.conflicts_html([conflict], citations)
    sides = re.findall(r'<div class="fc-side">(.*?)</ul></div>', html)
    assert "Sources give different figures for troops" in html
    assert len(sides) == 2
    assert "10,000 soldiers" in sides[0] and "Article 1" in sides[0]
    assert "8,000 troops" in sides[1] and "Article 2" in sides[1] and "Article 3" in sides[1]


def test_evidence_highlights_exactly_the_quoted_characters_in_context(
    missile_answer: Answer, corpus: render.Corpus
) -> None:
    html = evidence_html(missile_answer, corpus, seed_text)
    marked = re.findall(r'<mark class="fc-mark">(.*?)</mark>', html)
    assert marked == [render.esc(MISSILE_QUOTE)]
    text = seed_text(AFP)
    c = missile_answer.citations[0]
    context = re.search(r'<div class="fc-context">(.*?)</div>', html).group(1)
    before = render.esc(text[c.start - 40 : c.start]).replace("\n", "<br>")
    assert context == f'…{before}<mark class="fc-mark">{marked[0]}</mark> …'  # text goes on
    assert f"characters {c.start}–{c.end}" in html


def test_evidence_without_a_prompt_passage_shows_a_margin_on_word_boundaries(
    missile_answer: Answer, corpus: render.Corpus
) -> None:
    answer = missile_answer.model_copy(update={"passages": []})
    html = evidence_html(answer, corpus, seed_text)
    context = re.search(r'<div class="fc-context">(.*?)</div>', html).group(1)
    assert context.startswith("…") and context.endswith("…")
    shown = re.sub(r"<[^>]+>", "", context)
    assert len(shown) - len(MISSILE_QUOTE) > 2 * CONTEXT_CHARS - 60
    assert not shown[1].isspace() and not shown[-2].isspace()


def test_evidence_for_a_changed_article_says_so_instead_of_a_wrong_highlight(
    missile_answer: Answer, corpus: render.Corpus
) -> None:
    html = evidence_html(missile_answer, corpus, lambda _id: "entirely different text")
    assert "has changed since the answer" in html
    assert render.esc(MISSILE_QUOTE) in html


def test_refused_answer_evidence_names_the_articles_searched() -> None:
    answer = Answer(
        question="Who won?",
        answer="The articles do not answer this.",
        refused=True,
        passages=[PassageRef(number=1, article_id=AFP, title="AFP report", start=0, end=10)],
    )
    html = evidence_html(answer, render.Corpus.of([]), seed_text)
    assert "Not in the articles" in html and "AFP report" in html


def test_hostile_article_text_renders_as_inert_text_in_chat_and_evidence() -> None:
    answer = hostile_answer()
    evil = entry("evil", PAYLOAD, PAYLOAD, PAYLOAD)
    corpus = render.Corpus.of([evil])
    chat = render.answer_html(answer, corpus)
    panel = evidence_html(answer, corpus, lambda _id: PAYLOAD)
    for fragment in (chat, panel):
        assert_inert(fragment)
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in fragment
        assert "&#36;&#123;7*7&#125;" in fragment  # shown literally, not evaluated by a template


def test_hostile_titles_render_inert_in_the_corpus_table_and_reader() -> None:
    evil = entry("evil", PAYLOAD, PAYLOAD, PAYLOAD)
    table = render.corpus_table_html([evil], lambda _e: PAYLOAD)
    reader = render.article_html(evil, f"Intro.\n{PAYLOAD}\n")
    for fragment in (table, reader):
        assert_inert(fragment)
        assert "&lt;img src=x" in fragment


def test_sanitize_removes_markup_outside_the_allow_list() -> None:
    raw = (
        '<div class="fc-msg" onclick="x()"><script>alert(1)</script>'
        '<img src=x onerror=alert(1)><a href="javascript:alert(1)">link</a>'
        '<iframe src="//evil"></iframe><mark style="x">ok</mark></div>'
    )
    cleaned = render.sanitize(raw)
    assert cleaned == '<div class="fc-msg">link<mark>ok</mark></div>'


def test_error_message_is_an_alert_with_the_reason() -> None:
    html = render.error_html("cannot reach the model server <b>now</b>")
    assert 'role="alert"' in html and "Could not answer" in html
    assert "cannot reach the model server &lt;b&gt;now&lt;/b&gt;" in html


def test_corpus_table_lists_every_article_with_passage_counts() -> None:
    entries = [entry(i, f"Title {i}") for i in SEED_IDS]
    html = render.corpus_table_html(entries, lambda _e: "seed")
    assert html.count("<tr>") == len(SEED_IDS) + 1
    assert f"{len(SEED_IDS)} articles, {3 * len(SEED_IDS)} passages" in html
