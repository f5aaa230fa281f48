#!/usr/bin/env python3
"""Normaliser throughput over the shared corpus, as a ratio to raw lxml parse + serialise.

Both run in the same process on the same bytes, alternating, best of N rounds, so the ratio holds
whatever the machine's load. Prints MB/s for each and the ratio (how many times slower than the
bare parse our whole normaliser is).

Then the yardstick a user feels: articles normalised per second on one core, and the normaliser's
share of exporting the same articles to EPUB + text in the same process (best of N rounds of each
part, imports and start-up excluded): how much of a batch's time a faster normaliser could save.

    python benchmarks/normalise_throughput.py [--rounds 5] [--corpus ../shared/corpus/readability]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import lxml.html
from lxml import etree

HERE = Path(__file__).resolve().parent
from inputs import CORPUS  # noqa: E402  (benchmarks/ is on the path when a script runs)
sys.path.insert(0, str(HERE.parent))

import exporter  # noqa: E402


def load(corpus: Path) -> list[bytes]:
    files = sorted(corpus.glob("*/expected.html")) + [corpus.parent / "seed" / "article.html"]
    return [f.read_bytes() for f in files if f.is_file()]


def raw_lxml(blobs: list[bytes]) -> None:
    for blob in blobs:
        tree = lxml.html.document_fromstring(blob, parser=lxml.html.HTMLParser(encoding="utf-8"))
        etree.tostring(tree, encoding="unicode")


def ours(blobs: list[bytes], **options) -> None:
    for blob in blobs:
        exporter.normalise(blob, title="Benchmark", language="en", **options).to_xml()


def exported(blobs: list[bytes], out: Path) -> tuple[float, float]:
    """Seconds normalising and seconds writing EPUB + text, over ``blobs`` (each best of its rounds' runs)."""
    from exporter.document import Book
    from exporter.editions import write_book
    from exporter.options import resolve
    from exporter.pipeline import all_options

    settings = resolve(all_options(), {"language": "en", "offline": True})
    normalising = writing = 0.0
    for number, blob in enumerate(blobs):
        start = time.perf_counter()
        doc = exporter.normalise(blob, title="Benchmark", language="en")
        middle = time.perf_counter()
        write_book(Book.of(doc), ["epub", "txt"], out, settings, stem=f"a{number}")
        normalising += middle - start
        writing += time.perf_counter() - middle
    return normalising, writing


def best_of(rounds: int, func, *args, **kwargs) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        func(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    args = ap.parse_args()
    blobs = load(args.corpus)
    size_mb = sum(map(len, blobs)) / 1e6
    ours(blobs[:1])  # warm-up: language model, schema, imports
    raw = best_of(args.rounds, raw_lxml, blobs)
    full = best_of(args.rounds, ours, blobs)
    print(f"corpus: {len(blobs)} articles, {size_mb:.2f} MB, best of {args.rounds} rounds")
    print(f"raw lxml parse+serialise : {size_mb / raw:8.2f} MB/s")
    print(f"exporter.normalise       : {size_mb / full:8.2f} MB/s")
    print(f"ratio (normalise / raw)  : {full / raw:8.2f}x the time of a bare lxml round trip")
    print(f"throughput of raw lxml   : {raw / full:8.3f} (issue 13 target >= 0.10)")
    print(f"articles normalised      : {len(blobs) / full:8.1f} per second on one core")
    with tempfile.TemporaryDirectory(prefix="bench-normalise-") as out:
        exported(blobs[:1], Path(out))  # warm-up: the EPUB stack, fonts
        runs = [exported(blobs, Path(out)) for _ in range(max(1, args.rounds // 2))]
    normalising, writing = min(r[0] for r in runs), min(r[1] for r in runs)
    print(f"share of an EPUB+text export: normalise {normalising:.2f} s, write {writing:.2f} s = "
          f"{normalising / (normalising + writing):.0%} normalising ({len(blobs) / (normalising + writing):.1f} "
          f"articles/s per core end to end)")


if __name__ == "__main__":
    main()
