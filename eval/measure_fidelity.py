"""Measure issue 9's "Done when" figures through the OpenAI path (no network, no key).

Starts the test suite's fake OpenAI server on 127.0.0.1, indexes the seeds into a temporary
store, and replays every case of eval/fidelity.jsonl as the scripted answer of a model behind
the real ``ChatOpenAI`` client, then prints: distortions shown (must be 0), exactly quoted
faithful claims kept, loosely quoted faithful claims kept, and each case's outcome.

    .venv/bin/python eval/measure_fidelity.py [--stream]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fake_openai import API_KEY, FakeOpenAI, Reply  # noqa: E402

from assistant.evaluation.fidelity import (  # noqa: E402
    fidelity_metrics,
    judge_case,
    load_fidelity_cases,
    scripted_reply,
)
from assistant.factchecker import FactChecker  # noqa: E402
from assistant.settings import Settings  # noqa: E402


def main() -> int:
    stream = "--stream" in sys.argv
    server = FakeOpenAI().start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                vectorstore_dir=Path(folder) / "store",
                seeds_dir=ROOT / "seeds",
                openai_api_key=API_KEY,
                openai_base_url=server.base_url,
                model="gpt-4o-mini",
                max_retries=0,
            )
            fc = FactChecker(settings)
            results = []
            for case in load_fidelity_cases():
                server.script(Reply(respond=lambda prompt, case=case: scripted_reply(case, prompt)))
                if stream:
                    snapshots = list(fc.stream(case.question))
                    shown_anywhere = any(case.claim.rstrip(".") in s.answer for s in snapshots)
                    answer = snapshots[-1]
                else:
                    answer = fc.ask(case.question)
                    shown_anywhere = False
                reached = not (answer.status == "not_in_articles" and not answer.dropped)
                result = judge_case(case, answer, reached, fc.article_text)
                results.append(result)
                print(
                    f"{case.group:10} {case.id:26} shown={result.shown!s:5} "
                    f"status={answer.status:9} {answer.dropped[0].reason if answer.dropped else ''}"
                )
                if shown_anywhere and case.group == "distortion":
                    print(f"  ! {case.id} was shown in a streamed snapshot")
    finally:
        server.stop()
    m = fidelity_metrics(results)
    exact = [r for r in results if r.case.group == "exact" and r.reached]
    loose = [r for r in results if r.case.group == "loose" and r.reached]
    print(f"\ndistortions shown: {m['unsupported_shown']} of {m['distortions']}")
    print(f"exactly quoted faithful claims kept: {sum(r.shown for r in exact)} of {len(exact)}")
    print(f"loosely quoted faithful claims kept: {sum(r.shown for r in loose)} of {len(loose)}")
    print(f"citations valid: {m['citations_valid']}; not reached: {m['not_reached']}")
    return 1 if m["unsupported_shown"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
