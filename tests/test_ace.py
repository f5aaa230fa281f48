"""EPUB accessibility: DAISY Ace (plus the axe rules it turns off) on the seed, the bundled sample, a book of
three articles and books whose images do and do not earn the conformance claim; the structure those rules
ask for (one main landmark, an h1, roles matching epub:type), asserted directly too so that a machine without
Ace still checks it; and the accessibility metadata computed from the content.

Ace runs once for the whole module (tests/ace_batch.js: one Chromium for every book).
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

import exporter
from ace_check import AceReport, run_ace
from exporter.document import Book
from exporter.normalise import normalise
from exporter.options import resolve
from exporter.pipeline import all_options
from exporter.resources import ResourcePolicy
from exporter.writers.epub import EpubWriter
from exporter.writers.epub.metadata import CONFORMANCE, ContentFacts, conforms, written_summary
from exporter.words import word
from feedsite import make_feeds
from helpers import CORPUS, SEED, epubcheck

NS = {"opf": "http://www.idpf.org/2007/opf", "x": "http://www.w3.org/1999/xhtml"}
OPS = "http://www.idpf.org/2007/ops"
EPUB_TYPE = f"{{{OPS}}}type"
#: epub:type → the DPUB-ARIA role Ace's epub-type-has-matching-role rule asks for (the types we write)
ROLE_OF_TYPE = {"chapter": "doc-chapter", "part": "doc-part", "toc": "doc-toc", "noteref": "doc-noteref",
                "footnote": "doc-footnote", "endnote": "doc-endnote", "endnotes": "doc-endnotes",
                "pagebreak": "doc-pagebreak", "figure": "figure", "table": "table"}
PUBLISHER_SUMMARY = "Checked by a person at Example Press: every figure is described in the text around it."


def _write(book: Book, path: Path, **options) -> Path:
    settings = resolve(all_options(), options)
    EpubWriter().write(book, path, settings, ResourcePolicy.from_settings(None, settings))
    return path


def _image_article(folder: Path) -> Path:
    """An article with a described image, a decorative one and an inline one, all local."""
    Image.new("RGB", (400, 300), (200, 30, 30)).save(folder / "photo.png")
    Image.new("RGB", (300, 20), (90, 90, 90)).save(folder / "rule.png")
    Image.new("RGB", (16, 16), (30, 30, 200)).save(folder / "icon.png")
    page = folder / "article.html"
    page.write_text("""<html lang="en"><body><article>
      <p>A harbour office stands at the end of the pier, and this article shows it.</p>
      <figure><img src="photo.png" alt="The harbour office, a red brick hut on the pier"><figcaption>The
      office in May.</figcaption></figure>
      <p>Between the sections a plain rule is drawn.</p><figure><img src="rule.png" alt=""></figure>
      <p>The end of the article, with nothing more to show.</p></article></body></html>""", encoding="utf-8")
    return page


def _file_name_alt_article(folder: Path) -> Path:
    """A photo whose only alt is its file name, and an icon inside a sentence with a real one."""
    Image.new("RGB", (400, 300), (200, 30, 30)).save(folder / "IMG_3886.jpg")
    Image.new("RGB", (16, 16), (30, 30, 200)).save(folder / "icon.png")
    page = folder / "article.html"
    page.write_text("""<html lang="en"><body><article>
      <p>The harbour office reopened this week after the winter storms closed it.</p>
      <figure><img src="IMG_3886.jpg" alt="IMG_3886.jpg"><figcaption>The office in May.</figcaption></figure>
      <p>Sailings marked <img src="icon.png" alt="a blue square"> run every day of the year.</p>
      </article></body></html>""", encoding="utf-8")
    return page


def _undescribed_book(folder: Path) -> Book:
    """A book whose tree has images without any text alternative (``alt`` absent, as the image contract says
    the normaliser leaves them), built directly so that it does not wait on the normaliser's alt passes."""
    page = _image_article(folder)
    doc = normalise(page.read_bytes(), base=folder, title="Undescribed pictures")
    for img in doc.tree.iter("img"):
        if img.get("alt"):
            del img.attrib["alt"]  # a junk alt (a file name, say) the normaliser dropped
    return Book.of(doc)


