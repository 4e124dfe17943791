"""Detects instructions aimed at the assistant inside a question ("ignore your sources and ...").

The answer chain refuses such questions before any model sees them, so a real model that might
comply is never asked; the offline model applies the same check as a well-behaved model would.
This is a first line only: the real guarantee is structural (every claim must quote an article
and the verifier checks the quote), so an instruction that slips past here still cannot put
words in the articles' mouths.

Obfuscation is undone before matching, with general Unicode and writing facts, never with
phrases from the corpus: NFKC folds fullwidth and other compatibility forms ("ｉｇｎｏｒｅ"),
invisible format characters are dropped (zero-width spaces, soft hyphens, bidi marks), letters
that look Latin in Cyrillic and Greek are read as Latin ("іgnоrе" with Cyrillic і and о), words
spelled with digits are read as letters ("1gn0re"), and letters spaced or dotted apart
("i g n o r e") are joined. The phrases are matched in English and in the most widely used
languages (Spanish, French, German, Italian, Portuguese, Russian, Chinese, Japanese, Korean,
Arabic).
"""

from __future__ import annotations

import re
import unicodedata

_ENGLISH = [
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

# The same requests in other languages: "ignore/forget ... instructions/sources/articles/rules",
# "from now on / you are now", "without citing", "from your own knowledge", "system prompt".
_OTHER_LANGUAGES = [
    # Spanish, Portuguese, Italian
    r"\b(ignora\w*|ignore\w*|olvid\w+|descart\w+|esque[cç]\w+|dimentic\w+|omit\w+)\b.{0,40}"
    r"\b(instru[cç]\w+|istruzion\w+|fuentes?|fontes?|font[ei]|art[ií]cul\w+|artigos?|regras?|"
    r"reglas?|regole|contexto|contesto|indicaciones)",
    r"\b(a partir de (ahora|agora)|de ahora en adelante|d'ora in poi|da ora in poi|ahora eres|"
    r"agora voc[eê] [eé]|ora sei)\b",
    r"\b(sin|sem|senza)\s+(citar|cita\w*|fuentes|fontes|fonti)\b",
    r"\b(tu|seu|teu|tuo|tua|sua)s?\s+(propi\w+\s+|pr[oó]pri\w+\s+)?(conocimientos?|conhecimentos?|"
    r"conoscenz\w+|memoria|mem[oó]ria)\b",
    # French
    r"\b(ignor\w*|oubli\w*|n[eé]glig\w*)\b.{0,40}\b(instructions?|sources?|articles?|r[eè]gles?|"
    r"consignes?|contexte)\b",
    r"\b([àa] partir de maintenant|d[ée]sormais tu|tu es maintenant|vous [eê]tes maintenant)\b",
    r"\bsans (citer|citation|sources?)\b",
    r"\b(tes|vos) (propres )?connaissances\b",
    # German
    r"\b(ignorier\w*|vergiss|vergessen|missacht\w*|[uü]bergeh\w*)\b.{0,40}\b(anweisung\w*|quelle\w*|"
    r"artikel\w*|regel\w*|kontext|vorgabe\w*|instruktion\w*)",
    r"\b(ab jetzt|von nun an|ab sofort) (bist|antwortest|sagst)\b|\bdu bist (jetzt|nun)\b",
    r"\bohne (quellen|zu zitieren|zitat\w*|belege?)\b",
    r"\b(deinem|ihrem) (eigenen )?wissen\b",
    # Russian (and other Cyrillic-script languages sharing the roots)
    r"(игнорир\w*|проигнорир\w*|забуд\w*|забыть|не обращай\w* внимани\w*|отбрось\w*).{0,40}"
    r"(инструкци\w*|источник\w*|стать\w*|правил\w*|контекст\w*|указани\w*)",
    r"(теперь ты|отныне ты|с этого момента)",
    r"без (ссыл\w+|цитир\w+|источник\w+)",
    r"(сво\w+|собственн\w+) знани\w*",
    # Chinese (simplified and traditional)
    r"(忽略|忽視|忽视|无视|無視|忘记|忘記|忘掉|不要理会|不要理會|不管).{0,12}"
    r"(指令|指示|说明|說明|来源|來源|文章|规则|規則|上下文|资料|資料|提示)",
    r"(现在你是|現在你是|从现在开始|從現在開始|从现在起|從現在起)",
    r"(不要|不用|无需|無需|不必)(引用|注明出处|註明出處|来源|來源)",
    r"(你自己的|你的)(知识|知識|记忆|記憶)",
    r"(系统提示|系統提示)",
    # Japanese
    r"(無視|忘れ).{0,12}(指示|ソース|記事|ルール|出典|文脈|プロンプト)"
    r"|(指示|ソース|記事|ルール|出典|文脈|プロンプト).{0,12}(無視|忘れ)",
    r"(今から|これから)(あなたは|君は|お前は)",
    r"(出典|引用)(なし|無し|せず)",
    r"(システムプロンプト)",
    # Korean
    r"(지시|지침|출처|기사|규칙|문맥|프롬프트)\S*\s*.{0,12}(무시|잊어|잊고)",
    r"(무시|잊어|잊고).{0,12}(지시|지침|출처|기사|규칙|문맥|프롬프트)",
    r"(이제부터|지금부터)\s*(너는|당신은|넌)",
    r"(출처|인용)\s*(없이)",
    r"(시스템 프롬프트)",
    # Arabic
    r"(تجاهل|انس|إنس|اِنس).{0,40}(التعليمات|المصادر|المقالات|القواعد|السياق)",
    r"(من الآن فصاعدا|أنت الآن)",
    r"بدون (مصادر|استشهاد|اقتباس)",
]

_INJECTION = re.compile("|".join(f"(?:{p})" for p in _ENGLISH + _OTHER_LANGUAGES), re.I | re.S)

# Cyrillic and Greek letters drawn like Latin ones (Unicode's confusables for these scripts).
_CONFUSABLES = str.maketrans(
    "аАВеЕһкКмМнНоОрРсСтТуУхХіІјЈѕЅԁԛԜԝɡ"  # Cyrillic
    "αΑβΒεΕηΗιΙκΚμΜνΝοΟρΡτΤυΥχΧζΖ",  # Greek
    "aABeEhkKmMHHoOpPcCTTyYxXiIjJsSdqWwgaABBeEnHiIkKuMvNoOpPtTuYxXzZ",
)
# Digits and symbols used as letters, read only inside words that also have letters.
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
    }
)
_LEET_WORD = re.compile(r"(?=[\w@$!|]*[a-z])(?=[\w@$!|]*[0-9@$!|])[\w@$!|]+", re.I)
# Three or more single letters separated by spaces, dots, dashes, underscores or asterisks.
_SPACED = re.compile(r"(?<!\w)(?:\w[ .\-_*·]{1,2}){2,}\w(?!\w)")


