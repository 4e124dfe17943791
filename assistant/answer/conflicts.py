"""Finds where verified quotes from different articles give different figures for one thing.

A figure is a number with what it measures, read from the words after it: a unit ("7,688
kilometers": a length, an *altitude* when the words around say so) or the thing counted ("474
packages": packages). Two articles conflict when they give the same kind of figure, about the
same place, with values more than 2% apart, so "1,000 km" and "1,001.2 km" agree while "7,000
km" and "7,688 km" do not, and "10,000 visitors in France" is not contradicted by "8,000 in
the Paris region". Only general English (units, function words) is used. Pure functions only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.text import NUMBER, STOPWORDS, UNITS, normalize_number, stem

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|[%$€£]")
_LENGTH = UNITS["length"]
_HEIGHT = frozenset({"altitude", "altitudes", "high", "height", "elevation", "apogee"})
_TRAVEL = frozenset(
    "flew flown fly flying traveled travelled travel distance range covered away far".split()
)
# Words between a number and what it counts: "more than 8,000 new visitors", "2 million pieces".
_BETWEEN = frozenset(
    """of the more than about some around nearly approximately additional new between and to
    over under almost roughly estimated extra million billion thousand hundred pieces""".split()
)
_PLACE_AFTER = re.compile(
    r"\b(?:in|into|inside|to|at|near)\s+(?:the\s+)?(?:[a-z]+\s+of\s+)?((?:[A-Z][\w’'-]*\s*)+)"
)


@dataclass(frozen=True)
class Figure:
    kind: str
    value: float
    text: str  # the number and its unit as written, e.g. "7,688 kilometers"
    place: frozenset[str] = frozenset()  # names of where it applies ("France", "Paris")
    counted: tuple[str, ...] = ()  # the plain words right after it ("pieces", "ammunition")


def figures(text: str) -> list[Figure]:
    out: list[Figure] = []
    place = _places(text)
    for match in NUMBER.finditer(text):
        raw = match.group(1).rstrip(",")
        try:
            value = float(normalize_number(raw))
        except ValueError:
            continue
        after = _WORD.findall(text[match.end() : match.end() + 60])[:6]
        before = [
            w.lower() for w in _WORD.findall(text[max(0, match.start() - 50) : match.start()])
        ]
        kind, unit = _classify(after, before[-5:])
        if kind is None:
            continue
        if 1900 <= value <= 2100 and unit is None:
            continue
        counted = _counted(text[match.end() : match.end() + 60])
        out.append(Figure(kind, value, f"{raw} {unit}" if unit else raw, place, counted))
    return out


# Number words and vague quantities: "two million pieces", "several missiles", "millions of".
_SPELLED = re.compile(
    r"\b(?:(a few|several|dozens|hundreds|thousands|millions|billions)|"
    r"(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|a|half a)\s+"
    r"(hundred|thousand|million|billion))\b",
    re.I,
)
_VAGUE = {"a few": 3.0, "several": 5.0, "dozens": 36.0, "hundreds": 500.0, "thousands": 5e3}
_VAGUE |= {"millions": 5e6, "billions": 5e9}
_SCALE = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_SMALL = {"a": 1.0, "half a": 0.5, "twenty": 20.0, "eleven": 11.0, "twelve": 12.0}


def vague_figures(text: str) -> list[Figure]:
    """Quantities written in words ("two million pieces", "several missiles"), kind "words":
    enough to tell that a sentence gives a quantity the other does not; a vague one's value is
    a representative of its range, never compared for a conflict."""
    from assistant.text import NUMBER_WORDS

    out = []
    for m in _SPELLED.finditer(text):
        if m.group(1):
            value = _VAGUE[m.group(1).lower()]
        else:
            low = m.group(2).lower()
            small = _SMALL.get(low) or float(NUMBER_WORDS.get(low, "0"))
            value = small * _SCALE[m.group(3).lower()]
        out.append(
            Figure("words", value, m.group(0), counted=_counted(text[m.end() : m.end() + 60]))
        )
    return out


def _counted(after: str) -> tuple[str, ...]:
    """Up to three lower-case words after a figure, skipping function words: what it counts."""
    clause = re.split(r"[.,;:!?](?:\s|$)|[()]", after, maxsplit=1)[0]
    words = [w.lower() for w in _WORD.findall(clause)[:6]]
    return tuple(w for w in words if w not in STOPWORDS and w not in _BETWEEN)[:3]


def _key(kind: str) -> str:
    """ "packages" and "package" are one kind of figure."""
    return stem(kind) if " " not in kind else kind


def _places(text: str) -> frozenset[str]:
    return frozenset(
        word.strip("’'s").lower()
        for m in _PLACE_AFTER.finditer(text)
        for word in m.group(1).split()
    )


def _classify(after: list[str], before: list[str]) -> tuple[str | None, str | None]:
    """(kind, unit as written) of the number followed by ``after`` and preceded by ``before``."""
    for pos, word in enumerate(after):
        low = word.lower()
        if low in _BETWEEN or word[0].isupper():
            continue  # "8,000 Danish visitors": names qualify, they are not what is counted
        if low in _LENGTH:
            # The nearest telling word decides: "an altitude of 7,688 km and flew 1,001 km".
            nearby = [(1.5, w.lower()) for w in after[pos + 1 : pos + 2]]
            nearby += [(d + 1.0, w) for d, w in enumerate(reversed(before[-4:]))]
            for _, near in sorted(nearby):
                if near in _HEIGHT or near in _TRAVEL:
                    return ("altitude" if near in _HEIGHT else "distance"), word
            return "distance", word
        for kind in ("duration", "money", "percent", "speed", "mass"):
            if low in UNITS[kind]:
                return kind, word
        if low in STOPWORDS or len(low) < 3 or not low.isalpha():
            return None, None
        # "15,000 binary packages": the counted noun ends a short run of plain words.
        nxt = after[pos + 1].lower() if pos + 1 < len(after) else ""
        plain = nxt.isalpha() and nxt not in STOPWORDS and not nxt.endswith(("ed", "ing"))
        if plain and after[pos + 1][0].islower():
            word, low = after[pos + 1], nxt
        return low, word
    return None, None


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
            by_kind.setdefault(_key(fig.kind), {}).setdefault(article_id, []).append((i, fig))
    for kind, sides in list(by_kind.items()):
        places = {f.place for members in sides.values() for _, f in members if f.place}
        if len(places) > 1:
            del by_kind[kind]  # figures for different places: different things, not a dispute
    conflicts = []
    for sides in by_kind.values():
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
        if len(groups) < 2 or _reconciled(groups, values, quotes, tolerance):
            continue
        label = next(f.kind for members in sides.values() for _, f in members)
        conflicts.append(FoundConflict(label, [_side(g, sides) for g in groups]))
    return conflicts


def _reconciled(
    groups: list[list[str]],
    values: dict[str, list[float]],
    quotes: Sequence[tuple[str, str]],
    tolerance: float,
) -> bool:
    """A quote that gives two sides' figures together ("of the 3,000 people evacuated, 1,200
    came from the town") shows they measure different things: a part and its whole."""
    side_values = [[v for a in g for v in values[a]] for g in groups]
    for _, quote in quotes:
        ours = [f.value for f in (*figures(quote), *vague_figures(quote))]
        met = [any(_close(v, w, tolerance) for v in ours for w in side) for side in side_values]
        if sum(met) >= 2:
            return True
    return False


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
