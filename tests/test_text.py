"""Headings and titles: lines that name a topic and state nothing, told apart from statements."""

from __future__ import annotations

from assistant.text import is_heading


def test_a_short_line_without_a_full_stop_is_a_heading() -> None:
    assert is_heading("What's New in Toolkit 4.0")
    assert is_heading("New Development Process")


def test_a_sentence_or_a_paragraph_ending_in_a_colon_is_not_a_heading() -> None:
    assert not is_heading("The release was frozen in August.")
    assert not is_heading("Generators were added. A simple one looks like this:")


def test_the_line_after_a_label_is_its_value_not_a_heading() -> None:
    assert not is_heading("Jane Doe and Max Roe", previous="Author:")
    assert is_heading("Jane Doe and Max Roe", previous="Some other title")
