"""How well reflow recovers the paragraphs of run-on text, on the English articles of the shared corpus.

Every English article with at least 5 paragraphs has its paragraphs flattened
into one run of inline markup, exactly like the seed article; the normaliser
then recovers paragraphs, and the boundaries it finds (as word positions) are
compared with the true ones: precision, recall and F1 per article and mean,
and the same for the baseline that splits at every sentence. A split inside a
quotation (a quotation open since the start of the true paragraph) is counted.

The cue weights of the reflow model (``exporter.normalise.reflow.WEIGHTS``) were
fitted on these same articles, so the main figures are in-sample. Two options
keep that honest:

    python benchmarks/reflow.py [CORPUS_DIR]                  # the figures, as above
    python benchmarks/reflow.py --fit [CORPUS_DIR]            # refit the weights on every article, print them
    python benchmarks/reflow.py --cross-validate [CORPUS_DIR] # each article scored with weights fitted without it

Fitting is a small L2-regularised logistic regression (Newton's method) over
the boundary features of every sentence boundary, each article weighing the
same; it needs nothing beyond the standard library.
"""
from __future__ import annotations

import html
import json
import math
import re
import sys
import time
from pathlib import Path

import lxml.html

from exporter.normalise import normalise
from exporter.normalise.language import detect
from exporter.normalise.reflow import WEIGHTS, boundary_features, choose_cuts, cohesion_depths, segment

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "readability"
SEED = CORPUS.parent / "seed" / "article.html"
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+")
MIN_PARAGRAPHS = 5


def is_news(sentences) -> bool:
    """A news report: at least one sentence in ten attributes speech ("said", "told")."""
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


def articles(corpus: Path) -> list[tuple[str, int, str, list[int], str]]:
    """Every English article with enough paragraphs: name, paragraph count, flat markup, true boundaries, text."""
    found = []
    for page in sorted(p for p in corpus.iterdir() if (p / "expected.html").is_file()):
        paragraphs = true_paragraphs(page)
        if len(paragraphs) >= MIN_PARAGRAPHS and is_english(page, paragraphs):
            found.append((page.name, len(paragraphs), *flatten(paragraphs)))
    return found


def fit_weights(examples: list[tuple[list[dict[str, float]], list[bool]]], ridge: float = 1.0,
                steps: int = 25) -> dict[str, float]:
    """Logistic regression by Newton's method; every article weighs the same, whatever its length."""
    names = list(WEIGHTS)
    rows = [([f[k] for k in names], float(y), 1.0 / len(labels))
            for features, labels in examples for f, y in zip(features, labels)]
    scale = len(rows) / sum(w for _, _, w in rows)
    w = [0.0] * len(names)
    for _ in range(steps):
        grad = [-ridge * v for v in w]
        grad[0] += ridge * w[0]  # the bias is not shrunk
        hess = [[ridge * (i == j and i > 0) for j in range(len(names))] for i in range(len(names))]
        for x, y, weight in rows:
            z = sum(a * b for a, b in zip(w, x))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            g, h = weight * scale * (y - p), weight * scale * p * (1 - p)
            for i, xi in enumerate(x):
                if xi:
                    grad[i] += g * xi
                    for j, xj in enumerate(x):
                        hess[i][j] += h * xi * xj
        w = [a + b for a, b in zip(w, _solve(hess, grad))]
    return dict(zip(names, w))


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """``a x = b`` by Gaussian elimination with partial pivoting (a is small and symmetric positive)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        pivot = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[pivot] = m[pivot], m[c]
        if abs(m[c][c]) < 1e-12:
            continue
        for r in range(n):
            if r != c and m[r][c]:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c])]
    return [m[i][n] / m[i][i] if abs(m[i][i]) >= 1e-12 else 0.0 for i in range(n)]


def cuts_score(sentences, truth: list[int], weights: dict[str, float]) -> tuple[float, float, float]:
    """Boundary P, R, F1 of the cuts the model makes with ``weights`` in these sentences."""
    positions = boundaries_of([s.text for s in sentences])
    return score([positions[i - 1] for i in choose_cuts(sentences, weights)], truth)


def examples(found: list[tuple[str, int, str, list[int], str]]) -> list[tuple]:
    """Per article: name, sentences, true boundaries, and the features and labels of its sentence boundaries."""
    data = []
    for name, _, _, truth, text in found:
        sentences = segment(text, "en")
        depths = cohesion_depths(sentences)
        features = [boundary_features(sentences[i - 1], sentences[i], depths[i]) for i in range(1, len(sentences))]
        labels = [position in set(truth) for position in boundaries_of([s.text for s in sentences])]
        data.append((name, sentences, truth, features, labels))
    return data


def held_out(data: list) -> list[tuple[float, float, float]]:
    """Each article's P, R, F1 when cut with weights fitted on the other articles only."""
    return [cuts_score(sentences, truth, fit_weights([(f, y) for j, (*_, f, y) in enumerate(data) if j != k]))
            for k, (_, sentences, truth, _, _) in enumerate(data)]


