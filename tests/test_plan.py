"""The book plan (one reading order, numbering, part openings, in-book links for every edition) and the one
table of words the editions add."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from exporter.document import Book, Metadata, Part
from exporter.normalise import normalise
from exporter.options import resolve
from exporter.pipeline import all_options
from exporter.plan import plan_book
from exporter.resources import ResourcePolicy
from exporter.words import WORDS, byline, languages, word
from exporter.writers.epub import EpubWriter
from exporter.writers.pdf import PdfWriter
from exporter.writers.pdf.markup import build_html
from exporter.writers.text import TextWriter, render
from helpers import epubcheck

NS = {"x": "http://www.w3.org/1999/xhtml", "opf": "http://www.idpf.org/2007/opf"}
TITLES = ["Alpha report", "Beta report", "Gamma report"]


def _article(title: str, url: str, body: str = "", language: str = "en"):
    return normalise(f"<p>{title} opens with a paragraph {body}.</p><h2 id='more'>More of {title}</h2>"
                     f"<p>And a closing paragraph.</p>", title=title, source_url=url, language=language,
                     authors=[title.split()[0] + " Writer"])


@pytest.fixture(scope="module")
def api_book() -> Book:
    """``Book(articles=[A, B, C], parts=[Part("P", [A, B])])``, built through the API only; A links to C
    (at an anchor C does not have) and to B (at one it has), C links back to A."""
    a = _article(TITLES[0], "https://news.example/alpha", '<a href="https://news.example/gamma#gone">to C</a> '
                 'and <a href="https://news.example/beta#more">to B</a>')
    b = _article(TITLES[1], "https://news.example/beta")
    c = _article(TITLES[2], "https://news.example/gamma", '<a href="http://www.news.example/alpha/">to A</a>')
    return Book(Metadata(title="The API book", authors=["Ed"]), [a, b, c], [Part("Papers", [a, b])])


def _write(writer, book: Book, path: Path) -> Path:
    writer().write(book, path, resolve(all_options(), {}), ResourcePolicy())
    return path


def _in_order(found: list[str], expected: list[str]) -> list[str]:
    return [x for x in found if x in expected]


def test_the_api_only_book_reads_in_the_same_order_in_every_edition(api_book, tmp_path):
    """Articles in their order as given, the part opening where its first article comes: Papers, A, B, then C
    (the PDF used to put C, outside any part, first)."""
    expected = ["Papers"] + TITLES
    assert [a.doc.metadata.title for a in plan_book(api_book).articles] == TITLES

    epub = _write(EpubWriter, api_book, tmp_path / "book.epub")
    with zipfile.ZipFile(epub) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
        hrefs = {i.get("id"): i.get("href") for i in opf.iterfind("opf:manifest/opf:item", NS)}
        spine = [hrefs[r.get("idref")] for r in opf.iterfind("opf:spine/opf:itemref", NS)]
        read = [etree.fromstring(z.read(f"EPUB/{h}")).findtext(".//x:h1", namespaces=NS) for h in spine
                if h.startswith("text/article-") or h.startswith("text/part-")]
        toc = [" ".join(a.itertext()) for a in etree.fromstring(z.read("EPUB/nav.xhtml")).iterfind(
            ".//x:nav[@id='toc']//x:a", NS)]
    assert read == expected
    assert _in_order(toc, expected) == expected

    pdf = _write(PdfWriter, api_book, tmp_path / "book.pdf")
    reader = PdfReader(str(pdf))
    outline: list[str] = []

    def walk(items) -> None:
        for item in items:
            walk(item) if isinstance(item, list) else outline.append(" ".join(item.title.split()))

    walk(reader.outline)
    assert _in_order(outline, expected) == expected
    pages = [page.extract_text() or "" for page in reader.pages]
    contents = next(i for i, text in enumerate(pages) if "Contents" in text)
    listed = pages[contents]
    assert [listed.index(t) for t in expected] == sorted(listed.index(t) for t in expected)
    opening = [next(i for i, text in enumerate(pages) if i > contents and text.lstrip().startswith(t))
               for t in expected]
    assert opening == sorted(opening) and len(set(opening)) == 4

    text = _write(TextWriter, api_book, tmp_path / "book.txt").read_text()
    body = text[text.index("\n#####"):]  # after the contents list
    assert [body.index(f"\n{t}\n") for t in expected] == sorted(body.index(f"\n{t}\n") for t in expected)
    listed = text[:text.index("\n#####")]
    assert "Papers\n  1. Alpha report\n  2. Beta report\n  3. Gamma report" in listed


@pytest.mark.epubcheck
def test_links_inside_the_book_lead_to_what_exists(api_book, tmp_path):
    """A link to another article at an anchor it lacks goes to that article's start (the EPUB used to write a
    dangling ``article-3.xhtml#a3-gone``: epubcheck RSC-012); one whose anchor exists goes there."""
    path = _write(EpubWriter, api_book, tmp_path / "book.epub")
    with zipfile.ZipFile(path) as z:
        first = etree.fromstring(z.read("EPUB/text/article-1.xhtml"))
        third = etree.fromstring(z.read("EPUB/text/article-3.xhtml"))
    body_links = ".//x:p[not(ancestor::x:header)]/x:a"  # the title block's source line stays a web link
    links = {a.text: a.get("href") for a in first.xpath(body_links, namespaces=NS)}
    assert links == {"to C": "article-3.xhtml#a3-article", "to B": "article-2.xhtml#a2-more"}
    assert [a.get("href") for a in third.xpath(body_links, namespaces=NS)] == ["article-1.xhtml#a1-article"]
    found = epubcheck(path)
    assert (found["errors"], found["warnings"]) == (0, 0), found["messages"]
    html = build_html(api_book, ResourcePolicy())
    for target in ('href="#a3-article"', 'href="#a2-more"', 'href="#a1-article"'):
        assert target in html


