"""The deterministic offline answer model: a LangChain chat model that needs no network.

It reads the same prompt a real model gets (the numbered passages and the question), and returns
the same structured output (``ModelAnswer``) through the tool-call path that
``with_structured_output`` uses. It answers extractively: it scores each passage sentence by how
much of the question's information it covers (IDF-weighted terms with a small synonym table),
requires the kind of fact the question asks for (a figure for "how many", a date for "when"),
and refuses when no sentence covers enough of the question. The same model is the stub of the
tests and the eval, so its behaviour is fully reproducible.

It also answers the condense prompt: a follow-up question is made standalone by appending the
key terms of the earlier user turns as ``[context: ...]``.
"""

from __future__ import annotations

import json
import math
import re
import statistics
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool

from assistant.answer.conflicts import figures
from assistant.answer.guard import find_injection
from assistant.answer.prompts import CONDENSE_MARKER, PASSAGES_CLOSE, PASSAGES_OPEN, QUESTION_PREFIX
from assistant.answer.sentences import strip_sentence_ids
from assistant.schema import Claim, ModelAnswer
from assistant.text import STOPWORDS, sentence_spans, stem, tokens
from assistant.tokens import count_tokens

# Words that only shape a question; absent from an answer sentence, they must not count against it.
QUESTION_FILLER = frozenset(
    stem(w)
    for w in """
        happen happened reason reasons exactly specifically describe explain mention mentioned
        article articles source sources detail details know known anything something thing
        things way kind type sort regarding concerning go went going take took make made did
        occur occurred latest recent recently current currently new according report reported
        claim claimed think situation state stated name named names list number figure total
        amount quote cite show coverage call called both also regarding respectively
    """.split()
)

# Words a reader uses for what the articles say in other words. Stemmed on load.
_SYNONYM_WORDS = [
    "high height altitude climb",
    "far distance flew fly flight travel traveled cover kilometer kilometre km mile",
    "long airborne minute hour time duration",
    "troop soldier force personnel army men unit brigade auxiliary contingent",
    "missile icbm rocket hwasong-19 hwasong ballistic",
    "kill dead death die casualty loss wounded fodder",
    "stay remain last",
    "send sent deploy deployment dispatch move transfer ship supply provide give",
    "launch fire test test-fire",
    "north dprk pyongyang",
    "train training taught teach",
    "fight fought combat battle engage skirmish clash frontline",
    "balloon trash garbage",
    "weapon arm munition ammunition shell",
    "meet met meeting talk visit",
    "warn warning threat threaten",
    "elect election ballot vote",
    "us united washington america american",
    "defect surrender",
    "air airborne aloft flight",
    "close closure shut suspend",
    "criticise criticize condemn accuse",
    "official chief head leader secretary minister spokesman spokesperson diplomat envoy "
    "representative counterpart",
    "service platform network",
    "load payload weigh weight heavy kilogram",
    "fast speed velocity mach",
    "money cash pay paid dollar worth",
    "stop end halt",
    "agreement agree pact deal sign",
    "nuclear atomic",
    "country nation state",
    "drill exercise",
    "help assist support aid",
    "china beijing",
    "russia moscow kremlin",
    "japan tokyo japanese",
]
SYNONYMS: list[frozenset[str]] = [
    frozenset(t for w in group.split() for t in tokens(w)) for group in _SYNONYM_WORDS
]
_SYN_INDEX: dict[str, set[str]] = {}
for group in SYNONYMS:
    for word in group:
        _SYN_INDEX.setdefault(word, set()).update(group)