class _Offline:
    """Stands in for test_feeds' local site: with ``offline`` the summaries are the entries, nothing is fetched."""

    @staticmethod
    def add(path: str, markup: str) -> str:  # noqa: ARG004 - the site's signature
        return "https://hills.example" + path


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("ace-books")
    pages = [CORPUS / name / "expected.html" for name in ("rtl-1", "qq")]
    made = {
        "seed": exporter.export(SEED, formats="epub", out=out / "seed", title="An independent", offline=True),
        "sample": exporter.export(None, formats="epub", out=out / "sample", offline=True),
        "book": exporter.export([SEED, *pages], formats="epub", out=out / "book", book=True,
                                title="Three articles", offline=True),
        "described": exporter.export(_image_article(tmp_path_factory.mktemp("described")), formats="epub",
                                     out=out / "described", title="Described pictures"),
        "file-name-alt": exporter.export(_file_name_alt_article(tmp_path_factory.mktemp("file-name-alt")),
                                         formats="epub", out=out / "file-name-alt", title="File names"),
        "summary": exporter.export(_image_article(tmp_path_factory.mktemp("summary")), formats="epub",
                                   out=out / "summary", title="A publisher's summary",
                                   a11y_summary=PUBLISHER_SUMMARY),
        # a morning edition of three feeds (issue 18), and the Kobo flavour of the seed
        "feeds": exporter.export(make_feeds(tmp_path_factory.mktemp("feeds"), _Offline()), formats="epub",
                                 out=out / "feeds", offline=True),
        "kepub": exporter.export(SEED, formats="kepub", out=out / "kepub", title="An independent", offline=True),
    }
    books = {name: path for name, [path] in made.items()}
    books["undescribed"] = _write(_undescribed_book(tmp_path_factory.mktemp("undescribed")),
                                  out / "undescribed.epub")
    return books


@pytest.fixture(scope="module")
def ace(books, tmp_path_factory) -> dict[str, AceReport]:
    return run_ace(books, tmp_path_factory.mktemp("ace-reports"))


def _opf(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("EPUB/content.opf"))


def _meta(path: Path, prop: str) -> list[str]:
    return [m.text for m in _opf(path).iterfind(f"opf:metadata/opf:meta[@property='{prop}']", NS)]


def _spine_documents(path: Path) -> dict[str, etree._Element]:
    opf = _opf(path)
    by_id = {i.get("id"): i.get("href") for i in opf.iterfind("opf:manifest/opf:item", NS)}
    with zipfile.ZipFile(path) as z:
        return {by_id[r.get("idref")]: etree.fromstring(z.read("EPUB/" + by_id[r.get("idref")]))
                for r in opf.iterfind("opf:spine/opf:itemref", NS)}


# --- Ace ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["seed", "sample", "book", "described", "undescribed", "file-name-alt", "summary",
                                  "feeds", "kepub"])
def test_ace_finds_no_violation(ace, name):
    report = ace[name]
    assert not report.blocking(), f"{name}: " + "; ".join(map(str, report.blocking()))
    # moderate and minor ones too: every one Ace and the axe rules it turns off found was ours, and is fixed
    assert not report.findings, f"{name}: " + "; ".join(map(str, report.findings))


def test_ace_reads_the_claim_only_where_it_is_earned(ace):
    for name in ("seed", "sample", "described"):
        assert ace[name].metadata.get("dcterms:conformsTo") == CONFORMANCE, name
        assert "dcterms:conformsTo" in ace[name].a11y_metadata["present"], name
    assert "dcterms:conformsTo" not in ace["undescribed"].metadata
    for name, report in ace.items():  # the book's Chinese page has images whose alt was only a file name
        claims = "dcterms:conformsTo" in report.metadata
        assert claims is ("does not claim" not in report.metadata["schema:accessibilitySummary"]), name
    for report in ace.values():  # what EPUB Accessibility requires is there and not empty
        assert not report.a11y_metadata["empty"]
        for prop in ("schema:accessMode", "schema:accessibilityFeature", "schema:accessibilityHazard",
                     "schema:accessibilitySummary", "schema:accessModeSufficient"):
            assert prop in report.a11y_metadata["present"], prop


def test_ace_sees_every_image_with_a_text_alternative(ace):
    said = word("undescribed-image", "en").text
    for name, report in ace.items():
        for image in report.images:
            assert image.get("alt") is not None, (name, image)
    alts = [image.get("alt") for image in ace["undescribed"].images]
    assert said in alts and "" in alts  # the decorative rule stays decorative; nothing is made up


# --- the structure those rules ask for, checked without Ace too ----------------------------------------------

