"""Cutting articles into passages sized in tiktoken tokens, keeping exact character offsets.

LangChain's ``RecursiveCharacterTextSplitter`` does the cutting (paragraphs, then sentences,
then words); we run it on each block of article text between boilerplate lines, so a passage
never spans a credit or tweet link, and ``article.text[start:end] == passage.text`` always holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.store.corpus import Article, content_blocks
from assistant.tokens import OFFLINE_ENCODING

SENTENCE_END = r"(?<=[.!?])[”\"’']?\s+(?=[“\"A-Z0-9(‘'])"


@dataclass(frozen=True)
class Passage:
    article_id: str
    title: str
    start: int
    end: int
    text: str
    index: int
    version: str

    @property
    def passage_id(self) -> str:
        return f"{self.version}#{self.index}"


@lru_cache(maxsize=8)
def make_splitter(chunk_tokens: int, overlap_tokens: int) -> RecursiveCharacterTextSplitter:
    """One splitter per size: building one loads the tiktoken encoding (~9 ms per article)."""
    return RecursiveCharacterTextSplitter.from_tiktoken_encoder(
        encoding_name=OFFLINE_ENCODING,
        chunk_size=chunk_tokens,
        chunk_overlap=min(overlap_tokens, chunk_tokens // 2),
        separators=["\n\n", "\n", SENTENCE_END, "; ", ", ", " ", ""],
        is_separator_regex=True,
        keep_separator="end",
        strip_whitespace=True,
    )


def split_article(
    article: Article, chunk_tokens: int = 160, overlap_tokens: int = 32
) -> list[Passage]:
    splitter = make_splitter(chunk_tokens, overlap_tokens)
    passages: list[Passage] = []
    for block_start, block_end in content_blocks(article.text):
        block = article.text[block_start:block_end]
        search_from = 0
        for chunk in splitter.split_text(block):
            # Chunks come in text order, each starting after the previous one's start. Finding
            # each from there (not LangChain's start_index, which can land on a later copy of a
            # repeated paragraph) places repeated text where it occurs.
            offset = block.find(chunk, search_from)
            if offset < 0:
                offset = block.find(chunk)
            if offset < 0:  # not a substring: cannot happen with strip_whitespace; never abort
                continue
            search_from = offset + 1
            start = block_start + offset
            passages.append(
                Passage(
                    article_id=article.article_id,
                    title=article.title,
                    start=start,
                    end=start + len(chunk),
                    text=chunk,
                    index=len(passages),
                    version=article.version,
                )
            )
    return passages
