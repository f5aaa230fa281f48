"""How well reflow recovers the paragraphs of run-on text, on the English articles of the shared corpus.

Every English article with at least 5 paragraphs has its paragraphs flattened
into one run of inline markup, exactly like the seed article; the normaliser
then recovers paragraphs, and the boundaries it finds (as word positions) are
compared with the true ones: precision, recall and F1 per article and mean,
and the same for the baseline that splits at every sentence. A split inside a
quotation (a quotation open since the start of the true paragraph) is counted.

    python benchmarks/reflow.py [CORPUS_DIR]
"""
from __future__ import annotations

import html
import json
import re
import sys
import time
from pathlib import Path

import lxml.html

from exporter.normalise import normalise
from exporter.normalise.language import detect
from exporter.normalise.reflow import segment

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "readability"
SEED = CORPUS.parent / "seed" / "article.html"
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+")
MIN_PARAGRAPHS = 5


def is_news(text: str) -> bool:
    """A news report: at least one sentence in ten attributes speech ("said", "told")."""
    sentences = segment(text, "en")
    said = sum(1 for s in sentences if re.search(r"\b(?:said|says|told)\b", s.text))
    return said >= 0.1 * len(sentences)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def true_paragraphs(page: Path) -> list[lxml.html.HtmlElement]:
    """The article's paragraphs with words, outside lists, tables and figures, in order."""
    doc = lxml.html.fromstring(page.joinpath("expected.html").read_bytes(),
                               parser=lxml.html.HTMLParser(encoding="utf-8"))
    return [p for p in doc.iter("p")
            if words(p.text_content()) and not any(a.tag in ("li", "td", "th", "figure", "figcaption")
                                                   for a in p.iterancestors())]


def is_english(page: Path, paragraphs: list[lxml.html.HtmlElement]) -> bool:
    meta = page / "expected-metadata.json"
    lang = json.loads(meta.read_text()).get("lang") if meta.is_file() else None
    if lang:
        return lang.lower().split("-")[0] == "en"
    return detect(" ".join(p.text_content() for p in paragraphs)) == "en"


def flatten(paragraphs: list[lxml.html.HtmlElement]) -> tuple[str, list[int], str]:
    """One run of inline markup, the word positions where true paragraphs start, and the plain text."""
    runs, starts, texts, position = [], [], [], 0
    for p in paragraphs:
        inner = html.escape(p.text or "", quote=False) + "".join(lxml.html.tostring(c, encoding="unicode") for c in p)
        runs.append(" ".join(inner.split()))
        text = p.text_content()
        starts.append(position)
        position += len(words(text))
        texts.append(" ".join(text.split()))
    return " ".join(runs), starts[1:], " ".join(texts)


def boundaries_of(paragraph_texts: list[str]) -> list[int]:
    positions, position = [], 0
    for text in paragraph_texts:
        positions.append(position)
        position += len(words(text))
    return positions[1:]


def sentence_baseline(text: str) -> list[int]:
    """Boundaries at every sentence (the baseline to beat)."""
    return boundaries_of([s.text for s in segment(text, "en")])


def score(found: list[int], truth: list[int]) -> tuple[float, float, float]:
    hits = len(set(found) & set(truth))
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def splits_inside_quotations(found: list[int], truth: list[int], text: str) -> int:
    """Found boundaries falling where a quotation opened in the same true paragraph is still open."""
    tokens = list(re.finditer(_WORD, text))
    bad = 0
    starts = [0, *truth]
    for boundary in set(found) - set(truth):
        start = max(s for s in starts if s <= boundary)
        begin = text.rfind(" ", 0, tokens[start].start()) + 1  # the paragraph's opening quotation mark too
        end = text.rfind(" ", 0, tokens[boundary].start())
        depth = 0
        for i in range(begin, end):
            ch = text[i]
            if ch == '"':  # opening after a space or at the start, else closing
                ch = "\u201c" if i == 0 or text[i - 1].isspace() or text[i - 1] in "([" else "\u201d"
            if ch in "\u201c\u00ab\u201e":
                depth += 1
            elif ch in "\u201d\u00bb":
                depth = max(0, depth - 1)
        bad += depth > 0
    return bad


def main(corpus: Path = CORPUS) -> int:
    rows, news = [], set()
    started = time.perf_counter()
    for page in sorted(p for p in corpus.iterdir() if (p / "expected.html").is_file()):
        paragraphs = true_paragraphs(page)
        if len(paragraphs) < MIN_PARAGRAPHS or not is_english(page, paragraphs):
            continue
        markup, truth, text = flatten(paragraphs)
        doc = normalise(markup, language="en", typography=False)
        found_texts = ["".join(block.itertext()) for block in doc.tree if block.tag == "p"]
        found = boundaries_of(found_texts)
        baseline = sentence_baseline(text)
        rows.append((page.name, len(paragraphs), score(found, truth), score(baseline, truth),
                     splits_inside_quotations(found, truth, text), max(len(words(t)) for t in found_texts)))
        news.update({page.name} if is_news(text) else set())
    seconds = time.perf_counter() - started
    print(f"{'article':14} {'paras':>5} {'P':>5} {'R':>5} {'F1':>5}   {'base P':>6} {'base R':>6} {'base F1':>7}"
          f" {'in-quote':>8} {'longest':>7}")
    for name, count, (p, r, f), (bp, br, bf), inside, longest in rows:
        print(f"{name:14} {count:5} {p:5.2f} {r:5.2f} {f:5.2f}   {bp:6.2f} {br:6.2f} {bf:7.2f} {inside:8} {longest:7}")
    n = len(rows)
    mean = [sum(row[2][k] for row in rows) / n for k in range(3)]
    base = [sum(row[3][k] for row in rows) / n for k in range(3)]
    inside = sum(row[4] for row in rows)
    print(f"{'mean':14} {'':5} {mean[0]:5.2f} {mean[1]:5.2f} {mean[2]:5.2f}   {base[0]:6.2f} {base[1]:6.2f} "
          f"{base[2]:7.2f} {inside:8}")
    reported = [row for row in rows if row[0] in news]
    if reported:
        f1 = sum(row[2][2] for row in reported) / len(reported)
        p = sum(row[2][0] for row in reported) / len(reported)
        print(f"news reports ({', '.join(sorted(news))}): mean P {p:.2f} F1 {f1:.2f}")
    print(f"{n} articles in {seconds:.1f} s; target mean F1 >= 0.75, precision >= 0.70, 0 splits inside quotations")
    if SEED.is_file():
        seed = normalise(SEED.read_bytes())
        lengths = [len(words("".join(p.itertext()))) for p in seed.tree if p.tag == "p"]
        print(f"seed article: {len(lengths)} paragraphs, longest {max(lengths)} words, median "
              f"{sorted(lengths)[len(lengths) // 2]}")
    ok = mean[2] >= 0.75 and mean[0] >= 0.7 and inside == 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS))
