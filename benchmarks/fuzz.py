"""A long fuzzing run of the normaliser's promises (the CI runs a bounded number in tests/test_properties.py).

    python benchmarks/fuzz.py                  # 10 minutes
    python benchmarks/fuzz.py --minutes 60
    python benchmarks/fuzz.py --examples 5000  # one batch of exactly this many

The properties are those of ``tests/test_properties.py`` (documented errors only,
schema-valid trees, no visible word lost, nothing from scripts): the same
strategies, many more examples, fresh random seeds batch after batch. A failure
prints Hypothesis' smallest falsifying example and exits 1; add it to
``tests/hostile/`` or as an explicit test when it is fixed.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import test_properties as properties  # noqa: E402


def batch(examples: int) -> None:
    """One Hypothesis run of ``examples`` generated documents, plus arbitrary text and bytes."""
    common = dict(deadline=None, database=None, suppress_health_check=list(HealthCheck))

    def document_case(markup: str) -> None:  # a fresh function per batch: settings attach to it
        properties.check(markup)

    given(properties.documents)(settings(max_examples=examples, **common)(document_case))()

    def text_case(markup: str) -> None:
        properties.test_any_text_at_all.hypothesis.inner_test(markup)

    def bytes_case(data: bytes) -> None:
        properties.test_any_bytes_at_all.hypothesis.inner_test(data)

    given(st.text(max_size=2000))(settings(max_examples=examples // 5, **common)(text_case))()
    given(st.binary(max_size=2000))(settings(max_examples=examples // 5, **common)(bytes_case))()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="keep running batches this long")
    parser.add_argument("--examples", type=int, default=0, help="run one batch of exactly this many, then stop")
    parser.add_argument("--batch", type=int, default=1000, help="examples per batch (default 1000)")
    args = parser.parse_args()
    started = time.monotonic()
    if args.examples:
        batch(args.examples)
        print(f"{args.examples} examples passed in {time.monotonic() - started:.0f} s")
        return 0
    done = 0
    while time.monotonic() - started < args.minutes * 60:
        batch(args.batch)
        done += args.batch
        print(f"{done} examples passed ({time.monotonic() - started:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
