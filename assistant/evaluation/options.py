"""What every ``assistant eval`` run is asked for, whichever set it runs (cases or claims).

The answer eval and the claim eval take the same run options (model, limit, report folder, the
threshold gate, JSON output); one frozen value carries them, so the two runners cannot drift
apart in what an option means.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.settings import Settings

SEED_CORPUS = "seeds"


@dataclass(frozen=True)
class RunOptions:
    """The options of one eval run, as given on the command line."""

    model: str | None
    limit: int | None
    out: Path | None
    check: bool
    thresholds_path: Path
    write_thresholds: bool
    as_json: bool


def corpus_settings(settings: Settings, corpus: str, articles: Path) -> Settings:
    """``settings`` pointed at a corpus's own eval store.

    An eval set is written for its corpus: it runs on exactly those articles, in an index of its
    own, so articles a user has ingested or uploaded never change the figures.
    """
    suffix = "eval" if corpus == SEED_CORPUS else f"eval-{corpus}"
    return settings.model_copy(
        update={
            "seeds_dir": articles,
            "vectorstore_dir": settings.vectorstore_dir / suffix,
            "collection_prefix": f"{settings.collection_prefix}-{suffix}",
        }
    )
