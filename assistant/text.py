"""The one owner of words, figures and sentences: retrieval, verification, the offline engine
and the eval judge all read text through these rules, so they cannot disagree about them."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

# Words keep inner hyphens and digits ("COVID-19", "F-22"); numbers keep their separators.
WORD = re.compile(r"[A-Za-z][\w'’-]*[A-Za-z0-9]|[A-Za-z]|\d[\d,.]*\d|\d")
# A sentence ends at . ! or ? (plus closing quotes/brackets) followed by whitespace or the end;
# "7,687.5" and "U.S." therefore do not end one (abbreviations are merged back afterwards).
SENTENCE_END = re.compile(r"[.!?]+[”\"’')\]]*(?=\s|$)|\n")

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    tell according say said says let give given get got many much one ones did does do done ever
    really
    """.split()
)


_STEMMER = snowballstemmer.stemmer("english")
NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "twenty": "20",
    "hundred": "100",
    "thousand": "1000",
    "million": "1000000",
}
# Ordinals as the figure they name, so "the tenth meeting" meets "the 10th meeting" ("first" and
# "second" stay words: "at first", "a second").
ORDINAL_WORDS = {
    word: str(n)
    for n, word in enumerate(
        """third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth
        fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth""".split(),
        start=3,
    )
}
_ORDINAL_SUFFIX = frozenset({"st", "nd", "rd", "th"})


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball (Porter 2) stem, so 'fired'/'fire', 'troops'/'troop', 'times'/'time' meet."""
    w = word.lower().replace("’", "'").removesuffix("'s").strip("'")
    return _STEMMER.stemWord(w)


def normalize_number(token: str) -> str:
    return token.replace(",", "").rstrip(".")


_US = re.compile(r"\bU\.S\.(?:A\.)?")


def canonical_abbreviations(text: str) -> str:
    """'U.S.' and 'U.S.A.' as 'US', so the dotted and plain spellings are one word."""
    return _US.sub("US", text)


def tokens(text: str) -> list[str]:
    """Content words, stemmed, and numbers (number words as digits, separators removed).

    Hyphenated words count as their parts ("trash-carrying" → trash, carri) unless a part is a
    number, which makes them a name ("COVID-19", "F-22").
    """
    out = []
    text = _US.sub("US", text)
    for match in WORD.finditer(text):
        token = match.group(0)
        lower = token.lower()
        if token[0].isdigit():
            out.append(normalize_number(token))
        elif lower in _ORDINAL_SUFFIX and match.start() and text[match.start() - 1].isdigit():
            continue  # "10th": the figure is the word
        elif lower in ORDINAL_WORDS:
            out.append(ORDINAL_WORDS[lower])
        elif lower in NUMBER_WORDS:
            out.append(NUMBER_WORDS[lower])
        elif "-" in token and not any(ch.isdigit() for ch in token):
            out.extend(
                stem(part) for part in token.split("-") if part and part.lower() not in STOPWORDS
            )
        elif lower not in STOPWORDS:
            out.append(stem(token) if not any(ch.isdigit() for ch in token) else lower)
    return out


HEADING_WORDS = 16  # titles are short; a longer line without a full stop is a paragraph
_STATEMENT_END = re.compile(r"[.!?;]+[”\"’')\]]*\s*$|[”\"’')\]]\s*$")


def is_heading(line: str, previous: str = "") -> bool:
    """A title or a section heading ("What's New in Python 2.0", "New Development Process"): a
    whole line without a sentence's closing punctuation. It names a topic and states nothing,
    so it never answers. A line after a label ("Author:") is that label's value, not a title.
    """
    line = line.strip()
    if not line or _STATEMENT_END.search(line) or len(line.split()) > HEADING_WORDS:
        return False
    if len(sentence_spans(line)) > 1:
        return False  # a paragraph that ends in a colon (before an example) is not a title
    return not previous.strip().endswith(":") or line.endswith(":")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans inside ``text``, whitespace trimmed; abbreviations may split, harmlessly."""
    spans = []
    cursor = 0
    for match in [*SENTENCE_END.finditer(text), None]:
        end = match.end() if match else len(text)
        raw = text[cursor:end]
        lead = len(raw) - len(raw.lstrip())
        body = raw.strip()
        if len(body) >= 2:
            spans.append((cursor + lead, cursor + lead + len(body)))
        cursor = end
    return _merge_abbreviations(text, spans)


_ABBREV = re.compile(r"(?:\b[A-Z]\.|\b(?:U\.S|Gen|Mr|Mrs|Dr|St|No|Lt|Col|Sgt|Jr|Sr|vs|etc))\.?$")


