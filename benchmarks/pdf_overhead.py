#!/usr/bin/env python3
"""Seconds per page of the PDF writer for a ~300-page book, as a ratio to WeasyPrint alone.

The book is the seed article (or the bundled sample) repeated as a collection of
``--articles`` articles: title page, contents with page numbers, running heads,
link footnotes, outline. "Ours" is ``PdfWriter.write`` end to end (building the
HTML, laying out, writing a tagged PDF); "WeasyPrint alone" renders the very
HTML and CSS our writer produced, with WeasyPrint's own defaults for fetching and
the same PDF options, so the ratio is our overhead on top of the layout engine.
Both run in this process, alternating, best of ``--rounds``.

    python benchmarks/pdf_overhead.py [--articles 100] [--rounds 2]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from exporter.document import Book  # noqa: E402
from exporter.options import resolve  # noqa: E402
from exporter.resources import ResourcePolicy  # noqa: E402
from exporter.writers.pdf import PdfWriter  # noqa: E402

from inputs import seed_book  # noqa: E402  (benchmarks/ is on the path when a script runs)


def ours(book: Book, out: Path) -> float:
    settings = resolve(PdfWriter.options, {})
    start = time.perf_counter()
    PdfWriter().write(book, out, settings, ResourcePolicy())
    return time.perf_counter() - start


def weasyprint_alone(html: str, css: str, options: dict, out: Path) -> float:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    start = time.perf_counter()
    fonts = FontConfiguration()
    HTML(string=html).write_pdf(str(out), stylesheets=[CSS(string=css, font_config=fonts)], font_config=fonts,
                                **options)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100, help="articles in the book (~3 pages each)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    from pypdf import PdfReader

    book = seed_book(args.articles)
    prepared = PdfWriter().prepare(book, resolve(PdfWriter.options, {}), ResourcePolicy())
    best_ours = best_alone = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "ours.pdf", Path(tmp) / "alone.pdf"
        for _ in range(args.rounds):
            best_ours = min(best_ours, ours(book, a))
            best_alone = min(best_alone, weasyprint_alone(prepared.html, prepared.css, prepared.options, b))
        pages = len(PdfReader(str(a)).pages)
        same = a.read_bytes() == b.read_bytes()
    start = time.perf_counter()
    PdfWriter().prepare(book, resolve(PdfWriter.options, {}), ResourcePolicy())
    building = time.perf_counter() - start
    print(f"book: {args.articles} articles, {pages} pages, {len(prepared.html) / 1e6:.1f} MB of HTML")
    print(f"ours (PdfWriter.write):  {best_ours:7.2f} s  {best_ours / pages * 1000:6.1f} ms/page")
    print(f"WeasyPrint alone:        {best_alone:7.2f} s  {best_alone / pages * 1000:6.1f} ms/page")
    print(f"  of ours, building the HTML: {building:.2f} s")
    print(f"ratio ours / WeasyPrint alone: {best_ours / best_alone:.3f}  (identical bytes: {same})")


if __name__ == "__main__":
    main()
