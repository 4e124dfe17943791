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

from assistant.conflicts import figures
from assistant.guard import find_injection
from assistant.prompts import CONDENSE_MARKER, PASSAGES_CLOSE, PASSAGES_OPEN, QUESTION_PREFIX
from assistant.schema import Claim, ModelAnswer
from assistant.text import STOPWORDS, sentence_spans, stem, tokens
from assistant.tokens import count_tokens

# Words that only shape a question; absent from an answer sentence, they must not count against it.
QUESTION_FILLER = frozenset(
    stem(w)
    for w in """
        happen happened reason reasons exactly specifically describe explain mention mentioned
        article articles source sources detail details know known anything something thing
        things way kind type regarding concerning go went going take took make made did happen
        occur occurred latest recent recently current currently new according report reported
        claim claimed think situation state stated name named list number figure total amount
        quote cite show
    """.split()
)

SYNONYMS: list[set[str]] = [
    {"high", "height", "altitude", "altitud"},
    {
        "far",
        "distance",
        "flew",
        "fly",
        "flight",
        "travel",
        "traveled",
        "kilometer",
        "km",
        "mile",
        "range",
    },
    {"long", "airborne", "minute", "hour", "time", "durat"},
    {"troop", "soldier", "force", "personnel", "army", "men", "unit", "brigad", "auxiliary"},
    {"missile", "icbm", "rocket", "hwasong-19", "hwasong", "ballistic"},
    {"kill", "killed", "dead", "death", "die", "died", "casualty", "loss", "wounded", "fodder"},
    {"stay", "remain", "last", "lasted"},
    {"send", "sent", "deploy", "deployment", "dispatch", "move", "moved", "transfer"},
    {"launch", "fire", "fired", "test", "tested", "test-fir"},
    {"north", "dprk", "pyongyang"},
    {"train", "trained", "training"},
    {"fight", "combat", "battle", "engage", "skirmish", "fought", "frontline"},
    {"balloon", "trash", "garbage"},
    {"weapon", "arm", "munition", "ammunition", "shell"},
    {"meet", "met", "meeting", "talk", "visit", "visited"},
    {"sanction", "sanctions"},
    {"warn", "warned", "warning", "threat", "threaten"},
    {"elect", "election", "ballot", "vote"},
    {"us", "united", "washington", "america", "american", "u.s"},
    {"defect", "surrender"},
    {"air", "airborne", "aloft", "flight"},
]
_SYN_INDEX: dict[str, set[str]] = {}
for group in SYNONYMS:
    for word in group:
        _SYN_INDEX.setdefault(word, set()).update(group)

NUMERIC_Q = re.compile(
    r"\bhow (many|much|far|high|long|big|large|often)\b|\bwhat (number|percentage|altitude|distance|"
    r"height|share|proportion|size|range)\b|\bwhich (number|altitude)\b|\bhow many\b",
    re.I,
)
DATE_Q = re.compile(r"\bwhen\b|\bwhat (date|day|year|month|time)\b|\bon which (day|date)\b", re.I)
NUMBER_WORDS = re.compile(
    r"(?<![\w-])\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?|millions?|"
    r"half|several)\b",
    re.I,
)
DATE_WORDS = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|"
    r"june|july|august|september|october|november|december|yesterday|today|week|month|year|days?|"
    r"hours?|ago|since|\d{4})\b",
    re.I,
)
# Which kind of figure (see conflicts.figures) a question asks for.
ASKED_KINDS = [
    (re.compile(r"\bhow far\b|\bdistance\b|\brange\b", re.I), "distance"),
    (re.compile(r"\bhow high\b|\baltitude\b|\bheight\b", re.I), "altitude"),
    (re.compile(r"\bhow long\b.*\b(air|airborne|flight|fly|flew|aloft)\b", re.I), "flight time"),
]
CONTEXT = re.compile(r"\s*\[context:\s*(.*?)\]\s*$", re.S)
PASSAGE_HEADER = re.compile(r"^\[(\d+)\] article (\S+) — .*$", re.M)

MIN_COVERAGE = 0.62
RELATIVE_TO_BEST = 0.8
MAX_CLAIMS = 4


@dataclass(frozen=True)
class Candidate:
    passage: int
    article_id: str
    text: str
    coverage: float
    order: int


def parse_prompt(prompt: str) -> tuple[str, list[tuple[int, str, str]]]:
    """The question and the numbered passages (number, article id, text) from the answer prompt."""
    question = prompt.rsplit(QUESTION_PREFIX, 1)[-1].strip() if QUESTION_PREFIX in prompt else ""
    block = ""
    if PASSAGES_OPEN in prompt and PASSAGES_CLOSE in prompt:
        block = prompt.split(PASSAGES_OPEN, 1)[1].rsplit(PASSAGES_CLOSE, 1)[0]
    headers = list(PASSAGE_HEADER.finditer(block))
    passages = []
    for i, header in enumerate(headers):
        end = headers[i + 1].start() if i + 1 < len(headers) else len(block)
        passages.append((int(header.group(1)), header.group(2), block[header.end() : end].strip()))
    return question, passages