def _docs(*titles: str):
    return [normalise(f"<p>{t} text.</p>", title=t) for t in titles]


def test_plan_order_numbers_and_part_openings():
    a, b, c, d = _docs("A", "B", "C", "D")
    order = lambda book: [(x.doc.metadata.title, x.number, x.part and x.part.title, bool(x.opens))  # noqa: E731
                          for x in plan_book(book).articles]
    meta = Metadata(title="Book")
    # loose articles keep their place, before or after a part
    assert order(Book(meta, [a, b, c], [Part("P", [b, c])])) == [
        ("A", 1, None, False), ("B", 2, "P", True), ("C", 3, "P", False)]
    # a part keeps its articles together, opening where its first article comes
    assert order(Book(meta, [a, b, c], [Part("P", [a, c])])) == [
        ("A", 1, "P", True), ("C", 2, "P", False), ("B", 3, None, False)]
    # articles named only in a part come with it; an empty part never opens; every article once
    plan = plan_book(Book(meta, [a, b, a], [Part("Empty", []), Part("Q", [d])]))
    assert [x.doc.metadata.title for x in plan.articles] == ["A", "B", "D"]
    assert [(p.title, p.number, p.anchor) for p in plan.parts] == [("Q", 1, "part-1")]
    assert [x.prefix for x in plan.articles] == ["a1-", "a2-", "a3-"]
    assert [x.prefix for x in plan_book(Book.of(a)).articles] == [""]


def test_every_word_exists_in_every_language_any_writer_had():
    """EPUB labels came in 13 languages, the PDF's "Contents" in 30, the text edition's words in English:
    the one table knows every word in all of them, per word falling back to English (and saying so)."""
    known = languages()
    assert len(known) >= 30 and {"en", "fr", "ja", "pl", "vi", "fa"} <= known
    for key, forms in WORDS.items():
        assert forms.get("en"), key
        for language in known:
            said = word(key, language)
            assert said.text and said.language in (language, "en")
            assert said.language == "en" or said.text == forms[language]
    assert word("contents", "pl-PL") == ("Spis treści", "pl")
    assert word("cover", "pl") == ("Cover", "en")
    assert word("contents", "xx") == ("Contents", "en")


def test_every_edition_takes_its_words_from_the_one_table(tmp_path):
    a, b = _docs("Pierwszy", "Drugi")
    book = Book(Metadata(title="Książka", language="pl"), [a, b])
    epub = _write(EpubWriter, book, tmp_path / "pl.epub")
    with zipfile.ZipFile(epub) as z:
        heading = etree.fromstring(z.read("EPUB/nav.xhtml")).find(".//x:nav[@id='toc']/x:h1", NS)
        cover = etree.fromstring(z.read("EPUB/nav.xhtml")).find(".//x:nav[@id='landmarks']//x:a", NS)
    assert heading.text == "Spis treści" and heading.get("lang") is None
    assert (cover.text, cover.get("lang")) == ("Cover", "en")  # no Polish word yet: English, marked as such
    assert 'class="contents-title" lang="pl">Spis treści</h1>' in build_html(book, ResourcePolicy())
    assert "Spis treści\n-----------\n" in render(book)
    japanese = Book(Metadata(title="本", language="ja"), _docs("一", "二"))
    assert "目次\n----\n" in render(japanese)  # underlined across its display width
    assert "Mu Ci\n-----\n" in render(japanese, {"encoding": "ascii"})


def test_one_byline_for_every_edition():
    assert byline([], "en") == "" and byline(["Ann"], "en") == "Ann"
    assert byline(["Ann", " Bob  Smith "], "en") == "Ann and Bob Smith"
    assert byline(["A", "", "B", "C"], "en") == "A, B and C"