def fit_report(corpus: Path, cross_validate: bool) -> int:
    """Refit the weights on every article (``--fit``), or score each article with weights fitted without it."""
    data = examples(articles(corpus))
    if not cross_validate:
        fitted = fit_weights([(f, y) for *_, f, y in data])
        print("WEIGHTS = {" + ", ".join(f'"{k}": {v:.2f}' for k, v in fitted.items()) + "}")
        for label, weights in (("shipped weights", WEIGHTS), ("refitted weights", fitted)):
            rows = [cuts_score(sentences, truth, weights) for _, sentences, truth, _, _ in data]
            print(f"{label}: in-sample mean P {_mean(rows, 0):.2f} R {_mean(rows, 1):.2f} F1 {_mean(rows, 2):.2f}")
        return 0
    print(f"{'article':24} {'in-sample F1':>12} {'held-out P':>10} {'R':>5} {'F1':>5}")
    held = held_out(data)
    inside = [cuts_score(sentences, truth, WEIGHTS) for _, sentences, truth, _, _ in data]
    for (name, *_), (_, _, f_in), (p, r, f) in zip(data, inside, held):
        print(f"{name:24} {f_in:12.2f} {p:10.2f} {r:5.2f} {f:5.2f}")
    print(f"{'mean':24} {_mean(inside, 2):12.2f} {_mean(held, 0):10.2f} {_mean(held, 1):5.2f} {_mean(held, 2):5.2f}")
    print("held-out: each article cut with weights fitted on the others (leave-one-article-out)")
    return 0


def _mean(rows: list[tuple[float, float, float]], k: int) -> float:
    return sum(row[k] for row in rows) / len(rows)


def main(corpus: Path = CORPUS) -> int:
    rows, news = [], set()
    started = time.perf_counter()
    found_articles = articles(corpus)
    data = examples(found_articles)
    for (name, count, markup, truth, text), (_, sentences, *_) in zip(found_articles, data):
        doc = normalise(markup, language="en", typography=False)
        found_texts = ["".join(block.itertext()) for block in doc.tree if block.tag == "p"]
        found = boundaries_of(found_texts)
        baseline = boundaries_of([s.text for s in sentences])  # a cut at every sentence: the baseline to beat
        rows.append((name, count, score(found, truth), score(baseline, truth),
                     splits_inside_quotations(found, truth, text), max(len(words(t)) for t in found_texts)))
        news.update({name} if is_news(sentences) else set())
    seconds = time.perf_counter() - started
    print(f"{'article':24} {'paras':>5} {'P':>5} {'R':>5} {'F1':>5}   {'base P':>6} {'base R':>6} {'base F1':>7}"
          f" {'in-quote':>8} {'longest':>7}")
    for name, count, (p, r, f), (bp, br, bf), inside, longest in rows:
        print(f"{name:24} {count:5} {p:5.2f} {r:5.2f} {f:5.2f}   {bp:6.2f} {br:6.2f} {bf:7.2f} {inside:8} {longest:7}")
    n = len(rows)
    mean = [sum(row[2][k] for row in rows) / n for k in range(3)]
    base = [sum(row[3][k] for row in rows) / n for k in range(3)]
    inside = sum(row[4] for row in rows)
    print(f"{'mean':24} {'':5} {mean[0]:5.2f} {mean[1]:5.2f} {mean[2]:5.2f}   {base[0]:6.2f} {base[1]:6.2f} "
          f"{base[2]:7.2f} {inside:8}")
    reported = [row for row in rows if row[0] in news]
    if reported:
        f1 = sum(row[2][2] for row in reported) / len(reported)
        p = sum(row[2][0] for row in reported) / len(reported)
        print(f"news reports ({', '.join(sorted(news))}): mean P {p:.2f} F1 {f1:.2f}")
    print(f"{n} articles in {seconds:.1f} s; target mean F1 >= 0.75, precision >= 0.70, 0 splits inside quotations")
    held = held_out(data)
    print(f"the cue weights were fitted on these articles; held out (each article cut with weights fitted on the "
          f"others): mean P {_mean(held, 0):.2f} R {_mean(held, 1):.2f} F1 {_mean(held, 2):.2f}")
    if SEED.is_file():
        seed = normalise(SEED.read_bytes())
        lengths = [len(words("".join(p.itertext()))) for p in seed.tree if p.tag == "p"]
        print(f"seed article: {len(lengths)} paragraphs, longest {max(lengths)} words, median "
              f"{sorted(lengths)[len(lengths) // 2]}")
    ok = mean[2] >= 0.75 and mean[0] >= 0.7 and inside == 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    flags = {a for a in sys.argv[1:] if a.startswith("--")}
    paths = [Path(a) for a in sys.argv[1:] if not a.startswith("--")]
    if flags - {"--fit", "--cross-validate"}:
        sys.exit(__doc__)
    corpus_dir = paths[0] if paths else CORPUS
    if flags:
        sys.exit(fit_report(corpus_dir, "--cross-validate" in flags))
    sys.exit(main(corpus_dir))