def test_every_content_document_has_one_main_an_h1_and_roles_for_its_types(books):
    for name, path in books.items():
        documents = _spine_documents(path)
        assert documents, name
        for href, root in documents.items():
            where = f"{name}: {href}"
            assert len(root.findall(".//x:main", NS)) == 1, where
            body = root.find("x:body", NS)
            if name == "kepub":  # Kobo's wrapper divisions hold the body's content, main included
                body = body.find("x:div[@id='book-columns']/x:div[@id='book-inner']", NS)
            assert [el.tag for el in body] == [f"{{{NS['x']}}}main"], f"{where}: content outside main"
            assert root.findall(".//x:h1", NS), f"{where}: no h1"
            for el in root.iter():
                if any(nav.get(EPUB_TYPE) == "landmarks" for nav in el.iterancestors(f"{{{NS['x']}}}nav")):
                    continue  # links to landmarks are typed for reading systems, not roles (Ace skips them)
                for kind in (el.get(EPUB_TYPE) or "").split():
                    if kind in ROLE_OF_TYPE:
                        assert el.get("role") == ROLE_OF_TYPE[kind], f"{where}: epub:type {kind} without its role"
                        break


def test_package_document_says_its_language(books):
    for name, path in books.items():
        opf = _opf(path)
        language = opf.find("opf:metadata/{http://purl.org/dc/elements/1.1/}language", NS).text
        assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == language, name


def test_a_single_article_opens_with_its_title_as_h1(books):
    documents = _spine_documents(books["seed"])
    [h1] = documents["text/article-1.xhtml"].findall(".//x:h1", NS)
    assert "".join(h1.itertext()) == "An independent"
    [cover_heading] = documents["text/cover.xhtml"].findall(".//x:h1", NS)
    [cover] = cover_heading.findall("x:img", NS)
    assert cover.get("role") == "doc-cover" and cover.get("alt").startswith("Cover: An independent")


def test_generated_cover_alt_says_what_the_cover_shows(tmp_path):
    [path] = exporter.export(SEED, formats="epub", out=tmp_path, title="Ferry", subtitle="A winter without boats",
                             authors=["Jane Doe", "John Roe"], publisher="The Coast Courier")
    cover = _spine_documents(path)["text/cover.xhtml"].find(".//x:img", NS)
    assert cover.get("alt") == "Cover: Ferry. A winter without boats. Jane Doe and John Roe. The Coast Courier."


# --- the accessibility claim and metadata -------------------------------------------------------------------

def test_a_book_whose_images_are_described_or_decorative_claims_conformance(books):
    path = books["described"]
    assert _meta(path, "dcterms:conformsTo") == [CONFORMANCE]
    assert _meta(path, "a11y:certifiedBy")
    assert "alternativeText" in _meta(path, "schema:accessibilityFeature")
    assert set(_meta(path, "schema:accessModeSufficient")) == {"textual", "textual,visual"}
    assert set(_meta(path, "schema:accessMode")) == {"textual", "visual"}
    [summary] = _meta(path, "schema:accessibilitySummary")
    assert "1 with a text description" in summary and "1 marked decorative" in summary
    assert "does not claim" not in summary


def test_a_book_with_undescribed_images_makes_no_claim_and_says_why(books):
    path = books["undescribed"]
    assert _meta(path, "dcterms:conformsTo") == [] and _meta(path, "a11y:certifiedBy") == []
    assert "alternativeText" not in _meta(path, "schema:accessibilityFeature")
    assert _meta(path, "schema:accessModeSufficient") == ["textual,visual"]  # not textual alone
    [summary] = _meta(path, "schema:accessibilitySummary")
    assert "1 without any description" in summary and "1 marked decorative" in summary
    assert "does not claim conformance" in summary and "1 image has no text description" in summary
    alts = [img.get("alt") for doc in _spine_documents(path).values() for img in doc.iterfind(".//x:main//x:img", NS)
            if img.get("role") != "doc-cover"]
    assert sorted(alts) == ["", word("undescribed-image", "en").text]


def test_a_file_name_as_alt_is_no_description_and_an_icon_stays_in_its_sentence(books):
    path = books["file-name-alt"]
    assert _meta(path, "dcterms:conformsTo") == []
    [summary] = _meta(path, "schema:accessibilitySummary")
    assert "1 with a text description" in summary and "1 without any description" in summary
    article = _spine_documents(path)["text/article-1.xhtml"]
    [photo] = article.findall(".//x:figure/x:img", NS)
    assert photo.get("alt") == word("undescribed-image", "en").text  # not "IMG_3886.jpg", not ""
    [icon] = article.findall(".//x:p/x:img", NS)
    assert icon.get("alt") == "a blue square"


