"""A non-editable install (``pip install .``) answers from any directory.

The wheel carries the prompts, the seed corpus (with its catalog) and the eval set as package
data; nothing is looked up relative to the source checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import PROJECT_ROOT

from conftest import copy_seeded_store

pytestmark = pytest.mark.package

PROBE = """
import json, assistant
from assistant import FactChecker
from assistant.settings import Settings
from assistant.evaluation.cli import DEFAULT_CASES
s = Settings()
answer = FactChecker().ask("How far did the missile fly?")
print(json.dumps({
    "module": assistant.__file__, "seeds": str(s.seeds_dir), "prompts": str(s.prompts_dir),
    "store": str(s.vectorstore_dir), "cases": DEFAULT_CASES.is_file(),
    "catalog": (s.seeds_dir / "catalog.toml").is_file(),
    "seed_files": len(list(s.seeds_dir.glob("*.txt"))),
    "refused": answer.refused, "citations": len(answer.citations),
}))
"""


def test_an_installed_wheel_answers_from_another_directory(
    seeded_store: Path, tmp_path: Path
) -> None:
    target = tmp_path / "site"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), "."],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # The seed index is copied in (building it is the embedding model's time, tested elsewhere).
    store, _ = copy_seeded_store(seeded_store, elsewhere, name="vectorstore")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_"))}
    env["PYTHONPATH"] = str(target)
    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    assert found["module"].startswith(str(target))
    for key in ("seeds", "prompts"):
        assert found[key].startswith(str(target / "assistant" / "data"))
    assert found["store"] == str(store)  # vectorstore/ in the working directory
    assert found["cases"] and found["catalog"] and found["seed_files"] == 5
    assert not found["refused"] and found["citations"] > 0
