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
class FoundConflict:
    kind: str
    members: list[tuple[tuple[int, ...], Figure]]  # (claim indexes, figures), one per article


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
        members = [
            (tuple(dict.fromkeys(i for i, _ in sides[a])), _merge(sides[a])) for a in disagreeing
        ]
        conflicts.append(FoundConflict(kind, members))
    return conflicts


def _disjoint(a: list[float], b: list[float], tolerance: float) -> bool:
    return not any(_close(x, y, tolerance) for x in a for y in b)


def _merge(items: list[tuple[int, Figure]], tolerance: float = 0.02) -> Figure:
    """One article's figures of a kind as one side: "10,000 soldiers and 12,000 soldiers".

    Figures that agree within the tolerance ("7,687.5 km", "7,688 kilometers") are shown once.
    """
    shown: list[Figure] = []
    for _, fig in items:
        if not any(_close(_in_base_unit(fig), _in_base_unit(s), tolerance) for s in shown):
            shown.append(fig)
    return Figure(shown[0].kind, shown[0].value, " and ".join(f.text for f in shown))


def _in_base_unit(fig: Figure) -> float:
    return fig.value * 1.609344 if fig.text.split(" and ")[0].endswith("miles") else fig.value


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1.0)
