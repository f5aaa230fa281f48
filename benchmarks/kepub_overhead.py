#!/usr/bin/env python3
"""What the KEPUB costs on top of the EPUB: seconds for a book as EPUB and as KEPUB, side by side, and the ratio.

The KEPUB writer makes the EPUB edition's files and rewrites its content documents with Kobo's spans
before the one archive is written (exporter/writers/kepub), so the ratio is the price of that pass (parse,
spans, serialise; until session 6 the book was also zipped twice: 1.67-1.74 then, 1.30-1.32 after, at load 10). The book is the seed article (or the bundled sample) repeated as a collection of
``--articles`` articles. Both writers run in this process, alternating, best of ``--rounds``.

    python benchmarks/kepub_overhead.py [--articles 50] [--rounds 3]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from exporter.document import Book  # noqa: E402
from exporter.options import resolve  # noqa: E402
from exporter.pipeline import all_options  # noqa: E402
from exporter.resources import ResourcePolicy  # noqa: E402
from exporter.writers.epub import EpubWriter  # noqa: E402
from exporter.writers.kepub import KepubWriter  # noqa: E402

from inputs import seed_book  # noqa: E402  (benchmarks/ is on the path when a script runs)


def timed(writer: EpubWriter, book: Book, out: Path) -> float:
    settings = resolve(all_options(), {})
    start = time.perf_counter()
    writer.write(book, out, settings, ResourcePolicy())
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    book = seed_book(args.articles)
    best = {"epub": float("inf"), "kepub": float("inf")}
    with tempfile.TemporaryDirectory() as tmp:
        paths = {"epub": Path(tmp) / "b.epub", "kepub": Path(tmp) / "b.kepub.epub"}
        for _ in range(args.rounds):
            best["epub"] = min(best["epub"], timed(EpubWriter(), book, paths["epub"]))
            best["kepub"] = min(best["kepub"], timed(KepubWriter(), book, paths["kepub"]))
        with zipfile.ZipFile(paths["kepub"]) as z:
            spans = sum(z.read(n).count(b'class="koboSpan"') for n in z.namelist() if n.endswith(".xhtml"))
        sizes = {k: p.stat().st_size for k, p in paths.items()}
    print(f"book: {args.articles} articles, {spans} Kobo spans")
    for name in ("epub", "kepub"):
        print(f"{name:6} {best[name]:7.3f} s  {sizes[name] / 1e6:6.2f} MB")
    print(f"ratio KEPUB / EPUB time: {best['kepub'] / best['epub']:.3f}   size: {sizes['kepub'] / sizes['epub']:.3f}")


if __name__ == "__main__":
    main()