NUMERIC_Q = re.compile(
    r"\bhow (many|much|far|high|long|big|large|often|heavy|fast)\b|\bwhat (number|percentage|"
    r"altitude|distance|height|share|proportion|size|range|year)\b|\bwhich (number|altitude|year)\b"
    r"|\bby how\b|\bin what year\b",
    re.I,
)
DATE_Q = re.compile(
    r"\bwhen\b|\bwhat (date|day|year|month|time)\b|\b(on|in) (which|what) (day|date|year|month)\b",
    re.I,
)
NUMBER_EVIDENCE = re.compile(
    r"(?<![\w-])\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
    r"dozens?|hundreds?|thousands?|millions?|half|several|a century)\b",
    re.I,
)
EXACT_Q = re.compile(r"\bexact(ly)?\b|\bprecise(ly)?\b", re.I)
DATE_EVIDENCE = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|"
    r"may|june|july|august|september|october|november|december|yesterday|today|week|month|year|"
    r"days?|ago|since|\d{4})\b",
    re.I,
)
# Which kind of figure (see conflicts.figures) a question asks for.
ASKED_KINDS = [
    (re.compile(r"\bhow far\b|\bdistance\b|\brange\b", re.I), "distance"),
    (re.compile(r"\bhow high\b|\baltitude\b|\bheight\b", re.I), "altitude"),
    (re.compile(r"\bhow long\b.*\b(air|airborne|flight|fly|flew|aloft)\b", re.I), "flight time"),
    (re.compile(r"\bhow many\b.*\b(troops|soldiers|forces)\b", re.I), "troops"),
    (re.compile(r"\bhow many\b.*\bmissiles\b", re.I), "missiles"),
]
# "how fast" asks for a speed: that word (or its synonyms) must be in the evidence.
HOW_ADJECTIVE = re.compile(r"\bhow (fast|far|high|long|heavy|old|big|large|much|many)\b", re.I)
# Heads that name the *type* of answer rather than a word the answer contains.
GENERIC_HEADS = frozenset(
    stem(w)
    for w in """name names kind type sort title number amount date day year month time country
    city place region location nation""".split()
)
NAME_OF = re.compile(r"\bnames? of\b", re.I)
WHO_VERB = re.compile(
    r"\bwho\s+(?!is\b|was\b|are\b|were\b|has\b|have\b|had\b|did\b|does\b)(\w+)", re.I
)
WH_PHRASE = re.compile(
    r"\b(?:what|which|who\s+(?=is|was|are|were))\s*(?:(?:is|was|are|were)\s+)?"
    r"(?:the\s+|a\s+|an\s+)?(.+)",
    re.I,
)
PHRASE_END = frozenset(
    """is was are were do does did has have had that who when where which in on at for to from by
    with of about during after before as whose said say says according led called took came
    made make went""".split()
)
PART_SPLIT = re.compile(
    r",?\s+and\s+(?=(?:what|which|who|whom|how|why|when|where|whether|did|does|do|is|was|are|were)\b)",
    re.I,
)
CONTEXT = re.compile(r"\s*\[context:\s*(.*?)\]\s*$", re.S)
PASSAGE_HEADER = re.compile(r"^\[(\d+)\] article (\S+) — .*$", re.M)

MIN_COVERAGE = 0.6
RELATIVE_TO_BEST = 0.8
MAX_CLAIMS = 4


@dataclass(frozen=True)
class Sentence:
    passage: int
    article_id: str
    text: str
    words: frozenset[str]
    order: int
    neighbours: tuple[int, ...] = ()  # orders of the sentences beside it in the same passage


@dataclass(frozen=True)
class Candidate:
    sentence: Sentence
    coverage: float
    score: float
    companion: Sentence | None = None  # a neighbour that completes it ("The campaign, …")


def parse_prompt(prompt: str) -> tuple[str, list[tuple[int, str, str]]]:
    """The question and the numbered passages (number, article id, text) from the answer prompt."""
    question = prompt.rsplit(QUESTION_PREFIX, 1)[-1].strip() if QUESTION_PREFIX in prompt else ""
    block = ""
    if PASSAGES_OPEN in prompt and PASSAGES_CLOSE in prompt:
        block = prompt.split(PASSAGES_OPEN, 1)[1].rsplit(PASSAGES_CLOSE, 1)[0]
        block = strip_sentence_ids(block)  # this engine quotes; it does not cite sentence ids
    headers = list(PASSAGE_HEADER.finditer(block))
    passages = []
    for i, header in enumerate(headers):
        end = headers[i + 1].start() if i + 1 < len(headers) else len(block)
        passages.append((int(header.group(1)), header.group(2), block[header.end() : end].strip()))
    return question, passages


