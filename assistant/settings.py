"""Every tunable of the assistant in one pydantic-settings model.

Values come from (highest first) keyword arguments, ``ASSISTANT_*`` environment variables, a
``.env`` file in the working directory, then the defaults below. The OpenAI variables keep their
conventional names (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``) so existing shells just work.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal, Self

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A source checkout (editable install, `make run`) keeps its top-level folders; an installed
# package (`pip install .`) carries copies of them as package data (see setup.py).
SOURCE_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()


def data_path(name: str) -> Path:
    """``prompts``, ``seeds`` or ``eval``: the checkout's folder, or the installed copy."""
    if SOURCE_CHECKOUT and (PROJECT_ROOT / name).is_dir():
        return PROJECT_ROOT / name
    return Path(str(files("assistant") / "data" / name))


def default_store() -> Path:
    """``vectorstore/`` beside the checkout, else in the working directory."""
    return PROJECT_ROOT / "vectorstore" if SOURCE_CHECKOUT else Path.cwd() / "vectorstore"


OFFLINE_MODEL = "offline"
LOCAL_EMBEDDINGS = "local-minilm"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_file=".env", extra="ignore", populate_by_name=True
    )

    # Where things live.
    seeds_dir: Path = Field(default_factory=lambda: data_path("seeds"))
    prompts_dir: Path = Field(default_factory=lambda: data_path("prompts"))
    vectorstore_dir: Path = Field(default_factory=default_store)
    catalog_file: str = "catalog.toml"
    uploads_dir: Path | None = None  # where the web UI keeps uploaded articles; default below
    max_upload_bytes: int = Field(1_000_000, ge=1_000)

    # Web UI: optional basic auth as "user:password".
    ui_auth: SecretStr | None = None

    # Chroma client/server mode: set a host to use `chroma run` instead of on-disk storage.
    chroma_host: str | None = None
    chroma_port: int = 8000
    collection_prefix: str = "articles"
    store_timeout_s: float = Field(30.0, gt=0)  # every call to a Chroma server

    # Ingest: passages embedded and swapped live per group; superseded versions kept this long
    # for answers in flight; a server-mode ingest's leftovers reclaimed once no heartbeat
    # refreshed them for orphan_age_s (a live ingest refreshes them every fifth of that).
    ingest_batch_passages: int = Field(256, ge=1)
    gc_grace_s: float = Field(600.0, ge=0)
    orphan_age_s: float = Field(300.0, ge=0)
    sentence_vectors: bool = True  # store each sentence's vector for the offline engine

    # Splitting.
    chunk_tokens: int = Field(160, ge=32, le=1000)
    chunk_overlap_tokens: int = Field(32, ge=0, le=500)

    # Retrieval.
    top_k: int = Field(6, ge=1, le=50)
    candidate_k: int = Field(20, ge=1, le=200)
    rrf_k: int = Field(60, ge=1)

    # Prompting and input limits.
    max_question_tokens: int = Field(200, ge=8)
    context_token_budget: int = Field(3000, ge=200)

    # Models. "offline" is the deterministic local answer model; anything else is an OpenAI name.
    model: str = OFFLINE_MODEL
    embedding_model: str = LOCAL_EMBEDDINGS
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("OPENAI_API_KEY", "ASSISTANT_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        None, validation_alias=AliasChoices("OPENAI_BASE_URL", "ASSISTANT_OPENAI_BASE_URL")
    )
    openai_model: str = "gpt-4o-mini"
    structured_output_method: Literal["json_schema", "function_calling"] = "json_schema"
    temperature: float = 0.0
    request_timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(2, ge=0)
    model_context_tokens: int | None = Field(None, ge=256)  # context window of a served model
    # A second, cheap entailment call per answer that drops claims its cited sentences do not
    # state (real models only); the judge defaults to the answering model.
    answer_judge: bool = False
    judge_model: str | None = None

    @model_validator(mode="after")
    def _overlap_below_chunk(self) -> Self:
        if self.chunk_overlap_tokens >= self.chunk_tokens:
            raise ValueError(
                f"chunk_overlap_tokens ({self.chunk_overlap_tokens}) must be smaller than "
                f"chunk_tokens ({self.chunk_tokens}); lower ASSISTANT_CHUNK_OVERLAP_TOKENS"
            )
        return self

    def resolved_uploads_dir(self) -> Path:
        return self.uploads_dir or self.vectorstore_dir / "uploads"

    def resolved_model(self) -> str:
        """The chat model to use: an explicit choice wins, else OpenAI when a key is present."""
        if self.model != OFFLINE_MODEL:
            return self.model
        if self.openai_api_key is not None and "model" not in self.model_fields_set:
            return self.openai_model
        return OFFLINE_MODEL