def _visible(text: str) -> str:
    """NFKC, without invisible format characters (zero-width, soft hyphen, bidi controls)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _join_spaced(text: str) -> str:
    """ "i g n o r e  y o u r" → "ignore your": letters are joined, wider gaps stay spaces."""

    def join(match: re.Match[str]) -> str:
        return re.sub(r"[ .\-_*·]", "", match.group(0))

    return _SPACED.sub(join, re.sub(r"(\w) {2,}(?=\w)", r"\1 | ", text)).replace(" | ", " ")


def readings(question: str) -> list[str]:
    """The question as written, then with each kind of obfuscation undone."""
    base = _visible(question)
    latin = base.translate(_CONFUSABLES)
    unleet = _LEET_WORD.sub(lambda m: m.group(0).translate(_LEET), latin)
    joined = _join_spaced(unleet)
    return list(dict.fromkeys([base, latin, unleet, joined]))


# For letters spaced apart without wider gaps between words ("i g n o r e y o u r s o u r c e s"):
# the joined letters have no word boundaries left, so the core request is matched inside them.
_COMPACT = re.compile(
    r"(ignore|disregard|forget|override|bypass)\w{0,30}(source|article|instruction|rule|context|"
    r"prompt|previous|citation)|(youarenow|fromnowon|systemprompt|developermode|jailbreak)",
    re.I,
)


def find_injection(question: str) -> str | None:
    """The offending phrase, or None when the question is an ordinary question."""
    texts = readings(question)
    for text in texts:
        match = _INJECTION.search(text)
        if match:
            return match.group(0)
    if _SPACED.search(texts[-1] if len(texts) == 1 else texts[-2]):
        compact = re.sub(r"\W|_", "", texts[-1])
        if match := _COMPACT.search(compact):
            return match.group(0)
    return None