def _matches(term: str, words: frozenset[str] | set[str], synonyms: bool = True) -> bool:
    if term in words:
        return True
    if synonyms and term in _SYN_INDEX and _SYN_INDEX[term] & words:
        return True
    if len(term) >= 5:
        return any(len(w) >= 5 and (w[:5] == term[:5] or term in w or w in term) for w in words)
    return False


def focus_terms(question: str) -> list[str]:
    """The word(s) naming what is asked: "How FAST…", "Which MINISTER…", "the NAME of the ENVOY".

    The articles must contain a focus word for the question to be answerable at all; a near miss
    (the topic is there, the asked fact is not) usually fails exactly here.
    """
    return _focus(question)[0]


def focus_qualifiers(question: str) -> list[str]:
    """Proper adjectives on the focus ("the SOUTH KOREAN defense minister"): the answer needs them."""
    return _focus(question)[1]


def _focus(question: str) -> tuple[list[str], list[str]]:
    if match := HOW_ADJECTIVE.search(question):
        adjective = match.group(1).lower()
        if adjective not in {"much", "many"}:
            return [stem(adjective)], []
        noun = _counted_noun(question)
        return ([noun] if noun else []), []
    if (who := WHO_VERB.search(question)) and not WH_PHRASE.search(question[: who.start()]):
        return tokens(who.group(1))[:1], []
    match = WH_PHRASE.search(question)
    if not match:
        return [], []
    raw_words: list[str] = []
    for raw in re.findall(r"[\w’'-]+", match.group(1))[:8]:
        low = raw.lower()
        if low in PHRASE_END:
            if raw_words and stem(raw_words[-1]) in GENERIC_HEADS and low == "of":
                raw_words.clear()  # "the name of the minister": the minister is the focus
                continue
            break
        if low in {"the", "a", "an"} or low in STOPWORDS:
            continue
        if raw_words and low.endswith("ed") and stem(raw_words[-1]) not in GENERIC_HEADS:
            break  # "the campaign called", "the unit trained"
        raw_words.append(raw)
    heads = [w for w in raw_words if stem(w) not in GENERIC_HEADS and not w[0].isdigit()]
    if not heads:
        return [], []
    qualifiers = [t for w in heads[:-1] if w[0].isupper() for t in tokens(w)]
    return tokens(heads[-1])[-1:], qualifiers


def _split_parts(question: str) -> list[str]:
    parts = [p.strip(" ,;?") for p in PART_SPLIT.split(question) if p.strip(" ,;?")]
    return parts or [question]


def answer(question: str, passages: Sequence[tuple[int, str, str]]) -> ModelAnswer:
    """Pick the sentences that best answer ``question``; refuse when none covers it well enough."""
    if not question or not passages or find_injection(question):
        return ModelAnswer(refused=True)
    context = ""
    if match := CONTEXT.search(question):
        context = match.group(1)
        question = question[: match.start()]
    sentences = _sentences(passages)
    if not sentences:
        return ModelAnswer(refused=True)
    all_words = frozenset().union(*(s.words for s in sentences))
    parts = _split_parts(question)
    chosen: list[Candidate] = []
    premises: list[str] = []
    for i, part in enumerate(parts):
        # Later parts inherit the first part's subject as context ("…and how far did it fly").
        part_context = context if i == 0 else f"{context} {parts[0]}"
        picked, premise = _answer_part(part, part_context, sentences, all_words)
        if picked is None:
            if len(parts) == 1:
                return ModelAnswer(refused=True)
            continue
        premises += premise
        for c in picked:
            for sentence in _in_text_order(c):
                if all(sentence.text != d.sentence.text for d in chosen):
                    chosen.append(Candidate(sentence, c.coverage, c.score))
    if not chosen:
        return ModelAnswer(refused=True)
    chosen = chosen[: max(MAX_CLAIMS, len(parts))]
    claims = [
        Claim(
            text=_balanced(c.sentence.text),
            passage=c.sentence.passage,
            quote=_balanced(c.sentence.text),
        )
        for c in chosen
    ]
    correction = None
    if premises:
        shown = ", ".join(dict.fromkeys(_show_number(p) for p in premises))
        correction = f"The articles do not give the figure {shown}; here is what they do say."
    return ModelAnswer(refused=False, claims=claims, correction=correction)