def test_a_book_without_images_claims_and_is_textual_alone(books):
    path = books["seed"]
    assert _meta(path, "dcterms:conformsTo") == [CONFORMANCE]
    assert _meta(path, "schema:accessMode") == ["textual"]
    assert _meta(path, "schema:accessModeSufficient") == ["textual"]
    assert "alternativeText" not in _meta(path, "schema:accessibilityFeature")  # no image to describe


def test_a11y_summary_option_replaces_the_written_summary(books):
    assert _meta(books["summary"], "schema:accessibilitySummary") == [PUBLISHER_SUMMARY]
    assert _meta(books["summary"], "dcterms:conformsTo") == [CONFORMANCE]  # the facts still decide the claim


def test_a11y_summary_is_a_cli_option(tmp_path):
    import os
    import subprocess
    import sys

    from helpers import ROOT

    run = subprocess.run([sys.executable, "-m", "exporter", "export", str(SEED), "-f", "epub", "-o", str(tmp_path),
                          "--a11y-summary", PUBLISHER_SUMMARY], capture_output=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr
    [path] = tmp_path.glob("*.epub")
    assert _meta(path, "schema:accessibilitySummary") == [PUBLISHER_SUMMARY]


@pytest.mark.parametrize("first_row, claims", [("<th>Crossing</th><th>Sailings a week</th>", True),
                                               ("<td>Crossing</td><td>Sailings a week</td>", False)])
def test_a_table_of_data_without_header_cells_withholds_the_claim(tmp_path, first_row, claims):
    page = tmp_path / "table.html"
    page.write_text(f"""<article><p>The timetable changed last winter, as the table shows.</p><table>
      <tr>{first_row}</tr><tr><td>Summer</td><td>14</td></tr><tr><td>Winter</td><td>3</td></tr></table>
      <p>Residents want the daily boat back.</p></article>""", encoding="utf-8")
    [path] = exporter.export(page, formats="epub", out=tmp_path / "out", title="Timetable")
    assert _meta(path, "dcterms:conformsTo") == ([CONFORMANCE] if claims else [])
    [summary] = _meta(path, "schema:accessibilitySummary")
    assert ("1 table has no header cells" in summary) is not claims


def test_animated_images_or_undescribed_ones_withhold_the_claim():
    assert conforms(ContentFacts(described=3, decorative=2))
    assert conforms(ContentFacts())
    assert not conforms(ContentFacts(described=3, undescribed=1))
    assert not conforms(ContentFacts(described=1, animated=1))
    assert not conforms(ContentFacts(described=1, headerless_tables=1))
    summary = written_summary(ContentFacts(described=1, undescribed=2, animated=1, headerless_tables=1), claim=False)
    assert "2 images have no text description, 1 image is animated and cannot be paused and 1 table has no " \
           "header cells" in summary


@pytest.mark.epubcheck
@pytest.mark.parametrize("name", ["described", "undescribed"])
def test_image_books_pass_epubcheck(books, name):
    report = epubcheck(books[name])
    assert (report["errors"], report["warnings"]) == (0, 0), report["messages"]


def test_a_formula_whose_tex_no_reader_could_read_keeps_it_but_earns_no_claim(tmp_path):
    """Issue 14: TeX alt that stays as it is marks the figure as needing a description: no conformance claim,
    and the tree's marker never reaches the XHTML (epubcheck stays clean)."""
    Image.new("RGB", (40, 16), (0, 0, 0)).save(tmp_path / "u.png")
    page = tmp_path / "article.html"
    page.write_text('<html lang="en"><body><article><p>The harbour fee follows the rule <img src="u.png" '
                    'alt="\\unknowncommand{"> for every boat that stays the night.</p></article></body></html>',
                    encoding="utf-8")
    [book] = exporter.export(page, formats="epub", out=tmp_path / "out", title="Unread TeX")
    assert _meta(book, "dcterms:conformsTo") == []
    imgs = [img for root in _spine_documents(book).values() for img in root.iter(f"{{{NS['x']}}}img")]
    assert [img.get("alt") for img in imgs if img.get("alt", "").startswith("\\")] == ["\\unknowncommand{"]
    assert not [img for img in imgs if img.get("described") is not None]
    report = epubcheck(book)
    assert (report["errors"], report["warnings"]) == (0, 0), report["messages"]
