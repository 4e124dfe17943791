"""Ships the top-level ``prompts/``, ``seeds/`` and ``eval/`` folders inside the wheel.

The folders stay at the top of the repository, where the developers' guide puts them and where a
checkout (``make run``, editable installs) reads them. A built wheel gets copies under
``assistant/data/``, which ``assistant.settings.data_path`` finds through ``importlib.resources``,
so ``pip install .`` answers from any directory. Everything else is in ``pyproject.toml``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA_FOLDERS = ("prompts", "seeds", "eval")
SKIP = shutil.ignore_patterns("reports", "__pycache__", "*.pyc", ".*")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        for name in DATA_FOLDERS:
            target = Path(self.build_lib) / "assistant" / "data" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(root / name, target, ignore=SKIP)


setup(cmdclass={"build_py": BuildWithData})
