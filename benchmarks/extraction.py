#!/usr/bin/env python3
"""Main-content extraction on whole saved pages, scored against the article alone, side by side in one run.

For every page of the shared corpus, ``source.html`` (the whole page: navigation, comments, footers…)
goes through four extractors, and what each keeps is compared with ``expected.html`` (the article):

* ``exporter``     — ``exporter.normalise`` (the clean tree, as every edition gets it);
* ``readability``  — readability-lxml alone (``Document(html).summary()``);
* ``trafilatura``  — trafilatura alone, comments left out, images and tables kept;
* ``all text``     — the naive baseline: every visible text of the page.

The text score is the article-extraction benchmark's: tokens are ``\\w+`` runs; a text becomes its
4-token shingles (a text with fewer tokens, one shingle of them all); true positives are shingles in
both (counted with multiplicity), false positives only in the extraction, false negatives only in the
reference, each divided by their sum; precision and recall are averaged over pages, and F1 is the
harmonic mean of the two averages.

The structure score is how many of the reference's images (matched by file name), headings, list items
and cells of data tables (matched by their tokens; which tables hold data, Readability's own test
says) each extraction keeps, over all pages. The exporter's tree
keeps the title heading in its metadata (writers print it) and footnotes as notes: those count as kept.

    python benchmarks/extraction.py [--split] [--pages] [CORPUS_DIR]

``--split`` also prints the figures for the two halves of the corpus (pages in name order, alternately),
so that a rule tuned on one half is seen on the other; ``--pages`` prints each page's F1.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

import lxml.html
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from inputs import CORPUS  # noqa: E402  (benchmarks/ is on the path when a script runs)

from exporter.normalise import normalise  # noqa: E402
from exporter.read import decode  # noqa: E402

_TOKEN = re.compile(r"\w+")
SHINGLE = 4
#: Elements whose edges separate words (everything else is inline: ``a<b>b</b>`` is one word).
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "img",
    "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul", "center", "doc",
})
_INVISIBLE = ("script", "style", "noscript", "template", "head", "title", "svg")
KINDS = ("images", "headings", "list items", "table cells")  # table cells: of data tables


# --- text ------------------------------------------------------------------------------------------
def visible_text(root: etree._Element) -> str:
    """The text a reader sees in ``root``, block edges as spaces."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag.lower() in _BLOCKS
        if block:
            parts.append(" ")
        if el.text:
            parts.append(el.text)
        for child in el:
            if isinstance(child.tag, str) and child.tag.lower() in _INVISIBLE:
                pass
            else:
                walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append(" ")

    walk(root)
    return "".join(parts)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def shingles(words: list[str]) -> Counter[tuple[str, ...]]:
    if len(words) < SHINGLE:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def precision_recall(ours: list[str], reference: list[str]) -> tuple[float, float]:
    """One page's shingle precision and recall (true, false positives and false negatives over their sum)."""
    got, want = shingles(ours), shingles(reference)
    tp = sum((got & want).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    if not total:
        return 1.0, 1.0
    tp, fp, fn = tp / total, fp / total, fn / total
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


# --- structure -------------------------------------------------------------------------------------
def image_name(src: str | None) -> str | None:
    """An image's file name, the part of its address that survives resolving, proxies and lazy loading."""
    if not src or src.startswith("data:"):
        return src[:80] if src else None
    path = urlsplit(src.strip()).path
    name = unquote(path.rsplit("/", 1)[-1])
    return name or None


def _image_names(img: etree._Element) -> set[str]:
    names = set()
    for key in ("src", "data-src", "data-lazy-src", "data-original"):
        name = image_name(img.get(key))
        if name:
            names.add(name)
    for key in ("srcset", "data-srcset"):
        for candidate in (img.get(key) or "").split(","):
            name = image_name(candidate.strip().split(" ")[0])
            if name:
                names.add(name)
    return names


def is_data_table(table: etree._Element) -> bool:
    """Mozilla Readability's own test (``_isDataTable``): a table of data, not one laying out the page.

    The reference pages are Readability's output, so its definition says which of their tables hold data.
    """
    if (table.get("role") or "").lower() in ("presentation", "none") or table.get("datatable") == "0":
        return False
    if table.get("summary"):
        return True
    caption = table.find("caption")
    if caption is not None and len(caption):
        return True
    if table.xpath(".//*[self::th or self::thead or self::tfoot or self::colgroup or self::col]"):
        return True
    if table.xpath(".//table"):
        return False
    rows = table.xpath("./tr|./*/tr")
    columns = max((sum(int(c.get("colspan") or 1) if (c.get("colspan") or "1").isdigit() else 1
                       for c in row.xpath("./td|./th")) for row in rows), default=0)
    if len(rows) == 1 or columns == 1:
        return False
    return len(rows) >= 10 or columns > 4 or len(rows) * columns > 10


def structure(root: etree._Element, reference: bool = False) -> dict[str, Counter]:
    """The images, headings, list items and table cells of ``root``, as comparable keys.

    In the ``reference``, only cells of data tables count; in an extraction, every cell may match one.
    """
    found: dict[str, Counter] = {kind: Counter() for kind in KINDS}
    for el in root.iter():
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "img":
            names = _image_names(el)
            if names:
                found["images"][min(names)] += 1
                found.setdefault("_image_aliases", Counter()).update(names)
            continue
        note = tag == "aside" and el.get("role") == "doc-footnote"  # a reference list's item, as a note
        kind = ("headings" if tag in ("h1", "h2", "h3", "h4", "h5", "h6") else "list items" if tag == "li" or note
                else "table cells" if tag in ("td", "th") and (not reference or _in_data_table(el))
                else None)
        if kind:
            key = tuple(tokens(visible_text(el)))
            if key:
                found[kind][key] += 1
    return found


def _in_data_table(cell: etree._Element) -> bool:
    table = next(cell.iterancestors("table"), None)
    return table is not None and is_data_table(table)


def kept(reference: dict[str, Counter], ours: dict[str, Counter], title: str | None = None) -> dict[str, tuple[int, int]]:
    """For each kind: (how many of the reference's are in ``ours``, how many the reference has)."""
    result = {}
    for kind in KINDS:
        want = reference[kind]
        have = Counter(ours.get("_image_aliases", Counter())) if kind == "images" else Counter(ours[kind])
        if kind == "headings" and title:  # the title heading lives in the metadata: writers print it
            have[tuple(tokens(title))] += 1
        result[kind] = (sum(min(n, have[key]) for key, n in want.items()), sum(want.values()))
    return result


# --- the extractors --------------------------------------------------------------------------------
@dataclass
class Extraction:
    root: etree._Element
    title: str | None = None


def _html(markup: str) -> etree._Element:
    return lxml.html.document_fromstring(markup) if markup.strip() else lxml.html.fromstring("<div></div>")


def exporter_extract(markup: str, origin: str) -> Extraction:
    doc = normalise(markup, origin=origin)
    return Extraction(doc.tree, doc.metadata.title)


def readability_extract(markup: str, origin: str) -> Extraction:
    from readability import Document

    return Extraction(_html(Document(markup).summary(html_partial=True)))


def trafilatura_extract(markup: str, origin: str) -> Extraction:
    import trafilatura

    out = trafilatura.extract(markup, output_format="html", include_comments=False, include_images=True,
                              include_tables=True, include_formatting=True, include_links=True)
    return Extraction(_html(out or ""))


def all_text(markup: str, origin: str) -> Extraction:
    root = _html(markup)
    body = root.find("body")
    return Extraction(body if body is not None else root)


EXTRACTORS: dict[str, Callable[[str, str], Extraction]] = {
    "exporter": exporter_extract,
    "readability": readability_extract,
    "trafilatura": trafilatura_extract,
    "all text": all_text,
}


# --- the run ---------------------------------------------------------------------------------------
@dataclass
class Score:
    pages: list[tuple[str, float, float]] = field(default_factory=list)
    structure: dict[str, list[int]] = field(default_factory=lambda: {kind: [0, 0] for kind in KINDS})
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    def add(self, name: str, precision: float, recall: float, found: dict[str, tuple[int, int]]) -> None:
        self.pages.append((name, precision, recall))
        for kind, (hit, total) in found.items():
            self.structure[kind][0] += hit
            self.structure[kind][1] += total

    def figures(self, names: set[str] | None = None) -> tuple[float, float, float]:
        rows = [r for r in self.pages if names is None or r[0] in names]
        if not rows:
            return 0.0, 0.0, 0.0
        p = sum(r[1] for r in rows) / len(rows)
        r = sum(r[2] for r in rows) / len(rows)
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def reference_of(page: Path) -> tuple[list[str], dict[str, Counter]]:
    root = _html(decode(page.joinpath("expected.html").read_bytes())[0])
    return tokens(visible_text(root)), structure(root, reference=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--split", action="store_true", help="also print the two halves of the corpus")
    parser.add_argument("--pages", action="store_true", help="print each page's F1")
    parser.add_argument("--only", help="comma-separated extractors to run (default: all)")
    args = parser.parse_args(argv)
    pages = sorted(p for p in args.corpus.iterdir() if (p / "source.html").is_file() and (p / "expected.html").is_file())
    chosen = {k: v for k, v in EXTRACTORS.items() if not args.only or k in args.only.split(",")}
    scores = {name: Score() for name in chosen}
    per_page: dict[str, dict[str, float]] = {}
    for page in pages:
        ref_tokens, ref_structure = reference_of(page)
        markup = decode(page.joinpath("source.html").read_bytes(), page.name)[0]
        for name, extract in chosen.items():
            started = time.perf_counter()
            try:
                got = extract(markup, page.name)
            except Exception as exc:  # noqa: BLE001  (a failed page scores zero and is named)
                scores[name].failures.append(f"{page.name}: {type(exc).__name__}: {exc}"[:200])
                got = Extraction(lxml.html.fromstring("<div></div>"))
            scores[name].seconds += time.perf_counter() - started
            precision, recall = precision_recall(tokens(visible_text(got.root)), ref_tokens)
            scores[name].add(page.name, precision, recall, kept(ref_structure, structure(got.root), got.title))
            per_page.setdefault(page.name, {})[name] = 2 * precision * recall / (precision + recall or 1)

    if args.pages:
        print(f"{'page F1':24} " + " ".join(f"{name:>12}" for name in chosen))
        for page in pages:
            print(f"{page.name:24} " + " ".join(f"{per_page[page.name][name]:12.3f}" for name in chosen))
        print()
    halves = [("all pages", None)]
    if args.split:
        halves += [("half A", {p.name for p in pages[0::2]}), ("half B", {p.name for p in pages[1::2]})]
    print(f"{len(pages)} pages of {args.corpus}")
    header = f"{'':12} {'':10} {'P':>6} {'R':>6} {'F1':>6}"
    for label, names in halves:
        print(f"\n{label}{'' if names is None else f' ({len(names)} pages)'}")
        print(header)
        for name, score in scores.items():
            p, r, f1 = score.figures(names)
            print(f"{name:12} {'':10} {p:6.3f} {r:6.3f} {f1:6.3f}")
    print(f"\nof the reference's structure kept (all pages)")
    print(f"{'':12} " + " ".join(f"{kind:>16}" for kind in KINDS) + f" {'seconds':>8}")
    for name, score in scores.items():
        cells = []
        for kind in KINDS:
            hit, total = score.structure[kind]
            cells.append(f"{hit:>5}/{total:<4} {hit / total if total else 1:5.0%}")
        print(f"{name:12} " + " ".join(f"{c:>16}" for c in cells) + f" {score.seconds:8.1f}")
    for name, score in scores.items():
        for failure in score.failures:
            print(f"FAILED {name}: {failure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
