"""Check the eval corpora: documents, question cases and claims (no answer engine involved).

Usage: python eval/corpora/check_cases.py   (from the repository root or anywhere)

For every corpus folder under eval/corpora/ (and for the seed claims in eval/claims.jsonl):
- documents: id pattern, UTF-8, 250-1,200 words, a first-line title;
- cases.jsonl: schema (via assistant.evaluation.cases.Case), every key fact and conflict
  side matched (re.I) in its gold articles, >= 1/3 unanswerable, no question copying 8+ words
  of a document verbatim;
- claims.jsonl: schema (via assistant.evaluation.claims.ClaimCase), every evidence regex matched in at least one gold article and
  every gold article matched by at least one evidence regex.
Exits non-zero on any error.
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from assistant.evaluation.cases import Case, parse_model  # noqa: E402
from assistant.evaluation.claims import ClaimCase  # noqa: E402

errors: list[str] = []


def load_docs(folder: Path) -> dict[str, str]:
    docs = {}
    for p in sorted(folder.iterdir()):
        if p.suffix not in (".txt", ".md"):
            continue
        if not re.fullmatch(r"[a-z0-9_-]+", p.stem):
            errors.append(f"{p}: bad id")
        text = p.read_text(encoding="utf-8")
        docs[p.stem] = text
    return docs


def check_docs(name: str, docs: dict[str, str], limits: bool = True) -> None:
    for doc_id, text in docs.items():
        n = len(text.split())
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        if limits and not 250 <= n <= 1200:
            errors.append(f"{name}/{doc_id}: {n} words (want 250-1,200)")
        if not first or len(first.split()) > 30:
            errors.append(f"{name}/{doc_id}: first line is not a title: {first[:60]!r}")


def ngrams(text: str, n: int = 8) -> set[tuple[str, ...]]:
    w = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def rows(path: Path, label: str, model: type, noun: str) -> Iterator[tuple[str, Any]]:
    """Each line as the package's own model; bad JSON, schema errors and repeated ids are
    collected in ``errors`` (not raised), so one run lists every problem in the file."""
    seen = set()
    for line_no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        where = f"{label} line {line_no}"
        try:
            item = parse_model(model, json.loads(raw), where, noun)
        except Exception as exc:  # noqa: BLE001
            errors.append(str(exc))
            continue
        if item.id in seen:
            errors.append(f"{where}: duplicate id {item.id}")
        seen.add(item.id)
        yield f"{where} ({item.id})", item


def check_cases(name: str, path: Path, docs: dict[str, str]) -> Counter:
    kinds: Counter = Counter()
    doc_grams = set().union(*(ngrams(t) for t in docs.values()))
    unanswerable = 0
    for where, case in rows(path, f"{name}/cases.jsonl", Case, "case"):
        kinds[case.kind] += 1
        unanswerable += not case.answerable
        for a in case.gold_articles:
            if a not in docs:
                errors.append(f"{where}: unknown gold article {a}")
        golds = [docs[a] for a in case.gold_articles if a in docs]
        for pat in case.key_facts:
            if not any(re.search(pat, t, re.I) for t in golds):
                errors.append(f"{where}: key fact {pat!r} in no gold article")
        for side in case.sides:
            for a in side.articles:
                if a in docs and not re.search(side.pattern, docs[a], re.I):
                    errors.append(f"{where}: side {side.pattern!r} not in {a}")
        if ngrams(case.question) & doc_grams:
            errors.append(f"{where}: question copies 8+ words from a document")
    total = sum(kinds.values())
    if unanswerable * 3 < total:
        errors.append(f"{name}: only {unanswerable}/{total} unanswerable (want >= 1/3)")
    kinds["(unanswerable)"] = unanswerable
    return kinds


def check_claims(name: str, path: Path, docs: dict[str, str]) -> Counter:
    verdicts: Counter = Counter()
    for where, c in rows(path, name, ClaimCase, "claim"):
        verdicts[c.verdict] += 1
        gold, ev = c.gold_articles, c.evidence
        if c.verdict == "conflicting" and len(set(gold)) < 2:
            errors.append(f"{where}: conflicting needs 2+ gold articles")
        for a in gold:
            if a not in docs:
                errors.append(f"{where}: unknown gold article {a}")
        texts = {a: docs[a] for a in gold if a in docs}
        for pat in ev:
            if not any(re.search(pat, t, re.I) for t in texts.values()):
                errors.append(f"{where}: evidence {pat!r} in no gold article")
        for a, t in texts.items():
            if not any(re.search(p, t, re.I) for p in ev):
                errors.append(f"{where}: gold article {a} matched by no evidence regex")
    return verdicts


def main() -> int:
    seeds = load_docs(ROOT / "seeds")
    print("seeds: eval/claims.jsonl", dict(check_claims("eval/claims.jsonl", ROOT / "eval/claims.jsonl", seeds)))
    for folder in sorted(p for p in Path(__file__).parent.iterdir() if p.is_dir()):
        docs = load_docs(folder / "articles")
        check_docs(folder.name, docs)
        print(f"{folder.name}: {len(docs)} documents")
        if (folder / "cases.jsonl").exists():
            print("  cases", dict(check_cases(folder.name, folder / "cases.jsonl", docs)))
        if (folder / "claims.jsonl").exists():
            print("  claims", dict(check_claims(folder.name, folder / "claims.jsonl", docs)))
    for e in errors:
        print("ERROR:", e)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