def _in_text_order(c: Candidate) -> list[Sentence]:
    pair = [c.sentence] if c.companion is None else [c.sentence, c.companion]
    return sorted(pair, key=lambda s: s.order)


def _show_number(token: str) -> str:
    try:
        value = float(token)
    except ValueError:
        return token
    return f"{value:,.0f}" if value.is_integer() else f"{value:,}"


def _sentences(passages: Sequence[tuple[int, str, str]]) -> list[Sentence]:
    out: list[Sentence] = []
    for number, article_id, text in passages:
        first = len(out)
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            # A question (a headline, a rhetorical one) states nothing to quote as an answer.
            if len(sentence) >= 25 and not sentence.rstrip("”\"’'").endswith("?"):
                out.append(
                    Sentence(number, article_id, sentence, frozenset(tokens(sentence)), len(out))
                )
        for i in range(first, len(out)):
            near = tuple(j for j in (i - 1, i + 1) if first <= j < len(out))
            out[i] = Sentence(**{**out[i].__dict__, "neighbours": near})
    return out


def _name_units(question: str) -> list[list[str]]:
    """Multi-word names in the question ("Kim Jong Un", "Pat Ryder"): any part found is enough."""
    units = []
    for match in re.finditer(r"(?<!^)(?:\b[A-Z][\w’'-]*\s+)+[A-Z][\w’'-]*", question):
        parts = tokens(match.group(0))
        if len(parts) >= 2:
            units.append(parts)
    return units


def _name_near(sentence: str, focus: list[str], question: str) -> bool:
    """For "the name of the X": a capitalised word the question lacks, right beside an X.

    The X itself, not a synonym: "the envoy's name" is not answered by a minister's.
    """
    asked = {w.lower() for w in re.findall(r"[\w’'-]+", question)}
    words = re.findall(r"[\w’'-]+", sentence)
    for i, word in enumerate(words):
        if any(_matches(f, frozenset(tokens(word)), synonyms=False) for f in focus):
            window = words[max(1, i - 1) : i] + words[i + 1 : i + 4]  # "Minister, Choe Son-hui"
            if any(w[0].isupper() and w.lower() not in asked for w in window):
                return True
    return False