def _matches(term: str, words: set[str]) -> bool:
    if term in words:
        return True
    if term in _SYN_INDEX and _SYN_INDEX[term] & words:
        return True
    if len(term) >= 5:
        return any(
            len(w) >= 5 and (w.startswith(term[:5]) and term.startswith(w[:5])) for w in words
        )
    return False


def answer(question: str, passages: Sequence[tuple[int, str, str]]) -> ModelAnswer:
    """Pick the sentences that best answer ``question``; refuse when none covers it well enough."""
    if not question or not passages or find_injection(question):
        return ModelAnswer(refused=True)
    context = ""
    if match := CONTEXT.search(question):
        context = match.group(1)
        question = question[: match.start()]
    sentences: list[tuple[int, str, str, set[str]]] = []
    for number, article_id, text in passages:
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            if len(sentence) >= 25:
                sentences.append((number, article_id, sentence, set(tokens(sentence))))
    if not sentences:
        return ModelAnswer(refused=True)
    main = [t for t in dict.fromkeys(tokens(question)) if t not in QUESTION_FILLER]
    ctx = [t for t in dict.fromkeys(tokens(context)) if t not in QUESTION_FILLER and t not in main]
    all_words = set().union(*(s[3] for s in sentences))
    # A figure in the question that no passage contains is a premise to correct, not a term to find.
    premise = [t for t in main if t[0].isdigit() and t not in all_words]
    main = [t for t in main if t not in premise]
    if not main:
        return ModelAnswer(refused=True)
    n = len(sentences)

    def weight(term: str) -> float:
        df = sum(1 for s in sentences if _matches(term, s[3]))
        return math.log(1 + n / (1 + df))

    weights = {t: weight(t) for t in main}
    weights.update({t: 0.5 * weight(t) for t in ctx})
    total = sum(weights.values())
    wants_number = bool(NUMERIC_Q.search(question)) or bool(premise)
    wants_date = bool(DATE_Q.search(question))
    target = _counted_noun(question)
    asked_kind = next((kind for pattern, kind in ASKED_KINDS if pattern.search(question)), None)
    candidates = []
    for order, (number, article_id, sentence, words) in enumerate(sentences):
        covered = sum(w for t, w in weights.items() if _matches(t, words))
        if covered / total < MIN_COVERAGE:
            continue
        if (target and _counts(sentence, target)) or (
            asked_kind and asked_kind in {f.kind for f in figures(sentence)}
        ):
            covered += 0.25 * total  # ranks "about 70 balloons" first for "how many balloons"
        main_hit = sum(1 for t in main if _matches(t, words))
        if main_hit == 0:
            continue
        if wants_number and not NUMBER_WORDS.search(sentence):
            continue
        if wants_date and not DATE_WORDS.search(sentence):
            continue
        candidates.append(Candidate(number, article_id, sentence, covered / total, order))
    if not candidates:
        return ModelAnswer(refused=True)
    best = max(c.coverage for c in candidates)
    good = sorted(
        (c for c in candidates if c.coverage >= max(MIN_COVERAGE, RELATIVE_TO_BEST * best)),
        key=lambda c: (-c.coverage, c.order),
    )
    chosen: list[Candidate] = []
    seen_text: set[str] = set()
    per_article: dict[str, int] = {}
    for c in good:
        if c.text in seen_text or per_article.get(c.article_id, 0) >= 2:
            continue
        # Prefer spreading over articles: a second sentence of one article waits its turn.
        if per_article.get(c.article_id, 0) == 1 and any(
            d.article_id not in per_article for d in good if d.text not in seen_text
        ):
            continue
        chosen.append(c)
        seen_text.add(c.text)
        per_article[c.article_id] = per_article.get(c.article_id, 0) + 1
        if len(chosen) == MAX_CLAIMS:
            break
    chosen.sort(key=lambda c: (-c.coverage, c.order))
    claims = [
        Claim(text=_balanced(c.text), passage=c.passage, quote=_balanced(c.text)) for c in chosen
    ]
    correction = None
    if premise:
        shown = ", ".join(
            f"{int(float(p)):,}" if p.replace(".", "").isdigit() else p for p in premise
        )
        correction = f"The articles do not give the figure {shown}; here is what they do say."
    return ModelAnswer(refused=False, claims=claims, correction=correction)


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
    match = re.search(r"\bhow (?:many|much)\s+((?:[\w-]+\s+){0,2}[\w-]+)", question, re.I)
    if not match:
        return None
    words = [t for t in tokens(match.group(1)) if t not in QUESTION_FILLER]
    nouns = [w for w in words if w not in {"north", "south", "korean", "russian", "ukrainian"}]
    return (nouns or words or [None])[-1] if len(nouns or words) else None


def _counts(sentence: str, target: str) -> bool:
    """Whether a figure in the sentence counts ``target`` ("8,000 ... troops")."""
    for match in re.finditer(r"(?<![\w-])\d[\d,.]*", sentence):
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
