"""The CLI contract: JSON shape, plain output, exit statuses and one-line errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.schema import Answer, Citation
from assistant.terminal.plain import render_answer, title_text

from conftest import run_assistant, seed_text


def test_ask_json_prints_exactly_the_answer_model(seeded_store: Path) -> None:
    result = run_assistant("ask", "How far did the missile fly?", "--json", store=seeded_store)
    assert result.returncode == 0, result.stderr
    answer = Answer.model_validate_json(result.stdout)
    assert set(json.loads(result.stdout)) == set(Answer.model_fields)
    assert not answer.refused and answer.citations
    for c in answer.citations:
        assert seed_text(c.article_id)[c.start : c.end] == c.quote


def test_ask_plain_shows_answer_then_numbered_sources(seeded_store: Path) -> None:
    result = run_assistant("ask", "Why did Incheon Airport close?", store=seeded_store)
    assert result.returncode == 0, result.stderr
    head, sources = result.stdout.split("Sources:")
    assert "[1]" in head
    assert "[1] North Korean Troops to Support Russia in Ukraine" in sources
    assert "balloons" in sources


def test_top_k_option_limits_passages(seeded_store: Path) -> None:
    result = run_assistant(
        "ask", "How many balloons landed?", "--json", "-k", "1", store=seeded_store
    )
    assert len(json.loads(result.stdout)["passages"]) == 1


@pytest.mark.parametrize("question", ["", "   \t "])
def test_empty_question_exits_2_with_one_line(seeded_store: Path, question: str) -> None:
    result = run_assistant("ask", question, store=seeded_store)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: the question is empty: ask something about the articles"
    assert "Traceback" not in result.stderr


def test_overlong_question_exits_2_naming_the_limit(seeded_store: Path) -> None:
    result = run_assistant("ask", "troops " * 300, store=seeded_store)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "the limit is 200" in result.stderr


def test_invalid_top_k_is_a_usage_error(seeded_store: Path) -> None:
    result = run_assistant("ask", "Where is Kursk?", "-k", "0", store=seeded_store)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_openai_model_without_key_exits_1_saying_what_to_set(seeded_store: Path) -> None:
    result = run_assistant("ask", "Where is Kursk?", "--model", "gpt-4o-mini", store=seeded_store)
    assert result.returncode == 1
    assert "OPENAI_API_KEY" in result.stderr and "Traceback" not in result.stderr


def test_ingest_skips_bad_files_with_a_warning_and_ingests_the_rest(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00broken")
    good = tmp_path / "good.md"
    good.write_text("# Harbour news\n\nFishing boats returned to Busan harbour.\n", "utf-8")
    result = run_assistant(
        "ingest",
        str(tmp_path / "bad.txt"),
        str(good),
        str(tmp_path / "nope.txt"),
        store=tmp_path / "store",
    )
    assert result.returncode == 0, result.stderr
    assert "bad.txt" in result.stderr and "nope.txt" in result.stderr
    assert "1 added" in result.stdout


def test_ingest_of_only_bad_files_exits_2(tmp_path: Path) -> None:
    result = run_assistant("ingest", str(tmp_path / "nope.txt"), store=tmp_path / "store")
    assert result.returncode == 2 and "nope.txt" in result.stderr


@pytest.mark.xfail(
    strict=True,
    reason="issue 10, open: a date from another article about another event (a June test) is "
    "added as the other side of the launch date",
)
def test_chat_keeps_the_conversation(seeded_store: Path) -> None:
    # "it" only means the Hwasong-19 through the first turn; /reset forgets it again.
    script = (
        "Which new ICBM did North Korea test?\nWhen was it launched?\n"
        "/reset\nWhen was it launched?\n/quit\n"
    )
    result = run_assistant("chat", store=seeded_store, stdin=script)
    assert result.returncode == 0, result.stderr
    turns = result.stdout.split("you> ")
    with_context, after_reset = turns[2], turns[4]
    assert with_context.split("Sources:")[0].count("[") == 1  # just the Hwasong-19 launch date
    assert "Hwasong-19" in with_context and "October 31, 2024" in with_context
    assert "(conversation cleared)" in turns[3]
    assert after_reset != with_context  # without the conversation, "it" means nothing in particular


def test_invalid_setting_in_the_environment_exits_2_naming_it(seeded_store: Path) -> None:
    result = run_assistant("ask", "Where is Kursk?", store=seeded_store, ASSISTANT_TOP_K="abc")
    assert result.returncode == 2
    assert "top_k" in result.stderr and "Traceback" not in result.stderr


def test_missing_seeds_folder_is_an_error_not_an_empty_corpus(tmp_path: Path) -> None:
    result = run_assistant(
        "ask",
        "How many troops?",
        store=tmp_path / "store",
        ASSISTANT_SEEDS_DIR=str(tmp_path / "nope"),
    )
    assert result.returncode == 1
    assert "index is empty" in result.stderr and "ASSISTANT_SEEDS_DIR" in result.stderr


def test_articles_lists_titles_and_passage_counts(seeded_store: Path) -> None:
    result = run_assistant("articles", store=seeded_store)
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 5 and "passages" in lines[0]
    assert "(AFP, 2024)" in result.stdout


# --- hostile text and bad bytes --------------------------------------------------------------

ESCAPES = (
    "# Harbour news\n\n"
    "Fishing boats returned to Busan harbour \x1b[2J\x1b]0;pwned\x07 after the storm "
    "\x1b]52;c;ZXZpbA==\x07 on Monday.\n"
)


def test_terminal_control_sequences_in_articles_are_shown_not_obeyed(tmp_path: Path) -> None:
    store = tmp_path / "store"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "harbour.md").write_text(ESCAPES, encoding="utf-8")
    assert run_assistant("ingest", str(tmp_path / "in"), store=store).returncode == 0
    result = run_assistant(
        "ask", "When did the fishing boats return to Busan harbour?", store=store
    )
    assert result.returncode == 0, result.stderr
    assert "Busan harbour" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "␛[2J" in result.stdout  # visible, so the reader sees something was there


def test_invalid_utf8_in_a_question_exits_2_with_a_clear_line(seeded_store: Path) -> None:
    environment = {**os.environ, "ASSISTANT_VECTORSTORE_DIR": str(seeded_store)}
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", b"How far \xff did it fly?"],
        capture_output=True,
        env=environment,
        timeout=120,
    )
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, stderr
    assert "error: the question is not valid text" in stderr and "UTF-8" in stderr
    assert "Traceback" not in stderr and "unexpected" not in stderr


# --- the terminal's own output ----------------------------------------------------------------


def test_chat_help_lists_the_commands_instead_of_asking(seeded_store: Path) -> None:
    result = run_assistant("chat", store=seeded_store, stdin="/help\n/quit\n")
    assert result.returncode == 0, result.stderr
    assert "/reset" in result.stdout and "/quit" in result.stdout and "Ctrl-C" in result.stdout
    assert "Sources:" not in result.stdout and "do not answer" not in result.stdout


def test_ctrl_c_at_the_chat_prompt_ends_quietly(seeded_store: Path) -> None:
    environment = {
        **os.environ,
        "ASSISTANT_VECTORSTORE_DIR": str(seeded_store),
        "PYTHONUNBUFFERED": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "chat"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    assert proc.stdout is not None
    assert "Ask about the articles" in proc.stdout.readline()
    assert proc.stdout.read(len("\nyou> ")) == "\nyou> "  # waiting at the prompt
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "error" not in err and "Traceback" not in err


def test_articles_columns_line_up_and_one_passage_is_singular(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.md").write_text("# Short note on ferries\n\nThe ferry left at noon.\n", "utf-8")
    long_text = (
        "# Long report on the harbour\n\n" + "The council met and discussed the harbour. " * 120
    )
    (folder / "a_much_longer_name.md").write_text(long_text, "utf-8")
    store = tmp_path / "store"
    assert run_assistant("ingest", str(folder), store=store).returncode == 0
    lines = run_assistant("articles", store=store).stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("a  ") and " 1 passage " in lines[0]
    assert "passages" in lines[1]
    assert len({line.index("passage") for line in lines}) == 1
    assert lines[0].index("Short note") == lines[1].index("Long report")


def test_articles_on_an_empty_store_says_so_without_ingesting(tmp_path: Path) -> None:
    result = run_assistant("articles", store=tmp_path / "store")
    assert result.returncode == 0
    assert "No articles are indexed yet" in result.stdout
    assert run_assistant("articles", store=tmp_path / "store").stdout == result.stdout


def test_ingest_warning_is_a_sentence(tmp_path: Path) -> None:
    (tmp_path / "binary.txt").write_bytes(b"abc\x00def")
    good = tmp_path / "good.md"
    good.write_text("# Harbour news\n\nFishing boats returned to Busan harbour.\n", "utf-8")
    result = run_assistant(
        "ingest", str(tmp_path / "binary.txt"), str(good), store=tmp_path / "store"
    )
    warning = result.stderr.strip()
    assert warning == (
        f"warning: skipped {tmp_path / 'binary.txt'}: it is a binary file, not text; "
        "save it as UTF-8 text."
    )


def test_wrapped_source_titles_keep_their_indentation() -> None:
    answer = Answer(
        question="q",
        answer="A fact. [1]",
        refused=False,
        citations=[
            Citation(
                id=1,
                article_id="long_article",
                title="A very long headline that goes on " * 4,
                quote="A fact.",
                start=0,
                end=7,
            )
        ],
    )
    lines = render_answer(answer, width=60).splitlines()
    title_lines = lines[lines.index("Sources:") + 1 : -1]
    assert len(title_lines) > 1
    assert title_lines[0].startswith("  [1] A very long")
    assert all(line.startswith("      ") for line in title_lines[1:])


def test_a_described_title_reads_as_a_description() -> None:
    assert title_text("[Officials confirm the ferry schedule]") == (
        "untitled article: Officials confirm the ferry schedule"
    )
    assert title_text("Ferry schedule confirmed") == "Ferry schedule confirmed"