def _answer_part(
    question: str, context: str, sentences: list[Sentence], all_words: frozenset[str]
) -> tuple[list[Candidate] | None, list[str]]:
    main = [t for t in dict.fromkeys(tokens(question)) if t not in QUESTION_FILLER]
    ctx = [t for t in dict.fromkeys(tokens(context)) if t not in QUESTION_FILLER and t not in main]
    # A figure in the question that no passage contains is a premise to correct, not a term to find.
    premise = [t for t in main if t[0].isdigit() and t not in all_words]
    main = [t for t in main if t not in premise]
    if not main:
        return None, []
    focus = [t for t in focus_terms(question) if t in main or t in _SYN_INDEX]
    qualifiers = [t for t in focus_qualifiers(question) if t in main]
    if focus and not any(_matches(f, all_words) for f in focus):
        return None, []  # the asked-for thing (speed, score, envoy…) is nowhere in the passages
    n = len(sentences)
    units: list[list[str]] = []
    for name in _name_units(question):
        name = [t for t in name if t in main]
        if len(name) >= 2:
            units.append(name)
    in_names = {t for unit in units for t in unit}
    units += [[t] for t in main if t not in in_names]
    units += [[t] for t in ctx]
    present: dict[str, float] = {}
    for unit in units:
        for term in unit:
            df = sum(1 for s in sentences if _matches(term, s.words))
            if df:
                present[term] = math.log(1 + n / (1 + df))
    # A word no passage uses is most often the reader's paraphrase: it counts, but no more than
    # a typical word that does occur (else one synonym miss would sink every answer).
    typical = statistics.median(present.values()) if present else 1.0
    weights = [
        max(present.get(t, typical) for t in unit) * (0.5 if unit[0] in ctx else 1.0)
        for unit in units
    ]
    total = sum(weights)
    wants_number = bool(NUMERIC_Q.search(question)) or bool(premise)
    exact = bool(EXACT_Q.search(question))
    wants_date = bool(DATE_Q.search(question))
    wants_name = bool(NAME_OF.search(question)) and bool(focus)
    target = _counted_noun(question)
    asked_kind = next((kind for pattern, kind in ASKED_KINDS if pattern.search(question)), None)
    candidates: list[Candidate] = []
    for s in sentences:
        near = [sentences[j] for j in s.neighbours]
        companion = None
        if focus and not any(_matches(f, s.words) for f in focus):
            companion = next((m for m in near if any(_matches(f, m.words) for f in focus)), None)
            if companion is None:
                continue
        if not any(_matches(t, s.words) for t in main):
            continue
        holder = companion or s  # the sentence naming the focus must carry its qualifiers
        if qualifiers and not all(_matches(q, holder.words) for q in qualifiers):
            continue  # "the Japanese defense minister" is not "the South Korean" one
        if wants_number and not _has_number(s.text, exact):
            continue
        if target and not _counts(s.text, target):
            continue  # "how many balloons" needs a figure that counts balloons
        if wants_date and not DATE_EVIDENCE.search(s.text):
            continue
        if wants_name and not _name_near(s.text, focus, question):
            continue
        near_words = frozenset().union(*(m.words for m in near)) if near else frozenset()
        covered = 0.0
        for unit, weight in zip(units, weights, strict=True):
            if any(_matches(t, s.words) for t in unit):
                covered += weight
            elif any(_matches(t, near_words) for t in unit):
                covered += 0.5 * weight  # said in the sentence before or after
        coverage = covered / total
        if coverage < MIN_COVERAGE:
            continue
        score = coverage
        if asked_kind and asked_kind in {f.kind for f in figures(s.text)}:
            score += 0.25  # ranks "an altitude of 7,688 km" first for "how high"
        candidates.append(Candidate(s, coverage, score, companion))
    if not candidates:
        return None, []
    best = max(c.score for c in candidates)
    ranked = sorted(candidates, key=lambda c: (-c.score, c.sentence.order))
    good = [c for c in ranked if c.score >= RELATIVE_TO_BEST * best]
    picked = _spread(good)
    # Another article giving a different figure of the asked kind is the other side of a conflict.
    if asked_kind:
        cited = {c.sentence.article_id for c in picked}
        for c in ranked:
            kinds = {f.kind for f in figures(c.sentence.text)}
            if c.sentence.article_id not in cited and asked_kind in kinds:
                picked.append(c)
                cited.add(c.sentence.article_id)
    return picked[:MAX_CLAIMS], premise


def _has_number(text: str, exact: bool) -> bool:
    """A figure in the sentence; "exactly how many" accepts only digits, not "several"."""
    if exact:
        return bool(re.search(r"(?<![\w-])\d", text))
    return bool(NUMBER_EVIDENCE.search(text))


def _spread(good: list[Candidate]) -> list[Candidate]:
    """The best sentences, preferring one per article before a second from the same one."""
    chosen: list[Candidate] = []
    per_article: dict[str, int] = {}
    for c in good:
        if per_article.get(c.sentence.article_id, 0) >= 1:
            continue
        chosen.append(c)
        per_article[c.sentence.article_id] = 1
    for c in good:
        if len(chosen) >= MAX_CLAIMS:
            break
        if c not in chosen and per_article.get(c.sentence.article_id, 0) < 2:
            chosen.append(c)
            per_article[c.sentence.article_id] += 1
    return sorted(chosen, key=lambda c: (-c.score, c.sentence.order))[:MAX_CLAIMS]


def _balanced(sentence: str) -> str:
    """Drop a quotation mark whose partner lies in another sentence."""
    for opening, closing in (("“", "”"), ('"', '"')):
        count_open = sentence.count(opening)
        count_close = sentence.count(closing) if opening != closing else count_open
        if opening == closing:
            if count_open % 2 and sentence.startswith(opening):
                sentence = sentence[1:]
            elif count_open % 2 and sentence.endswith(closing):
                sentence = sentence[:-1]
        elif count_open > count_close and sentence.startswith(opening):
            sentence = sentence[1:]
        elif count_close > count_open and sentence.endswith(closing):
            sentence = sentence[:-1]
    return sentence.strip()


