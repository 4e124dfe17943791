"""Rewriting a follow-up question into one that stands on its own, offline.

Only a real follow-up is rewritten: one with a pronoun that points back ("how far did IT fly?",
"where was HE working?") or an ellipsis ("what about Woody?"). Any other question is returned
exactly as asked, so it gets the same answer it would get asked first. The rewrite is a natural
question: the pronoun is replaced by what it refers to, which is most often the thing the
assistant just named ("Debian 10 Buster") or else the name the previous question asked about.
"""

from __future__ import annotations

import re

from assistant.answer.prompts import CONDENSE_MARKER
from assistant.text import STOPWORDS, date_spans

_POSSESSIVE = {"its": "it", "their": "they", "his": "he", "her": "she"}
_PRONOUN = re.compile(r"\b(it|its|they|them|their|he|him|his|she|her|there)\b", re.I)
_DEMONSTRATIVE = re.compile(r"\b(this|that|these|those)\b(?=\s*(?:[?.!,]|$))", re.I)
_ELLIPSIS = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(.+?)\s*\??$", re.I)
_LEAD = re.compile(r"^\s*(?:and|but|so|ok(?:ay)?|right|also)\b[\s,.]*", re.I)
_CAP = r"(?:[A-Z0-9][\w’'.-]*[\w]|[A-Z0-9])"
_NAME = re.compile(rf"{_CAP}(?:\s+(?:(?:of|de|the|von|van|du)\s+)?{_CAP})*")
_REFUSAL = re.compile(r"^(?:the articles do not|this question asks|i can only)", re.I)
_PERSON_Q = re.compile(r"^\s*(?:who|whom)\b", re.I)
_ASKS_NAME = re.compile(r"^\s*(?:who|whom|which|what)\b", re.I)


def needs_context(question: str) -> bool:
    """Whether the question points back into the conversation (a pronoun or an ellipsis)."""
    body = _LEAD.sub("", question)
    if _ELLIPSIS.match(body):
        return True
    pronouns = {m.group(1).lower() for m in _PRONOUN.finditer(body)} - {"there"}
    return bool(pronouns or _DEMONSTRATIVE.search(body))


def standalone(question: str, history: list[tuple[str, str]]) -> str:
    """``question`` made standalone with the conversation (unchanged if it already is)."""
    if not history or not needs_context(question):
        return question
    users = [text for role, text in history if role == "user"]
    answers = [text for role, text in history if role == "assistant"]
    previous = users[-1] if users else ""
    body = _LEAD.sub("", question).strip()
    if ellipsis := _ELLIPSIS.match(body):
        return _swap_subject(previous, ellipsis.group(1)) if previous else question
    answer = _strip_markers(answers[-1]) if answers else ""
    referent = _referent(previous, answer)
    if not referent:
        return question
    rewritten = _PRONOUN.sub(lambda m: _replace(m, referent), body, count=1)
    if rewritten == body:
        rewritten = _DEMONSTRATIVE.sub(referent, body, count=1)
    return rewritten[:1].upper() + rewritten[1:]


def _replace(match: re.Match[str], referent: str) -> str:
    word = match.group(1).lower()
    if word in _POSSESSIVE and word != "her":
        return f"{referent}'s" if not referent.endswith("s") else f"{referent}'"
    if word == "there":
        return match.group(0)
    return referent


def _referent(previous: str, answer: str) -> str:
    """What "it"/"he" points to: the name the assistant answered with, else the one asked about."""
    person = _PERSON_Q.match(previous) is not None
    asked = [n for n in _names(previous) if not person or " " in n]
    # "Which release…?" / "Who…?" is answered by a name: that name is what "it"/"he" means.
    # Otherwise the user was asking about something they named themselves.
    if answer and not _REFUSAL.match(answer) and (_ASKS_NAME.match(previous) or not asked):
        name = _first_name(answer)
        if name:
            return name
    # The last name the question used is most often its object ("…repair the bridge?").
    things = [n for n in asked if not date_spans(n)]
    return things[-1] if things else ""


def _first_name(text: str) -> str:
    names = _names(text, allow_first=True)
    return names[0] if names else ""


def _names(text: str, allow_first: bool = False) -> list[str]:
    """Capitalised runs ("Debian 10 Buster", "Bruce Perens"), minus leading function words."""
    out = []
    for match in _NAME.finditer(text):
        words = match.group(0).split()
        while words and words[0].lower() in STOPWORDS:
            words = words[1:]
        if not words or (match.start() == 0 and not allow_first and len(words) < 2):
            continue
        if all(w[0].isdigit() for w in words):
            continue  # a bare figure is not a name
        out.append(" ".join(words).rstrip(".,"))
    return out


def _swap_subject(previous: str, new: str) -> str:
    """ "What about Woody?" after "How many packages did Slink have?" → the same about Woody."""
    names = _names(previous)
    new = new.strip(" ?")
    if names:
        return previous.replace(max(names, key=len), new, 1)
    return f"{previous.rstrip(' ?')} ({new})?"


def _strip_markers(text: str) -> str:
    return re.sub(r"\s*\[\d+\]", "", text).strip()


def condense(prompt: str) -> str:
    """The condense prompt's answer: the latest question made standalone."""
    question = prompt.rsplit(CONDENSE_MARKER, 1)[-1].strip()
    conversation = prompt.split("<conversation>", 1)[-1].split("</conversation>", 1)[0]
    history: list[tuple[str, str]] = []
    for line in conversation.splitlines():
        role, _, text = line.partition(":")
        if role.strip().lower() in {"user", "assistant"} and text.strip():
            history.append((role.strip().lower(), text.strip()))
        elif history and line.strip():
            role, old = history[-1]
            history[-1] = (role, f"{old} {line.strip()}")
    return standalone(question, history)
