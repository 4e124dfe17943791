"""The outlet and date an article states about itself, for articles without a catalog entry.

News copy announces both in a few conventional places near its top: a dateline ("SEOUL, Nov. 5
(Reuters) -", "WASHINGTON (AP) —"), a byline ("By Jane Doe, Reuters" / "By Jane Doe | The Times"),
a source line ("Source: Yonhap"), and a publication date ("Published: 5 November 2024",
"2024-11-05", "November 5, 2024"). Only the head of the article is read, and only these forms,
so a date or a name mentioned in the story is never taken for the article's own.
"""

from __future__ import annotations

import re

HEAD_LINES = 8  # non-empty lines read from the top
_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_OUTLET = r"[A-Z][\w&.'-]*(?: [A-Z][\w&.'-]*){0,4}"
_DATELINE = re.compile(
    rf"^[A-Z][A-Za-z .'-]+,?(?: {_MONTHS} \d{{1,2}},?)?(?: \d{{4}})? \(({_OUTLET})\)\s*[-–—]"
)
_BYLINE = re.compile(rf"^By [^,|–—]+?(?:,| \||\s[–—]) ?(?:the )?({_OUTLET})\s*$")
_SOURCE = re.compile(rf"^(?:Source|Outlet|Publisher|Published by)\s*:\s*({_OUTLET})\s*$", re.I)
_DATE = re.compile(
    rf"(\d{{4}}-\d{{2}}-\d{{2}}|{_MONTHS} \d{{1,2}}, \d{{4}}|\d{{1,2}} {_MONTHS} \d{{4}})"
)
_DATE_LINE = re.compile(
    rf"^(?:(?:Published|Updated|Posted|Date|Dated)\s*(?:on)?\s*:?\s*)?"
    rf"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?,? )?{_DATE.pattern}"
    rf"(?:,? \d{{1,2}}[:.]\d{{2}}.*)?$",
    re.I,
)


def stated_outlet_and_date(text: str) -> tuple[str | None, str | None]:
    """(outlet, date) as the article's head states them; None for what it does not state."""
    outlet: str | None = None
    date: str | None = None
    lines: list[str] = []
    for line in text.splitlines():  # only the head: a long article's other lines are skipped
        if line.strip():
            lines.append(line.strip().strip("*_").strip())
            if len(lines) == HEAD_LINES:
                break
    for line in lines:
        line = line.lstrip("#").strip()
        if outlet is None:
            for pattern in (_DATELINE, _BYLINE, _SOURCE):
                if match := pattern.search(line):
                    outlet = match.group(1).strip(" .")
                    break
        if date is None and (match := _DATE_LINE.search(line)):
            date = match.group(1)
    return outlet, date
