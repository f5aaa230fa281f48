"""The KEPUB edition: the EPUB edition with Kobo's sentence spans, wrapper divisions and style, as kepubify
(github.com/pgaskin/kepubify, kepub/transform.go and its tests) makes it.

The rules come from kepubify's own test cases; the books are the seed and vendored corpus pages, each written
as EPUB and as KEPUB from the same book, so the KEPUB can be held to the EPUB: same files, same text.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from exporter.document import Book, Metadata, Part
from exporter.normalise import normalise
from exporter.options import resolve
from exporter.pipeline import all_options
from exporter.resources import ResourcePolicy
from exporter.writers.epub import EpubWriter
from exporter.writers.kepub import KepubWriter
from exporter.writers.kepub.content import kobo_document
from exporter.writers.kepub.spans import add_kobo_spans, split_sentences
from helpers import CORPUS, ROOT, SEED, epubcheck, page_metadata

X = "http://www.w3.org/1999/xhtml"
NS = {"x": X, "opf": "http://www.idpf.org/2007/opf"}
#: elements whose text Kobo (and kepubify) leave without spans
VERBATIM = {f"{{{X}}}{name}" for name in ("script", "style", "pre", "audio", "video")}


# --- the sentence splitter --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, pieces", [
    ("Sentence 1. Sentence 2. Sentence 3.", ["Sentence 1. ", "Sentence 2. ", "Sentence 3."]),
    ("Sentence 1. Sentence 2. Stray text\nAnother sentence.",
     ["Sentence 1. ", "Sentence 2. ", "Stray text\nAnother sentence."]),
    ("This is a test.\n    This is another.", ["This is a test.\n    ", "This is another."]),
    # no split after a colon, nor where no white space follows the full stop
    ("Carr, Annie Roe: the collection. v1.2 is out", ["Carr, Annie Roe: the collection. ", "v1.2 is out"]),
    # one quote mark or ellipsis may follow each stop; repeated stops are one end
    ("“Really?” she asked. “Yes!” Fine... Next", ["“Really?” ", "she asked. ", "“Yes!” ", "Fine... ", "Next"]),
    ("He said 'no.'' Then", ["He said 'no.'' Then"]),  # two quote marks: not an end
    ("Trailing space. ", ["Trailing space. "]),
    ("  ", ["  "]),
    ("a.\u00a0b", ["a.\u00a0b"]),  # only ASCII white space ends a sentence
    ("人工智能迈上新台阶。它可以", ["人工智能迈上新台阶。它可以"]),  # kepubify splits on . ! ? only
])
def test_sentences_split_as_kepubify_splits_them(text, pieces):
    assert split_sentences(text) == pieces
    assert "".join(split_sentences(text)) == text


# --- the spans on fragments (kepubify's own test cases) -----------------------------------------------------------
def _spans(fragment: str) -> str:
    body = etree.fromstring(f'<body xmlns="{X}">{fragment}</body>')
    add_kobo_spans(body)
    out = etree.tostring(body, encoding="unicode")
    return re.sub(r'<body xmlns="[^"]+">|</body>', "", out).replace('class="koboSpan" id=', "k=")


@pytest.mark.parametrize("fragment, expected", [
    ("<p>Sentence 1. Sentence 2.</p><p>Sentence 3.</p><ul><li>Sentence 4</li><li>Sentence 5</li></ul>"
     "<table><tr><td>Test</td></tr><tr><td>Test</td></tr></table><h2>Heading</h2>",
     '<p><span k="kobo.1.1">Sentence 1. </span><span k="kobo.1.2">Sentence 2.</span></p>'
     '<p><span k="kobo.2.1">Sentence 3.</span></p><ul><li><span k="kobo.3.1">Sentence 4</span></li>'
     '<li><span k="kobo.3.2">Sentence 5</span></li></ul><table><tr><td><span k="kobo.4.1">Test</span></td></tr>'
     '<tr><td><span k="kobo.4.2">Test</span></td></tr></table><h2><span k="kobo.5.1">Heading</span></h2>'),
    # white space alone is wrapped directly inside a p only; an empty p takes no number
    ("<p>This is a test.\n    Next line.<span> </span>Another.</p>\n    <p>Para.</p><p> </p><p></p><p>Last.</p>",
     '<p><span k="kobo.1.1">This is a test.\n    </span><span k="kobo.1.2">Next line.</span><span> </span>'
     '<span k="kobo.1.3">Another.</span></p>\n    <p><span k="kobo.2.1">Para.</span></p>'
     '<p><span k="kobo.3.1"> </span></p><p/><p><span k="kobo.4.1">Last.</span></p>'),
    # formatting and links split segments, nested ones too; spans never cross an element boundary
    ('<p>Sentence<b> 1. Sente<i>nce <span>2. Se</span>nt</i>en<a href="t.html">ce 3. Another word</a></b></p>',
     '<p><span k="kobo.1.1">Sentence</span><b><span k="kobo.1.2"> 1. </span><span k="kobo.1.3">Sente</span>'
     '<i><span k="kobo.1.4">nce </span><span><span k="kobo.1.5">2. </span><span k="kobo.1.6">Se</span></span>'
     '<span k="kobo.1.7">nt</span></i><span k="kobo.1.8">en</span><a href="t.html"><span k="kobo.1.9">ce 3. </span>'
     '<span k="kobo.1.10">Another word</span></a></b></p>'),
    # verbatim elements keep their text; the text after them does not
    ("<p>Touch this.</p><pre>not this</pre>after<script>nor this</script><p>Touch this.</p>",
     '<p><span k="kobo.1.1">Touch this.</span></p><pre>not this</pre><span k="kobo.1.2">after</span>'
     '<script>nor this</script><p><span k="kobo.2.1">Touch this.</span></p>'),
    # an image opens a paragraph and gets a span of its own; the text after it does not join that span
    ('<p>One.</p><img src="a.png" alt=""/>tail<p class="c"><img src="b.png" alt=""/></p><p>Three.</p>',
     '<p><span k="kobo.1.1">One.</span></p><span k="kobo.2.1"><img src="a.png" alt=""/></span>'
     '<span k="kobo.2.2">tail</span><p class="c"><span k="kobo.3.1"><img src="b.png" alt=""/></span></p>'
     '<p><span k="kobo.4.1">Three.</span></p>'),
    # SVG and MathML are left alone
    ('<p>x</p><svg xmlns="http://www.w3.org/2000/svg"><text>kepubify</text></svg>'
     '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>',
     '<p><span k="kobo.1.1">x</span></p><svg xmlns="http://www.w3.org/2000/svg"><text>kepubify</text></svg>'
     '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>'),
])
def test_spans_follow_kepubify(fragment, expected):
    assert _spans(fragment) == expected


def test_a_documents_own_ids_that_kobo_uses_are_renamed_with_their_links():
    page = (f'<html xmlns="{X}"><head><title>t</title></head><body><p id="book-inner">See '
            f'<a href="#kobo.1.1">below</a>.</p><p id="kobo.1.1">Here.</p></body></html>').encode()
    root = etree.fromstring(kobo_document(page))
    ids = root.xpath("//@id")
    assert len(ids) == len(set(ids))
    assert root.xpath("//x:a/@href", namespaces=NS) == ["#kobo.1.1-own"]
    assert root.xpath("//x:p/@id", namespaces=NS) == ["book-inner-own", "kobo.1.1-own"]


# --- whole books --------------------------------------------------------------------------------------------------
def _editions(source: Path | Book, out: Path, writing: dict | None = None, **meta) -> tuple[Path, Path]:
    """The EPUB and the KEPUB of one article (normalised with ``meta``) or book, written from the same book by
    the two writers with the options ``writing`` (offline by default)."""
    declared = {o.name: o for o in all_options() + KepubWriter.options}  # installed or not, the KEPUB's own too
    settings = resolve(tuple(declared.values()), {"offline": True, **(writing or {})})
    if isinstance(source, Book):
        book, root = source, None
    else:
        book, root = Book.of(normalise(source.read_bytes(), **meta)), source.parent
    paths = out / "book.epub", out / "book.kepub.epub"
    for writer, path in zip((EpubWriter(), KepubWriter()), paths):
        writer.write(book, path, settings, ResourcePolicy.from_settings(root, settings))
    return paths


def _page_options(page: Path) -> dict:
    meta = page_metadata(page)
    options = {"title": meta.get("title") or page.name}
    if meta.get("lang"):
        options["language"] = meta["lang"]
    return options


def _collection() -> Book:
    """Three articles, two in a part: part pages, the contents page in the spine, notes, links between them."""
    first = normalise("""<article><h2 id="intro">Start</h2><p>First article, with a note.<sup><a href="#fn1">1</a>
      </sup> It links to <a href="https://example.org/two#details">the second</a>.</p><h3>Deeper</h3>
      <ul><li>One item. Two sentences.</li><li>Another</li></ul><ol class="footnotes"><li id="fn1">First note.</li>
      </ol></article>""", title="Article one", source_url="https://example.org/one", authors=["Ann"])
    second = normalise("""<article><h2 id="details">Details</h2><p>The details, and
      <a href="https://example.org/one/#intro">back to one</a>.</p></article>""",
                       title="Article two", source_url="https://example.org/two", authors=["Bob"])
    third = normalise("<article><p>A third article outside any part.</p></article>", title="Article three")
    return Book(metadata=Metadata(title="A collection", language="en"), articles=[first, second, third],
                parts=[Part("Part A", [first, second])])


BOOKS = {
    "seed": lambda: (SEED, {}),
    "collection": lambda: (_collection(), {}),
    **{name: lambda name=name: (CORPUS / name / "expected.html", _page_options(CORPUS / name))
       # a table, Chinese, right-to-left, and one with pre and images
       for name in ("keep-tabular-data", "qq", "rtl-1", "001")},
}


@pytest.fixture(scope="module", params=sorted(BOOKS))
def book(request, tmp_path_factory) -> tuple[str, Path, Path]:
    source, options = BOOKS[request.param]()
    return (request.param, *_editions(source, tmp_path_factory.mktemp(request.param), **options))


def _documents(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as z:
        return {n: etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xhtml")}


def _in_verbatim(el: etree._Element) -> bool:
    return any(a.tag in VERBATIM or not str(a.tag).startswith(f"{{{X}}}") for a in el.iterancestors()) \
        or el.tag in VERBATIM


def test_every_text_run_is_in_a_kobo_span(book):
    name, _, kepub = book
    checked = 0
    for doc_name, root in _documents(kepub).items():
        body = root.find(f"{{{X}}}body")
        for el in body.iter():
            for text, parent in ((el.text, el), (el.tail, el.getparent())):
                if not text or not text.strip() or parent is None or parent is body.getparent():
                    continue
                inside = parent.get("class") == "koboSpan" or any(
                    a.get("class") == "koboSpan" for a in parent.iterancestors())
                assert inside or _in_verbatim(parent), f"{name}/{doc_name}: {text[:60]!r} outside any koboSpan"
                checked += 1
        for img in body.iter(f"{{{X}}}img"):
            assert img.getparent().get("class") == "koboSpan", f"{name}/{doc_name}: image without its span"
    assert checked > 10


def test_span_ids_are_unique_and_count_paragraphs_and_segments_in_reading_order(book):
    name, _, kepub = book
    for doc_name, root in _documents(kepub).items():
        ids = root.xpath("//@id")
        assert len(ids) == len(set(ids)), f"{name}/{doc_name}: duplicate ids"
        spans = root.xpath("//x:span[@class='koboSpan']/@id", namespaces=NS)
        assert spans, f"{name}/{doc_name}: no spans"
        numbers = [tuple(map(int, re.fullmatch(r"kobo\.(\d+)\.(\d+)", s).groups())) for s in spans]
        assert numbers[0] in ((0, 1), (1, 1)), (doc_name, numbers[:3])
        for (p0, s0), (p1, s1) in zip(numbers, numbers[1:]):
            assert (p1, s1) in ((p0, s0 + 1), (p0 + 1, 1)), f"{name}/{doc_name}: kobo.{p0}.{s0} then kobo.{p1}.{s1}"


def test_the_text_is_the_epubs_text_exactly(book):
    name, epub, kepub = book
    before, after = _documents(epub), _documents(kepub)
    assert sorted(before) == sorted(after)
    for doc_name, root in before.items():
        assert "".join(after[doc_name].find(f"{{{X}}}body").itertext()) == \
            "".join(root.find(f"{{{X}}}body").itertext()), f"{name}/{doc_name}"
    with zipfile.ZipFile(epub) as e, zipfile.ZipFile(kepub) as k:
        assert e.namelist() == k.namelist()
        # everything but the content documents (and, were it needed, the package document) is the EPUB's own
        assert all(e.read(n) == k.read(n) for n in e.namelist() if not n.endswith((".xhtml", ".opf")))


def test_kobo_divisions_style_and_cover(book):
    name, _, kepub = book
    for doc_name, root in _documents(kepub).items():
        body = root.find(f"{{{X}}}body")
        assert [c.get("id") for c in body] == ["book-columns"] and not (body.text or "").strip()
        assert [c.get("id") for c in body[0]] == ["book-inner"]
        [style] = root.xpath("//x:head/x:style[@class='kobostylehacks']", namespaces=NS)
        assert style.text == "div#book-inner { margin-top: 0; margin-bottom: 0;}"
    with zipfile.ZipFile(kepub) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
    [cover] = opf.xpath("//opf:manifest/opf:item[@id=//opf:meta[@name='cover']/@content]", namespaces=NS)
    assert "cover-image" in cover.get("properties").split()
    # Kobo shows the first spine document full screen: ours is the cover page (kepubify adds none before it)
    first = opf.xpath("//opf:spine/opf:itemref[1]/@idref", namespaces=NS)[0]
    assert opf.xpath(f"//opf:item[@id='{first}']/@href", namespaces=NS) == ["text/cover.xhtml"]


def test_kepub_passes_epubcheck(book):
    name, _, kepub = book
    report = epubcheck(kepub)
    assert (report["errors"], report["warnings"]) == (0, 0), report["messages"]


@pytest.mark.parametrize("choice, css", [("on", "hyphens: auto"), ("off", "hyphens: none"), ("auto", None)])
def test_kobo_hyphenation_adds_kepubifys_style_or_none(choice, css, tmp_path):
    kepub = _editions(SEED, tmp_path, {"kobo_hyphenation": choice})[1]
    for doc_name, root in _documents(kepub).items():
        styles = root.xpath("//x:head/x:style", namespaces=NS)
        assert [s.get("class") for s in styles][0] == "kobostylehacks"
        assert len(styles) == (1 if css is None else 2), doc_name
        if css:
            assert css in styles[1].text and "h1, h2" in styles[1].text or choice == "off"
    if choice == "on":
        report = epubcheck(kepub)
        assert (report["errors"], report["warnings"]) == (0, 0), report["messages"]


def test_kepub_is_reproducible(tmp_path):
    first = _editions(SEED, tmp_path)[1].read_bytes()
    (tmp_path / "book.kepub.epub").unlink()
    assert _editions(SEED, tmp_path)[1].read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.epub", "book.kepub.epub"]  # no intermediate left


# --- the plug-in ----------------------------------------------------------------------------------------------------
def test_the_package_declares_the_kepub_writer_and_f_kepub_writes_name_kepub_epub(tmp_path):
    """``-f kepub`` through the entry point the package declares (pyproject.toml), as an installed copy has it."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["exporter.writers"]
    assert declared["kepub"] == "exporter.writers.kepub:KepubWriter"
    # this checkout's own declaration, visible to the entry-point lookup whatever copy is installed
    dist = tmp_path / "site" / "exporter_checkout-0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: exporter-checkout\nVersion: 0\n")
    (dist / "entry_points.txt").write_text("[exporter.writers]\n" + "".join(f"{k} = {v}\n" for k, v in declared.items()))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path / "site")])}
    listed = subprocess.run([sys.executable, "-m", "exporter", "formats"], capture_output=True, text=True, env=env)
    assert re.search(r"^kepub +\.kepub\.epub .*Kobo", listed.stdout, re.M), listed.stdout + listed.stderr
    # the descriptions line up although ".kepub.epub" is longer than the other extensions
    assert len({re.match(r"\S+ +\.\S+ +", line).end() for line in listed.stdout.splitlines()}) == 1
    helped = subprocess.run([sys.executable, "-m", "exporter", "export", "--help"], capture_output=True, text=True,
                            env=env)
    assert "--kobo-hyphenation" in helped.stdout and "--cover" in helped.stdout
    done = subprocess.run([sys.executable, "-m", "exporter", "export", str(SEED), "-f", "kepub", "-o",
                           str(tmp_path / "out"), "--title", "The Ferry Vote", "--kobo-hyphenation", "on", "-q"],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["the-ferry-vote.kepub.epub"]
    with zipfile.ZipFile(tmp_path / "out" / "the-ferry-vote.kepub.epub") as z:
        article = z.read("EPUB/text/article-1.xhtml")
    assert b'class="koboSpan" id="kobo.1.1"' in article and b'class="kobo-hyphenation"' in article
