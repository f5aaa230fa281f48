#!/usr/bin/env python3
"""The cost of keeping images inline: lift-inline-images with its verdicts, beside lifting every image.

A paragraph of N formulas (a maths page as Wikipedia marks it up) is converted once; then, on
copies of that tree, the pass as the table runs it (each image judged: figure or inline) and the
lifting alone (every image made a figure, as before inline images existed) are timed, best of a
few rounds, side by side in one run. Judging must stay linear in N: the last column is the time
per image relative to the smallest N.

    python benchmarks/inline_images.py [--sizes 500,2000,8000] [--rounds 3]
"""
from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exporter.normalise import OPTIONS, passes  # noqa: E402
from exporter.normalise.page import pick_content  # noqa: E402
from exporter.normalise.state import State  # noqa: E402
from exporter.normalise.surgery import lift_images  # noqa: E402
from exporter.options import resolve  # noqa: E402
from exporter.read import decode_source, parse_html  # noqa: E402


def converted(count: int) -> State:
    """The state just before lift-inline-images, for a paragraph of ``count`` formulas."""
    body = " ".join(f'Let <span class="mwe-math-element"><img src="f{i}.svg" alt="{{\\displaystyle A_{{{i}}}}}">'
                    f"</span> be the matrix of step {i}, and note it." for i in range(count))
    source = decode_source(f"<html><body><p>{body}</p></body></html>".encode(), origin="bench")
    state = State(page=pick_content(parse_html(source.text, "bench")), settings=resolve(OPTIONS, {}),
                  source=source)
    for step in passes.PASSES:
        if step.name == "lift-inline-images":
            return state
        step.run(state)
    raise AssertionError("no lift-inline-images pass")


def best_of(rounds: int, state: State, run) -> float:
    best = float("inf")
    for _ in range(rounds):
        trial = copy.copy(state)
        trial.tree = copy.deepcopy(state.tree)
        start = time.perf_counter()
        run(trial)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="500,2000,8000")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    judged = passes.named("lift-inline-images").run
    print(f"{'images':>7} {'judged s':>9} {'lift-all s':>10} {'judged/lift-all':>15} {'per image vs first':>18}")
    first = None
    for count in (int(n) for n in args.sizes.split(",")):
        state = converted(count)
        ours = best_of(args.rounds, state, judged)
        lift_all = best_of(args.rounds, state, lambda s: lift_images(s.tree, s.report))
        per_image = ours / count
        first = first or per_image
        print(f"{count:7} {ours:9.3f} {lift_all:10.3f} {ours / lift_all:15.2f} {per_image / first:18.2f}")


if __name__ == "__main__":
    main()