def _merge_abbreviations(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged:
            prev_start, prev_end = merged[-1]
            gap = text[prev_end:start]
            if "\n" not in gap and (
                _ABBREV.search(text[prev_start:prev_end]) or text[start].islower()
            ):
                merged[-1] = (prev_start, end)
                continue
        merged.append((start, end))
    return merged


# A figure: "1,000", "7,687.5", "103rd"; digits inside identifiers ("001_55bc…") are not figures.
NUMBER = re.compile(r"(?<![A-Za-z0-9_])(\d[\d,]*(?:\.\d+)?)(?:st|nd|rd|th)?(?![A-Za-z0-9_])")


def numbers(text: str) -> set[str]:
    """The figures in ``text`` as plain digits: "1,000" → "1000", "7.50" → "7.5"."""
    out = set()
    for match in NUMBER.finditer(text):
        value = match.group(1).rstrip(",").replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        out.add(value)
    return out


# --- numbers, dates and units in running text ---------------------------------------------------

_NUMBER_WORD = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|million|billion|dozens?|hundreds|thousands|millions|"
    r"several|half)\b",
    re.I,
)
MONTHS = (
    "january february march april may june july august september october november december"
).split()
_MONTH = (
    r"(?:"
    + "|".join(m.capitalize() for m in MONTHS)
    + r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# Capitalised month and day names only: "may" and "march" are also verbs.
_DATE = re.compile(
    rf"\b(?:{_DAY}(?: of)? )?{_MONTH}(?: {_DAY}\b)?|\b(?:Monday|Tuesday|Wednesday|Thursday|"
    r"Friday|Saturday|Sunday|yesterday|today|tomorrow)\b|\b(?:1[5-9]|20)\d\d(?:s)?\b"
)
# General English measurement words, grouped by what they measure.
UNITS: dict[str, frozenset[str]] = {
    "length": frozenset(
        "km kilometer kilometre kilometers kilometres mile miles meter metre meters metres m "
        "foot feet ft inch inches cm mm yard yards".split()
    ),
    "duration": frozenset(
        "second seconds minute minutes min hour hours hr hrs day days week weeks month months "
        "year years decade decades century centuries".split()
    ),
    "speed": frozenset("mph kph km/h knots knot mach".split()),
    "percent": frozenset("% percent per cent percentage".split()),
    "money": frozenset(
        "$ € £ ¥ dollar dollars usd euro euros eur pound pounds gbp yen won cents cent".split()
    ),
    "mass": frozenset("kg kilogram kilograms ton tons tonne tonnes pound pounds lb lbs".split()),
}


def number_spans(text: str, words: bool = True) -> list[tuple[int, int]]:
    """Where figures are written in ``text``: digits, and (with ``words``) number words."""
    spans = [m.span(1) for m in NUMBER.finditer(text)]
    if words:
        spans += [m.span() for m in _NUMBER_WORD.finditer(text)]
    return sorted(spans)


def date_spans(text: str) -> list[tuple[int, int]]:
    """Month and day names and years (1500-2099) in ``text``."""
    return [m.span() for m in _DATE.finditer(text)]


def words_near(text: str, start: int, end: int, before: int = 3, after: int = 4) -> list[str]:
    """The lower-cased words just before and after ``text[start:end]`` (for "8,000 troops")."""
    left = re.findall(r"[\w’'$€£¥%/-]+|[$€£¥%]", text[max(0, start - 60) : start])[-before:]
    right = re.findall(r"[\w’'$€£¥%/-]+|[$€£¥%]", text[end : end + 60])[:after]
    return [w.lower() for w in left + right]


# Material an article quotes rather than reports: an embedded social-media post, a photo credit
# or caption. Marked by the conventions web pages use for them, never by topic words.
_POST = re.compile(r"pic\.twitter\.com/|\b(?:twitter|x)\.com/\w|\(@\w{2,}\)|— .{1,60}\(@\w+\)")
_CREDIT = re.compile(r"©|\((?:photo|image|picture)s?:?\s|^(?:photo|image|picture|credit)s?:", re.I)


def quoted_material(sentence: str) -> str | None:
    """``"post"`` for an embedded social-media post, ``"caption"`` for a photo caption or credit."""
    if _POST.search(sentence):
        return "post"
    if _CREDIT.search(sentence):
        return "caption"
    return None


# How an answer says whose words it quotes: the article's own reporting needs no lead-in.
MATERIAL_LEAD = {
    "post": "A post quoted in the article says: “{quote}”",
    "caption": "A photo caption in the article reads: “{quote}”",
}
_LEADS = re.compile(
    "|".join(
        re.escape(lead).replace(re.escape("{quote}"), "(.*)") for lead in MATERIAL_LEAD.values()
    ),
    re.S,
)


def attributed(sentence: str, material: str | None) -> str:
    """``sentence`` said to be a post or caption the article quotes (as is for its reporting)."""
    lead = MATERIAL_LEAD.get(material or "")
    return lead.format(quote=sentence) if lead else sentence


def unattributed(claim: str) -> str:
    """The quoted words of a claim that says whose words they are (see ``attributed``)."""
    match = _LEADS.fullmatch(claim.strip())
    return next((g for g in match.groups() if g is not None), claim) if match else claim
