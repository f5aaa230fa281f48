"""What structure repair buys on whole saved pages, and that it costs no article words.

For every page of the shared corpus, the raw ``source.html`` is normalised
with and without the source repairs (noscript images, share/related boxes,
layout tables, image wrappers), and its words are compared with the article
(``expected.html``): recall (article words kept, must stay 1.0 where it was)
and precision (share of the edition's words that are the article's).

    python benchmarks/repair.py [CORPUS_DIR]
"""
from __future__ import annotations

import copy
import re
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

import lxml.html

from exporter.normalise import normalise, passes
from exporter.tree import INLINES, text_of

from inputs import CORPUS  # noqa: E402  (benchmarks/ is on the path when a script runs)
#: The passes measured: the source repairs of :mod:`exporter.normalise.repair`.
SOURCE_REPAIRS = ("use-noscript-images", "drop-boxes", "unwrap-layout-tables", "wrap-figures")
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+")


def words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def article_words(page: Path) -> Counter[str]:
    doc = lxml.html.fromstring(page.joinpath("expected.html").read_bytes(),
                               parser=lxml.html.HTMLParser(encoding="utf-8"))
    for bad in doc.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    return words(doc.text_content())


def edition_words(page: Path) -> Counter[str]:
    tree = copy.deepcopy(normalise(page.joinpath("source.html").read_bytes(), origin=page.name).tree)
    for el in tree.iter():
        if el.tag not in INLINES:  # blocks apart, as an edition prints them
            el.text, el.tail = " " + (el.text or ""), " " + (el.tail or "")
    return words(text_of(tree))


def overlap(a: Counter[str], b: Counter[str]) -> float:
    """Share of ``a``'s words also in ``b`` (multiset)."""
    total = sum(a.values())
    return 1.0 if not total else sum(min(n, b[w]) for w, n in a.items()) / total


def main(corpus: Path = CORPUS) -> int:
    everything = passes.PASSES
    without = tuple(step for step in everything if step.name not in SOURCE_REPAIRS)
    rows = []
    started = time.perf_counter()
    for page in sorted(p for p in corpus.iterdir() if (p / "source.html").is_file()):
        article = article_words(page)
        figures = []
        for table in (everything, without):
            passes.PASSES = table
            try:
                edition = edition_words(page)
            finally:
                passes.PASSES = everything
            figures.append((overlap(article, edition), overlap(edition, article)))
        rows.append((page.name, *figures))
    print(f"{'page':24} {'recall':>7} {'before':>7}   {'precision':>9} {'before':>7}")
    for name, (recall, precision), (recall0, precision0) in rows:
        print(f"{name:24} {recall:7.3f} {recall0:7.3f}   {precision:9.3f} {precision0:7.3f}")
    n = len(rows)
    mean = [sum(r[k][j] for r in rows) / n for k in (1, 2) for j in (0, 1)]
    print(f"{'mean':24} {mean[0]:7.3f} {mean[2]:7.3f}   {mean[1]:9.3f} {mean[3]:7.3f}")
    lost = [r[0] for r in rows if r[1][0] < r[2][0] - 1e-9]
    print(f"{n} pages in {time.perf_counter() - started:.1f} s; pages where repairs lost article words: "
          f"{', '.join(lost) or 'none'}")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS))
