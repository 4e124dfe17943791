"""Cutting articles into passages sized in tiktoken tokens, keeping exact character offsets.

LangChain's ``RecursiveCharacterTextSplitter`` does the cutting (paragraphs, then sentences,
then words); we run it on each block of article text between boilerplate lines, so a passage
never spans a credit or tweet link, and ``article.text[start:end] == passage.text`` always holds.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def make_splitter(chunk_tokens: int, overlap_tokens: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter.from_tiktoken_encoder(
        encoding_name=OFFLINE_ENCODING,
        chunk_size=chunk_tokens,
        chunk_overlap=min(overlap_tokens, chunk_tokens // 2),
        separators=["\n\n", "\n", SENTENCE_END, "; ", ", ", " ", ""],
        is_separator_regex=True,
        keep_separator="end",
        add_start_index=True,
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
        for doc in splitter.create_documents([block]):
            chunk = doc.page_content
            offset = doc.metadata.get("start_index", -1)
            if offset < 0 or block[offset : offset + len(chunk)] != chunk:
                offset = block.find(chunk, search_from)
            if offset < 0:  # cannot happen with strip_whitespace; guard the invariant anyway
                raise ValueError(f"splitter produced text not found in {article.article_id}")
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
