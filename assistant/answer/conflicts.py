"""Finds where verified quotes from different articles give different figures for one thing.

A figure is a number with what it measures, read from the words around it: "an altitude of
7,688 kilometers" is (altitude, 7688), "8,000 North Korean troops" is (troops, 8000). Two
articles conflict when they give the same kind of figure with values more than 2% apart, so
"1,000 km" and "1,001.2 km" agree while "7,000 km" and "7,688 km" do not. Pure functions only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.text import normalize_number

_NUM = re.compile(r"\d[\d,]*(?:\.\d+)?")
_WORD = re.compile(r"[A-Za-z]+")

# What a figure measures: (kind, unit words that may follow it, context words that may surround it)
_KINDS: list[tuple[str, frozenset[str], frozenset[str]]] = [
    (
        "altitude",
        frozenset({"km", "kilometers", "kilometres", "miles"}),
        frozenset({"altitude", "altitudes", "high", "height"}),
    ),
    (
        "distance",
        frozenset({"km", "kilometers", "kilometres", "miles"}),
        frozenset({"flew", "flown", "traveled", "travelled", "distance", "range", "fly"}),
    ),
    ("flight time", frozenset({"minutes", "minute", "hours"}), frozenset()),
    ("troops", frozenset({"troops", "soldiers", "forces", "personnel", "men"}), frozenset()),
    ("missiles", frozenset({"missiles"}), frozenset()),
    ("balloons", frozenset({"balloons"}), frozenset()),
    ("ammunition", frozenset({"ammunition", "shells", "rounds"}), frozenset()),
]
_SKIPPABLE = frozenset(
    {
        "north",
        "korean",
        "south",
        "russian",
        "of",
        "the",
        "more",
        "than",
        "about",
        "some",
        "around",
        "elite",
        "dprk",
        "additional",
        "new",
        "between",
        "and",
        "to",
        "nearly",
        "approximately",
        "million",
        "pieces",
    }
)


@dataclass(frozen=True)
class Figure:
    kind: str
    value: float
    text: str  # the number and its unit as written, e.g. "7,688 kilometers"


def figures(text: str) -> list[Figure]:
    out: list[Figure] = []
    for match in _NUM.finditer(text):
        raw = match.group(0).rstrip(",")
        try:
            value = float(normalize_number(raw))
        except ValueError:
            continue
        after = [w.lower() for w in _WORD.findall(text[match.end() : match.end() + 60])][:5]
        before = [
            w.lower() for w in _WORD.findall(text[max(0, match.start() - 50) : match.start()])
        ][-5:]
        kind, unit = _classify(after, before)
        if kind is not None:
            if 1900 <= value <= 2100 and unit is None:
                continue
            out.append(Figure(kind, value, f"{raw} {unit}" if unit else raw))
    return out


def _classify(after: list[str], before: list[str]) -> tuple[str | None, str | None]:
    unit_at = None
    for pos, word in enumerate(after):
        if any(word in units for _, units, _ in _KINDS):
            unit_at = pos
            break
        if word not in _SKIPPABLE:
            break
    if unit_at is None:
        return None, None
    unit = after[unit_at]
    candidates = [(kind, ctx) for kind, units, ctx in _KINDS if unit in units]
    if len(candidates) == 1:
        return candidates[0][0], unit
    # The nearest context word decides: "an altitude of 7,688 km and flew 1,001 km".
    nearby = [(1.5, w) for w in after[unit_at + 1 : unit_at + 2]]
    nearby += [(d + 1.0, w) for d, w in enumerate(reversed(before[-4:]))]
    for _, word in sorted(nearby, key=lambda item: item[0]):
        for kind, ctx in candidates:
            if word in ctx:
                return kind, unit
    return None, unit


@dataclass(frozen=True)
class Side:
    """Articles agreeing on a figure; each claim (by index) with the figure its quote gives."""

    article_ids: list[str]
    figures: list[tuple[int, str]]  # (claim index, that quote's own figures as written)


@dataclass(frozen=True)
class FoundConflict:
    kind: str
    sides: list[Side]


def find_conflicts(
    quotes: Sequence[tuple[str, str]], tolerance: float = 0.02
) -> list[FoundConflict]:
    """``quotes`` are (article_id, quote) per claim, in claim order.

    Each article is one side: its figures of a kind (a range gives two) are compared with the
    other articles' as a set; two articles disagree when no figure of one matches a figure of
    the other ("7,000 km" against "7,688 km"), not when one merely adds a figure.
    """
    by_kind: dict[str, dict[str, list[tuple[int, Figure]]]] = {}
    for i, (article_id, quote) in enumerate(quotes):
        for fig in figures(quote):
            by_kind.setdefault(fig.kind, {}).setdefault(article_id, []).append((i, fig))
    conflicts = []
    for kind, sides in by_kind.items():
        values = {a: [_in_base_unit(f) for _, f in members] for a, members in sides.items()}
        # Articles that share a figure agree on it, whatever else they add ("8,000 of the
        # 10,000" beside "8,000"); only articles with no figure in common disagree.
        disagreeing = [
            a
            for a in sides
            if any(_disjoint(values[a], values[b], tolerance) for b in sides if b != a)
        ]
        if len(disagreeing) < 2:
            continue
        # Articles sharing a figure stand on the same side.
        groups: list[list[str]] = []
        for a in disagreeing:
            joined = [
                g for g in groups if any(not _disjoint(values[a], values[b], tolerance) for b in g)
            ]
            merged = [a] + [b for g in joined for b in g]
            groups = [g for g in groups if g not in joined] + [merged]
        if len(groups) < 2:
            continue
        conflicts.append(FoundConflict(kind, [_side(g, sides) for g in groups]))
    return conflicts


def _side(article_ids: list[str], sides: dict[str, list[tuple[int, Figure]]]) -> Side:
    by_claim: dict[int, list[Figure]] = {}
    for a in article_ids:
        for i, fig in sides[a]:
            by_claim.setdefault(i, []).append(fig)
    ordered = sorted(by_claim.items())
    return Side(sorted(article_ids), [(i, _written(figs)) for i, figs in ordered])


def _written(figs: list[Figure]) -> str:
    """A quote's figures of one kind as written: "7,688 kilometers", "10,000–12,000 soldiers"."""
    shown: list[Figure] = []
    for fig in figs:
        if not any(_close(_in_base_unit(fig), _in_base_unit(s), 0.02) for s in shown):
            shown.append(fig)
    if len(shown) == 2 and shown[0].text.split()[-1] == shown[1].text.split()[-1]:
        return f"{shown[0].text.split()[0]}–{shown[1].text}"
    return " and ".join(f.text for f in shown)


def _disjoint(a: list[float], b: list[float], tolerance: float) -> bool:
    return not any(_close(x, y, tolerance) for x in a for y in b)


def _in_base_unit(fig: Figure) -> float:
    return fig.value * 1.609344 if fig.text.endswith("miles") else fig.value


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1.0)
