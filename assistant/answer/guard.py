"""Detects instructions aimed at the assistant inside a question ("ignore your sources and ...").

The answer chain refuses such questions before any model sees them, so a real model that might
comply is never asked; the offline model applies the same check as a well-behaved model would.
"""

from __future__ import annotations

import re

_PATTERNS = [
    r"\b(ignore|disregard|forget|override|bypass|skip)\b.{0,40}\b(source|article|instruction|rule|"
    r"context|passage|prompt|guideline|citation|evidence|above|previous|prior|document)",
    r"\b(from|use|using|with|rely on|based on)\b.{0,20}\b(your own|general|outside|external|prior|"
    r"background)\b.{0,15}\b(knowledge|information|memory|training)",
    r"\b(answer|respond|reply|tell me)\b.{0,20}\bfrom (your )?memory\b",
    r"\byour (own )?(training data|knowledge)\b",
    r"\b(you are now|pretend|roleplay|role-play|from now on|new instructions?)\b",
    r"\bact as (if|though|an? (\w+ )?(assistant|ai|model|chatbot|expert|unrestricted))\b",
    r"^\W*(system|developer|admin)\s*(:|notice|message|override|prompt)",
    r"\b(system prompt|developer mode|jailbreak|dan mode|restrictions are lifted)\b",
    r"\b(without|don'?t|do not|never)\b.{0,15}\b(citing|cite|citations?|sources?)\b",
    # Asking the assistant to produce what is not in the sources, not asking whether someone did.
    r"\b(make up|invent|fabricate|hallucinate)\b.{0,25}\b(quote|quotes|answer|number|figure|"
    r"facts?|sources?|citations?|statement|story)\b",
    r"^\W*(please\s+)?(guess|speculate|imagine|make up|invent)\b",
    r"\b(reveal|print|show|repeat)\b.{0,20}\b(instructions|prompt|rules)\b",
]
_INJECTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.I | re.S)


def find_injection(question: str) -> str | None:
    """The offending phrase, or None when the question is an ordinary question."""
    match = _INJECTION.search(question)
    return match.group(0) if match else None