def _counted_noun(question: str) -> str | None:
    """The thing a "how many/much X" question counts, as a stemmed token."""
    match = re.search(r"\bhow (?:many|much)\s+(.+)", question, re.I)
    if not match:
        return None
    phrase: list[str] = []
    for raw in re.findall(r"[\w’'-]+", match.group(1))[:4]:
        if raw.lower() in PHRASE_END or (phrase and raw.lower().endswith("ed")):
            break  # "how many troops reached …": the verb ends the counted thing
        phrase.append(raw)
    words = [t for t in tokens(" ".join(phrase)) if t not in QUESTION_FILLER]
    nouns = [w for w in words if w not in {"north", "south", "korean", "russian", "ukrainian"}]
    return (nouns or words)[-1] if (nouns or words) else None


def _counts(sentence: str, target: str) -> bool:
    """Whether a figure in the sentence counts ``target`` ("8,000 ... troops", "three times")."""
    for match in NUMBER_EVIDENCE.finditer(sentence):
        following = tokens(sentence[match.end() : match.end() + 45])[:4]
        if any(_matches(target, {w}) for w in following):
            return True
    return False


def condense(prompt: str) -> str:
    """Standalone question for the follow-up: the follow-up plus earlier user-turn key terms."""
    question = prompt.rsplit(CONDENSE_MARKER, 1)[-1].strip()
    conversation = prompt.split("<conversation>", 1)[-1].split("</conversation>", 1)[0]
    user_turns = [
        line.split(":", 1)[1]
        for line in conversation.splitlines()
        if line.lower().startswith("user:")
    ]
    assistant_turns = [
        line.split(":", 1)[1]
        for line in conversation.splitlines()
        if line.lower().startswith("assistant:")
    ]
    # Names the assistant just gave ("the Hwasong-19") are what "it" most often refers to.
    names = (
        re.findall(r"\b[A-Z][\w’'-]*[\w]", _strip_markers(assistant_turns[-1]))
        if assistant_turns
        else []
    )
    own = set(tokens(question))
    context: list[str] = []
    for name in names[:6]:
        if name.lower() not in STOPWORDS and stem(name) not in own and name not in context:
            context.append(name)
    for turn in reversed(user_turns[-2:]):
        for match in re.finditer(r"[A-Za-z][\w’'-]*|\d[\d,.]*\d|\d", turn):
            word = match.group(0)
            if word.lower() in STOPWORDS or stem(word) in QUESTION_FILLER:
                continue
            if stem(word) not in own and word not in context:
                context.append(word)
    return f"{question} [context: {' '.join(context)}]" if context else question


def _strip_markers(text: str) -> str:
    return re.sub(r"\[\d+\]", "", text)


class OfflineChatModel(BaseChatModel):
    """Deterministic, network-free chat model answering the assistant's own prompts."""

    @property
    def _llm_type(self) -> str:
        return "offline-extractive"

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        formatted = [convert_to_openai_tool(t) for t in tools]
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        prompt = "\n\n".join(str(m.content) for m in messages if m.type != "system")
        if CONDENSE_MARKER in prompt and "<conversation>" in prompt:
            message = AIMessage(content=condense(prompt))
        else:
            question, passages = parse_prompt(prompt)
            result = answer(question, passages).model_dump()
            tools = kwargs.get("tools") or []
            if tools:
                name = tools[0]["function"]["name"]
                call_id = "call_" + uuid.uuid5(uuid.NAMESPACE_URL, prompt).hex[:12]
                message = AIMessage(
                    content="", tool_calls=[{"name": name, "args": result, "id": call_id}]
                )
            else:
                message = AIMessage(content=json.dumps(result))
        produced = str(message.content) + json.dumps([c["args"] for c in message.tool_calls])
        usage = {"input_tokens": count_tokens(prompt), "output_tokens": count_tokens(produced)}
        usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]
        message.usage_metadata = usage  # type: ignore[assignment]
        return ChatResult(generations=[ChatGeneration(message=message)])
