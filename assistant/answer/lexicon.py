"""Closed classes of English that the fidelity rules need: language facts, not corpus words.

Negators, comparators and approximators, hedges and certainty words, causal connectives,
qualifiers, time words, month and weekday names, framing (reporting) verbs, title nouns, unit
spellings and number multipliers. None is derived from any article; each list is a small, closed
class that a grammar of English would give.
"""

from __future__ import annotations

NEGATORS = frozenset(
    "not no never none nobody nothing neither nor without cannot n't nowhere".split()
)
# Comparators and approximators: a claim may keep or drop one, not swap it for another class.
COMPARATOR_CLASSES: dict[str, str] = {
    **dict.fromkeys(
        "about around roughly approximately nearly almost some circa approx ~".split(), "approx"
    ),
    **dict.fromkeys("over above exceeding".split(), "more"),
    **dict.fromkeys("under below".split(), "less"),
}
COMPARATOR_WORDS = {"approx": "about", "more": "more than", "less": "less than"}
TWO_WORD_COMPARATORS = {
    ("more", "than"): "more",
    ("upwards", "of"): "more",
    ("at", "least"): "more",
    ("less", "than"): "less",
    ("fewer", "than"): "less",
    ("up", "to"): "less",
    ("at", "most"): "less",
}
HEDGES = frozenset(
    """reportedly allegedly apparently possibly probably likely unlikely may might could perhaps
    presumably supposedly seemingly certainly definitely clearly undoubtedly surely confirmed
    officially reported alleged suspected believed expected rumored rumoured""".split()
)
CAUSAL = frozenset(
    """because due owing therefore thus hence consequently cause caused causes causing result
    resulted resulting led prompted prompting triggered triggering blamed since""".split()
)
QUALIFIERS = frozenset(
    """only first last all every entire whole largest biggest smallest most least always again
    still already just even record unprecedented sole exclusively mainly mostly""".split()
)
TEMPORAL = frozenset(
    """yesterday today tomorrow tonight recently lately ago past previous next earlier later
    week weeks weekend month months year years decade decades day days hour hours morning
    evening night""".split()
)
MONTHS = frozenset(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
# Words that report or frame a statement without adding to it.
FRAMING = frozenset(
    """said say says told tell state stated states statement according report reported reports
    add added adding note noted notes article articles source sources passage passages also
    however meanwhile including include includes among both such while per""".split()
)
TITLES = frozenset(
    """minister president premier chancellor secretary general governor senator ambassador
    chairman chairwoman chair director commander chief king queen prince princess emperor mayor
    spokesman spokeswoman spokesperson envoy deputy vice prime foreign defense defence interior
    leader pope admiral colonel captain lieutenant sergeant marshal judge justice""".split()
)
UNITS = {
    **dict.fromkeys("km kms kilometer kilometers kilometre kilometres".split(), "km"),
    **dict.fromkeys("m meter meters metre metres".split(), "m"),
    **dict.fromkeys("cm centimeter centimeters centimetre centimetres".split(), "cm"),
    **dict.fromkeys("mi mile miles".split(), "mi"),
    **dict.fromkeys("ft foot feet".split(), "ft"),
    **dict.fromkeys("kg kgs kilogram kilograms kilogramme kilogrammes".split(), "kg"),
    **dict.fromkeys("t ton tons tonne tonnes".split(), "t"),
    **dict.fromkeys("lb lbs pound pounds".split(), "lb"),
    **dict.fromkeys("%  percent per_cent pct".split(), "%"),
    **dict.fromkeys("$ usd dollar dollars".split(), "usd"),
    **dict.fromkeys("h hr hrs hour hours".split(), "h"),
    **dict.fromkeys("min mins minute minutes".split(), "min"),
    **dict.fromkeys("s sec secs second seconds".split(), "s"),
    **dict.fromkeys("kph km/h kmh".split(), "km/h"),
    **dict.fromkeys("mph".split(), "mph"),
}
MULTIPLIERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
BOUNDARY_WORDS = frozenset({"and", "or", "but", "while", "whereas", "versus", "vs"})
PRONOUN_STARTS = frozenset({"it", "he", "she", "they", "we", "i", "you", "this", "that"})
# What English adds to a place name to name its people or language (stems, as Snowball leaves them).
DEMONYM_ENDINGS = frozenset({"n", "an", "ian", "ean", "ese", "es", "i", "ish", "ic"})
# Relative and interrogative words, determiners and prepositions a stopword list may leave out.
FUNCTION_WORDS = frozenset(
    """whose whether whereby wherein upon within across toward towards onto via amid another
    either yet""".split()
)
# Verbs that deny what follows them ("has denied sending", "refused to confirm"): they give a
# sentence the polarity of a negator when articles are compared on a yes/no question.
DENYING = frozenset(
    """deny denies denied denying denial refuse refuses refused refusing reject rejects rejected
    rejecting""".split()
)
# Opposites: pairs of closed, general English oppositions (direction, outcome, state, change),
# as a thesaurus lists them; each side holds the inflected forms a stemmer cannot join
# ("won"/"win"). A sentence that says one side where a claim says the other contradicts it.
OPPOSITES: tuple[tuple[frozenset[str], frozenset[str]], ...] = tuple(
    (frozenset(a.split()), frozenset(b.split()))
    for a, b in (
        ("win wins won winning victory victorious", "lose loses lost losing loss defeat"),
        (
            "gain gains gained gaining increase increases increased increasing rise rises rose "
            "risen rising grow grows grew grown growing",
            "lose loses lost losing decrease decreases decreased decreasing fall falls fell "
            "fallen falling decline declines declined declining shrink shrinks shrank shrunk",
        ),
        ("open opens opened opening reopen reopened", "close closes closed closing shut shutdown"),
        (
            "approve approves approved approving approval accept accepts accepted",
            "reject rejects rejected rejecting rejection refuse refused veto vetoed",
        ),
        ("enable enables enabled enabling", "disable disables disabled disabling"),
        (
            "add adds added adding introduce introduces introduced introducing",
            "remove removes removed removing drop drops dropped dropping delete deleted",
        ),
        ("include includes included including", "exclude excludes excluded excluding"),
        ("first", "last"),
        ("earliest", "latest"),
        ("single", "multiple multi"),
        ("success succeed succeeded successful", "failure fail failed unsuccessful"),
        ("confirm confirms confirmed admit admits admitted", "deny denies denied"),
        ("support supports supported", "oppose opposes opposed"),
        (
            "allow allows allowed permit permits permitted",
            "ban bans banned forbid forbade forbidden prohibit prohibited",
        ),
        ("alive survive survived survives", "dead die died dies killed"),
        ("higher", "lower"),
        ("faster quicker", "slower"),
        ("larger bigger", "smaller"),
        ("longer", "shorter"),
        ("strengthen strengthened", "weaken weakened"),
        ("true", "false"),
        ("public", "private"),
        ("permanent", "temporary"),
        ("maximum", "minimum"),
        ("online", "offline"),
        ("hot", "cold"),
        ("early", "late"),
        ("start starts started", "stop stops stopped"),
    )
)
