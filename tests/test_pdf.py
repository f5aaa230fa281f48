"""The PDF edition: pages, running heads, outline, metadata, links in print, typography, scripts, content, books.

Each PDF is exported once per module and read back with pypdf (text per page,
positions of text, outline, fonts, annotations); layout questions (does
anything run off the page?) are asked of WeasyPrint's own layout of the very
document that is written.
"""
from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

import exporter
from exporter.cli import cli
from exporter.document import Book, Part
from exporter.errors import UsageError
from exporter.normalise import normalise
from exporter.options import EXPORT_OPTIONS, resolve
from exporter.resources import ResourcePolicy
from exporter.writers.pdf import PdfWriter, Prepared, lay_out, render
from exporter.writers.pdf.pages import default_size, parse_size
from helpers import (CORPUS, SEED, SEED_LINK_CONTEXT, SEED_LINK_TEXT, SEED_LINK_URL, has, page_metadata, pdf_text,
                     recall, reference_words, require, words)

MM = 72 / 25.4
SEED_TITLE = "An independent MP"
FIRST_URL = SEED_LINK_URL

SAMPLE = """<html lang="en"><body><article>
<p>Opening words of the sample, long enough to wrap: the committee met on Tuesday and agreed on a plan that
the members had argued about for months, with <a href="https://example.org/plan">the plan itself</a> published
the same evening and <a href="https://example.org/plan">the same plan</a> linked a second time.</p>
<p>A link that is its own text: <a href="https://example.org/bare">https://example.org/bare</a>, a mail
address <a href="mailto:desk@example.org">write to the desk</a> and a note<a role="doc-noteref" href="#n1">1</a>.</p>
<h2>Background of <a href="https://example.org/background">the plan</a></h2>
<p>Paragraph under the first section with enough words to be a paragraph of its own in the printed page.</p>
<h3>Money matters</h3>
<p>Costs, budgets and the expected savings over the next ten years are set out below.</p>
<table><thead><tr><th>Year</th><th>Cost</th><th>Saving</th></tr></thead><tbody>
{rows}
</tbody></table>
<h2>What comes next</h2>
<pre>{long_line}</pre>
<p>{long_word}</p>
<aside role="doc-footnote" id="n1"><p>The note itself.</p></aside>
</article></body></html>
"""
LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitän" * 6
LONG_LINE = "x = compute(" + ", ".join(f"argument_{i}" for i in range(60)) + ")"


def _settings(**given):
    return resolve(PdfWriter.options + EXPORT_OPTIONS, given)


def _write(book: Book, path: Path, **given) -> Path:
    PdfWriter().write(book, path, _settings(**given), ResourcePolicy())
    return path


def _sample_doc(rows: int = 90, **meta):
    markup = SAMPLE.format(rows="\n".join(f"<tr><td>{2000 + i}</td><td>{i * 7} euro</td><td>row{i}saving</td></tr>"
                                          for i in range(rows)), long_line=LONG_LINE, long_word=LONG_WORD)
    return normalise(markup, title=meta.pop("title", "The sample plan"), **meta)


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def positioned(page) -> list[tuple[float, float, str]]:
    """(x, y, text) of each text run on a pypdf page, in PDF points from the bottom left."""
    runs: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x, y = tm[4], tm[5]
            runs.append((x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5], text.strip()))

    page.extract_text(visitor_text=visit)
    return runs


def outline_titles(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every outline entry, in order."""
    found: list[tuple[int, str, int]] = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, " ".join(item.title.split()), reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


def embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    """Every font the pages use (descendant fonts too), and whether its program is embedded."""
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        for font in (page.get("/Resources", {}).get("/Font") or {}).values():
            font = font.get_object()
            for f in [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]:
                desc = f.get("/FontDescriptor")
                if desc is not None:
                    desc = desc.get_object()
                    fonts[str(f["/BaseFont"])] = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


def link_uris(reader: PdfReader) -> list[str]:
    uris = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


# --- the seed article, exported once ------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seed")
    [path] = exporter.export(SEED, "pdf", out, title=SEED_TITLE, authors=["Jane Doe", "John Roe"],
                             description="An interview after the election.", subjects=["politics", "Gaza"],
                             page_size="A4")
    return path


def test_seed_keeps_every_word(seed_pdf):
    assert recall(reference_words(SEED), words(pdf_text(seed_pdf))) >= 0.99


def test_every_font_is_embedded_and_subset(seed_pdf):
    fonts = embedded_fonts(PdfReader(str(seed_pdf)))
    assert fonts and all(fonts.values()), fonts
    assert all(re.match(r"^/[A-Z]{6}\+", name) for name in fonts), f"not subset: {list(fonts)}"
    assert any("Charis" in name for name in fonts)
    if has("pdffonts"):  # a second opinion where poppler is installed (the header says when it is not)
        listing = subprocess.run(["pdffonts", str(seed_pdf)], capture_output=True, text=True, check=True).stdout
        rows = listing.splitlines()[2:]
        assert rows and all(row.split()[-5] == "yes" for row in rows), listing


def test_page_numbers_on_every_page(seed_pdf):
    reader = PdfReader(str(seed_pdf))
    assert len(reader.pages) >= 3
    for number, page in enumerate(reader.pages, 1):
        runs = positioned(page)
        bottom = min(runs, key=lambda r: r[1])
        assert bottom[2] == str(number), f"page {number} ends with {bottom!r}"
        assert bottom[1] < 24 * MM, "the page number is not in the bottom margin"


def test_running_heads_from_the_second_page_only(seed_pdf):
    reader = PdfReader(str(seed_pdf))
    height = float(reader.pages[0].mediabox.height)

    def head(page):
        return [text for x, y, text in positioned(page) if y > height - 20 * MM]

    assert head(reader.pages[0]) == [], "the first page carries a running head above the title"
    for page in reader.pages[1:]:
        assert " ".join(head(page)) == f"{SEED_TITLE} — Jane Doe and John Roe"


def test_link_url_is_a_footnote_on_the_page_of_the_link(seed_pdf):
    reader = PdfReader(str(seed_pdf))
    texts = [" ".join(t.split()) for t in page_texts(seed_pdf)]
    linked = next(i for i, t in enumerate(texts) if SEED_LINK_CONTEXT in t)
    flat = texts[linked].replace(" ", "")
    assert FIRST_URL.replace(" ", "") in flat, "the URL is not printed on the page of its link"
    runs = positioned(reader.pages[linked])
    link_y = next(y for x, y, t in runs if t == SEED_LINK_TEXT)  # the link's text is a run of its own
    url_y = next(y for x, y, t in runs if t.startswith(FIRST_URL[:24]))
    assert url_y < link_y and url_y < 60 * MM, "the URL is not at the foot of the page"
    assert "".join(texts).replace(" ", "").count(FIRST_URL) == 1
    assert FIRST_URL in link_uris(reader), "the link is not clickable"


def test_document_metadata_and_tags(seed_pdf):
    reader = PdfReader(str(seed_pdf))
    info = reader.metadata
    assert info["/Title"] == SEED_TITLE
    assert info["/Author"] == "Jane Doe, John Roe"
    assert info["/Subject"] == "An interview after the election."
    assert info["/Keywords"] == "politics, Gaza"
    assert info["/Creator"].startswith("exporter ")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"], "the default PDF is not tagged"


def test_hyphenated_by_css_and_the_hyphens_read_as_soft(seed_pdf):
    text = pdf_text(seed_pdf)
    assert "\u2010" not in text, "a hyphen added by the layout reads as a hard hyphen"
    assert re.search(r"\w\u00ad\n\w", text), "no word is hyphenated at a line end"


def test_same_input_and_options_give_the_same_bytes(seed_pdf, tmp_path):
    [again] = exporter.export(SEED, "pdf", tmp_path, title=SEED_TITLE, authors=["Jane Doe", "John Roe"],
                              description="An interview after the election.", subjects=["politics", "Gaza"],
                              page_size="A4")
    assert again.read_bytes() == seed_pdf.read_bytes()


# --- a sample with headings, repeated links, a long table, long lines ------------------------------

@pytest.fixture(scope="module")
def sample() -> Book:
    return Book.of(_sample_doc(authors=["Ann Writer"]))


@pytest.fixture(scope="module")
def sample_pdf(sample, tmp_path_factory) -> Path:
    return _write(sample, tmp_path_factory.mktemp("sample") / "sample.pdf", page_size="A5")


def test_outline_lists_the_title_and_headings(sample_pdf):  # a heading's link footnote call stays out of it
    outline = outline_titles(PdfReader(str(sample_pdf)))
    assert [(d, t) for d, t, _ in outline] == [
        (0, "The sample plan"), (1, "Background of the plan"), (2, "Money matters"), (1, "What comes next")]
    texts = page_texts(sample_pdf)
    for _, title, page in outline:
        assert title in " ".join(texts[page].split())


def test_urls_once_per_article_not_for_url_text_or_internal_links(sample_pdf):
    text = "".join(" ".join(page_texts(sample_pdf)).split())
    assert text.count("https://example.org/plan") == 1
    assert text.count("https://example.org/bare") == 1, "a link whose text is its URL got a footnote"
    assert "desk@example.org" in text and "mailto:" not in text
    assert "#n1" not in text
    uris = link_uris(PdfReader(str(sample_pdf)))
    assert uris.count("https://example.org/plan") >= 2, "each link stays clickable"


def test_long_table_repeats_its_header_row(sample_pdf):
    texts = page_texts(sample_pdf)
    table_pages = [t for t in texts if re.search(r"\brow\d+saving\b", t)]
    assert len(table_pages) >= 2, "the table should break across pages"
    assert all(re.search(r"Year\s*Cost\s*Saving", t) for t in table_pages)


def test_page_size_a5(sample_pdf):
    box = PdfReader(str(sample_pdf)).pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (148, 210)


def _overflowing(document, tolerance: float = 0.5) -> list[str]:
    """Boxes that reach outside their page's content area (margin boxes excepted)."""
    from weasyprint.formatting_structure import boxes

    found = []
    for number, page in enumerate(document.pages, 1):
        root = page._page_box
        left, right = root.content_box_x(), root.content_box_x() + root.width
        top, bottom = root.content_box_y(), root.content_box_y() + root.height
        for child in root.children:
            if isinstance(child, boxes.MarginBox):
                continue
            for box in child.descendants():
                if isinstance(box, (boxes.TextBox, boxes.ReplacedBox)):
                    x, y = box.position_x, box.position_y
                    w, h = box.margin_width(), box.margin_height()
                    if x < left - tolerance or x + w > right + tolerance or y + h > bottom + tolerance \
                            or y < top - tolerance:
                        found.append(f"page {number}: {type(box).__name__} "
                                     f"{getattr(box, 'text', '')[:40]!r} at x={x:.0f}..{x + w:.0f} "
                                     f"(text block {left:.0f}..{right:.0f})")
    return found


def test_nothing_runs_off_the_page(sample, tmp_path):
    require("script-fonts")  # the Japanese paragraph: without a CJK font it prints as boxes pypdf cannot read
    from PIL import Image

    wide_table = "<table><tbody>" + "".join(
        "<tr>" + "".join(f"<td>cell{r}x{c}value</td>" for c in range(24)) + "</tr>" for r in range(4)) \
        + "</tbody></table>"
    for name, size in (("wide.png", (3000, 200)), ("tall.png", (200, 6000))):
        Image.new("RGB", size, (120, 30, 30)).save(tmp_path / name)
    markup = (f"<article><p>Before {LONG_WORD} and https://example.org/{'very-long-path/' * 20} end.</p>"
              f"{wide_table}<figure><img src='wide.png' alt='A wide image'><figcaption>Wide caption"
              f"</figcaption></figure><figure><img src='tall.png' alt='A tall image'></figure>"
              f"<pre>{LONG_LINE}</pre><p lang='ja'>{'日本語の長い文です。' * 60}</p></article>")
    doc = normalise(markup, title="Hostile widths", base=tmp_path)
    writer = PdfWriter()
    for size in ("A4", "A6"):
        prepared = writer.prepare(Book.of(doc), _settings(page_size=size, duplex=True), ResourcePolicy(root=tmp_path))
        document = lay_out(prepared, ResourcePolicy(root=tmp_path))
        assert _overflowing(document) == [], size
        images = [b for p in document.pages for b in p._page_box.descendants()
                  if type(b).__name__ in ("InlineReplacedBox", "BlockReplacedBox")]
        assert len(images) == 2, f"{size}: an image was lost or split ({len(images)} image boxes)"
    path = tmp_path / "hostile.pdf"
    document.write_pdf(str(path), **prepared.options)
    text = pdf_text(path)
    assert recall(words(LONG_LINE), words(text)) == 1.0, "the long pre line lost words"
    assert "cell3x23value" in "".join(text.split()).replace("\u2010", "")


def test_the_boxes_check_catches_an_overflow(tmp_path):
    prepared = Prepared(html="<html lang='en'><body><p style='white-space: nowrap'>" + "far too wide " * 20
                        + "</p></body></html>", css="@page { size: A5 }")
    assert _overflowing(lay_out(prepared, ResourcePolicy())), "the overflow check cannot fail"


# --- options: page size, duplex, links, variants, bleed ---------------------------------------------

@pytest.mark.parametrize("given, expected_mm", [
    ("A4", (210, 297)), ("letter", (215.9, 279.4)), ("a5", (148, 210)), ("6x9in", (152.4, 228.6)),
    ("148mm x 210mm", (148, 210)), ("5.5x8.5in", (139.7, 215.9)), ("A4 landscape", (297, 210)),
    ("10cmx15cm", (100, 150)), ("432ptx648pt", (152.4, 228.6)),
])
def test_page_sizes(given, expected_mm):
    size = parse_size(given)
    assert (round(size.width, 1), round(size.height, 1)) == expected_mm


@pytest.mark.parametrize("bad", ["banana", "6x9", "0x0mm", "10000x10mm", "6x9furlongs", ""])
def test_bad_page_sizes_are_one_line_usage_errors(bad, tmp_path):
    with pytest.raises(UsageError, match="--page-size"):
        _settings(page_size=bad)
    result = CliRunner().invoke(cli, ["export", str(SEED), "-f", "pdf", "-o", str(tmp_path), "--page-size", bad])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_bad_bleed_is_a_usage_error():
    for bad in ("3", "3 furlongs", "40mm"):
        with pytest.raises(UsageError, match="--bleed"):
            _settings(bleed=bad)


@pytest.mark.parametrize("environ, language, expected", [
    ({"LANG": "en_US.UTF-8"}, "en", "letter"),
    ({"LANG": "fr_CA.UTF-8"}, "fr", "letter"),
    ({"LANG": "es_MX.UTF-8"}, "es", "letter"),
    ({"LANG": "de_DE.UTF-8"}, "en-US", "a4"),        # the reader's locale wins
    ({"LC_ALL": "en_GB.UTF-8", "LC_PAPER": "en_US.UTF-8"}, "en", "a4"),
    ({"LC_PAPER": "en_US.UTF-8", "LANG": "en_GB.UTF-8"}, "en", "letter"),
    ({"LANG": "C.UTF-8"}, "en-US", "letter"),       # no locale region: the language tag decides
    ({"LANG": "C.UTF-8"}, "es-419", "a4"),
    ({}, "en", "a4"),                               # nothing says: the theme's size
])
def test_auto_page_size_from_locale_then_language(environ, language, expected):
    assert default_size(language, "A4", environ) == parse_size(expected)


@pytest.fixture(scope="module")
def duplex_pdf(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("duplex")
    [path] = exporter.export(SEED, "pdf", out, title=SEED_TITLE, authors=["Jane Doe"], duplex=True,
                             page_size="letter")
    return path


def test_duplex_mirrors_margins_numbers_and_heads(duplex_pdf):
    reader = PdfReader(str(duplex_pdf))
    width = float(reader.pages[0].mediabox.width)
    assert round(width) == 612, "letter"
    assert len(reader.pages) >= 3
    lefts = {}
    for number, page in enumerate(reader.pages[:3], 1):
        runs = positioned(page)
        lefts[number] = min(x for x, y, t in runs)
        folio = min(runs, key=lambda r: r[1])
        assert folio[2] == str(number)
        recto = number % 2 == 1
        assert (folio[0] > width / 2) == recto, f"page {number}: the folio is not on the outer edge"
        if number > 1:
            head = max(runs, key=lambda r: r[1])
            assert head[2] == (SEED_TITLE if recto else "Jane Doe"), f"page {number}: head {head!r}"
            assert (head[0] > width / 2) == recto
    assert lefts[2] < lefts[1] and lefts[2] < lefts[3], f"inner margins not mirrored: {lefts}"


def test_links_inline_and_none(tmp_path):
    sample = Book.of(_sample_doc(rows=3))
    inline = "".join(" ".join(page_texts(_write(sample, tmp_path / "inline.pdf", links="inline"))).split())
    assert "theplanitself(https://example.org/plan)" in inline
    none_pdf = _write(sample, tmp_path / "none.pdf", links="none")
    none = "".join(" ".join(page_texts(none_pdf)).split())
    assert "https://example.org/plan" not in none and "theplanitself" in none
    assert "https://example.org/plan" in link_uris(PdfReader(str(none_pdf))), "links stay clickable"


@pytest.mark.parametrize("variant, marker", [("pdf/ua-1", b"pdfuaid:part"), ("pdf/a-3b", b"pdfaid:part")])
def test_pdf_variants(variant, marker, tmp_path):
    book = Book.of(normalise("<p>A short article for the archive, with <a href='https://example.org'>a link"
                             "</a>.</p>", title="Archive copy", authors=["Ann Writer"]))
    path = _write(book, tmp_path / "v.pdf", pdf_variant=variant)
    reader = PdfReader(str(path))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert marker in xmp
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    if variant == "pdf/a-3b":
        assert b'pdfaid:conformance="B"' in xmp or b"<pdfaid:conformance>B" in xmp
        assert "/OutputIntents" in reader.trailer["/Root"]


def test_bleed_and_crop_marks(tmp_path):
    book = Book.of(normalise("<p>Printer's copy.</p>", title="Bleed"))
    page = PdfReader(str(_write(book, tmp_path / "b.pdf", bleed="3mm", marks="crop", page_size="6x9in"))).pages[0]
    assert [round(float(v)) for v in page.trimbox] == [0, 0, 432, 648]
    assert [round(float(v) / MM, 1) for v in page.mediabox] == [-3, -3, 155.4, 231.6]


# --- scripts, languages, directions ------------------------------------------------------------------

SCRIPTS = """<html lang="ar" dir="rtl"><body><article>
<p>هذه فقرة باللغة العربية لاختبار الاتجاه من اليمين إلى اليسار في الطباعة.</p>
<p lang="he">וזהו משפט בעברית בתוך מאמר בערבית.</p>
<p lang="hi">यह हिन्दी में एक वाक्य है।</p>
<p lang="ja">これは日本語の文です。</p>
<p lang="zh">这是一个中文句子。</p>
<p lang="ko">이것은 한국어 문장입니다.</p>
<p lang="el">Μια ελληνική πρόταση.</p>
</article></body></html>"""


def test_every_script_has_a_font_and_rtl_reads_right_to_left(tmp_path):
    require("script-fonts")
    doc = normalise(SCRIPTS, title="نصوص")
    book = Book.of(doc)
    prepared = PdfWriter().prepare(book, _settings(), ResourcePolicy())
    path = tmp_path / "scripts.pdf"
    assert render(prepared, ResourcePolicy(), path) == [], "some characters print as boxes"
    reader = PdfReader(str(path))
    fonts = " ".join(embedded_fonts(reader))
    for family in ("Naskh-Arabic", "Hebrew", "Devanagari", "CJK-JP", "CJK-SC", "CJK-KR"):
        assert family in fonts, f"no {family} font: {fonts}"
    for sample in ("هذه", "בעברית", "वाक्य", "日本語", "中文", "한국어", "ελληνική"):
        assert sample in pdf_text(path)
    page = reader.pages[0]
    width = float(page.mediabox.width)
    runs = positioned(page)
    arabic = [x for x, y, t in runs if "العربية" in t]
    japanese = [x for x, y, t in runs if "日本語" in t]
    assert arabic and min(arabic) > width / 3, "the Arabic paragraph is not set from the right"
    assert japanese and min(japanese) < width / 4, "the Japanese paragraph inside the Arabic article is not LTR"


def test_missing_glyphs_are_reported(tmp_path):
    require("system-fonts")  # no theme here: the text is set in whatever fontconfig has
    prepared = Prepared(html="<html lang='en'><body><p>A \U0010FFFD B</p></body></html>", css="")
    assert render(prepared, ResourcePolicy(), tmp_path / "x.pdf") == ["\U0010FFFD"]


def test_lang_on_every_element_for_hyphenation():
    from lxml import html as lxml_html

    prepared = PdfWriter().prepare(Book.of(normalise(SCRIPTS, title="t")), _settings(), ResourcePolicy())
    root = lxml_html.fromstring(prepared.html)
    body = root.find("body")
    assert all(el.get("lang") for el in body.iter() if isinstance(el.tag, str))
    assert root.find(".//p[@lang='ja']").get("dir") == "ltr"


@pytest.mark.parametrize("name", ["qq", "hukumusume", "rtl-1", "rtl-3", "keep-tabular-data", "links-in-tables"])
def test_corpus_pages_keep_their_words(name, tmp_path):
    if name in ("qq", "hukumusume"):
        require("script-fonts")  # Chinese and Japanese: without a CJK font they print as boxes pypdf cannot read
    page = CORPUS / name
    meta = page_metadata(page)
    given = {"title": meta.get("title") or name, "authors": [meta["byline"]] if meta.get("byline") else [],
             "language": meta.get("lang")}
    [path] = exporter.export(page / "expected.html", "pdf", tmp_path, **given)
    assert recall(reference_words(page / "expected.html"), words(pdf_text(path))) >= 0.98


# --- books of several articles ---------------------------------------------------------------------

def _article(title: str, author: str, body: str, url: str, heading: str) -> "exporter.document.Document":
    paragraphs = "".join(f"<p>{body} Paragraph {i} goes on for a while so that the article fills more than one "
                         f"page of the book and running heads show on its later pages.</p>" for i in range(28))
    return normalise(f"<article><p>{body}</p><h2>{heading}</h2>{paragraphs}</article>", title=title,
                     authors=[author], source_url=url)


@pytest.fixture(scope="module")
def three_articles():
    return [
        _article("Harbour lights return", "Ada Lovelace", "After a winter of repairs.",
                 "https://news.example.org/harbour", "Repairs"),
        _article("A new ferry timetable", "Grace Hopper", "From Monday the evening ferry.",
                 "https://news.example.org/ferry", "Crossings"),
        _article("Schools close early", "Alan Turing", "Every school on the island.",
                 "https://news.example.org/schools", "Regatta"),
    ]


@pytest.fixture(scope="module")
def book_pdf(three_articles, tmp_path_factory) -> Path:
    from exporter.document import Metadata

    meta = Metadata(title="The Island Weekly", authors=["The Island Desk"], publisher="Island Press",
                    date="2024-07-12")
    book = Book(metadata=meta, articles=three_articles)
    return _write(book, tmp_path_factory.mktemp("book") / "book.pdf", page_size="A5")


def test_book_title_page_then_contents_with_page_numbers(book_pdf, three_articles):
    reader = PdfReader(str(book_pdf))
    texts = [" ".join(t.split()) for t in page_texts(book_pdf)]
    assert texts[0].startswith("The Island Weekly") and "Island Press" in texts[0]
    assert not re.search(r"\b1$", texts[0]), "the title page carries a page number"
    assert texts[1].startswith("Contents")
    starts = {}
    for doc in three_articles:
        title = doc.metadata.title
        start = next(i for i, t in enumerate(texts) if i > 1 and t.startswith(title))
        starts[title] = start
        printed = re.search(re.escape(title) + r"[ .]*?(\d+)", texts[1])
        assert printed and int(printed.group(1)) == start + 1, (title, printed, start + 1)
        assert ". . ." in texts[1] or "...." in texts[1].replace(" ", ""), "no leaders in the contents"
    assert list(starts.values()) == sorted(starts.values())
    outline = outline_titles(reader)
    top = [(t, p) for d, t, p in outline if d == 0]
    assert [t for t, _ in top] == ["Contents"] + list(starts)
    assert [p for t, p in top[1:]] == list(starts.values())
    headings = [(t) for d, t, p in outline if d == 1]
    assert headings == ["Repairs", "Crossings", "Regatta"]


def test_book_running_heads_name_the_current_article(book_pdf, three_articles):
    reader = PdfReader(str(book_pdf))
    texts = [" ".join(t.split()) for t in page_texts(book_pdf)]
    height = float(reader.pages[0].mediabox.height)
    titles = [d.metadata.title for d in three_articles]
    starts = [next(i for i, t in enumerate(texts) if i > 1 and t.startswith(title)) for title in titles]
    for index, page in enumerate(reader.pages):
        head = " ".join(t for x, y, t in positioned(page) if y > height - 14 * MM)
        current = [t for t, s in zip(titles, starts) if s <= index]
        if index in starts or index < 2:
            assert head == "" or head == texts[index][:len(head)], f"page {index + 1} has a head: {head!r}"
        else:
            author = three_articles[titles.index(current[-1])].metadata.authors[0]
            assert head == f"{current[-1]} — {author}", f"page {index + 1}: {head!r}"


def test_book_with_parts_nests_the_outline(three_articles, tmp_path):
    from exporter.document import Metadata

    book = Book(metadata=Metadata(title="Parts"), articles=three_articles,
                parts=[Part("News", three_articles[:2]), Part("Schools", three_articles[2:])])
    path = _write(book, tmp_path / "parts.pdf", duplex=True)
    outline = [(d, t) for d, t, _ in outline_titles(PdfReader(str(path)))]
    assert outline == [(0, "Contents"), (0, "News"), (1, "Harbour lights return"), (2, "Repairs"),
                       (1, "A new ferry timetable"), (2, "Crossings"), (0, "Schools"),
                       (1, "Schools close early"), (2, "Regatta")]
    reader = PdfReader(str(path))
    texts = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    for title in ("Harbour lights return", "A new ferry timetable", "Schools close early"):
        start = next(i for i, t in enumerate(texts) if i > 1 and t.startswith(title))
        assert start % 2 == 0, f"{title!r} opens on a left-hand page ({start + 1}) in a duplex book"
    blank = [i for i, t in enumerate(texts) if not re.search(r"[^\W\d]", t)]
    assert blank, "a duplex book with parts has no blank page before a right-hand opening"
    assert all(texts[i] == "" for i in blank), "a blank page carries a running head or a page number"


def test_links_between_articles_stay_inside_the_book(three_articles, tmp_path):
    from exporter.document import Metadata

    linking = normalise("<p>See <a href='https://news.example.org/ferry'>the timetable</a> for details.</p>",
                        title="Links", authors=["Ed"])
    book = Book(metadata=Metadata(title="Linked"), articles=[linking, *three_articles])
    path = _write(book, tmp_path / "linked.pdf")
    reader = PdfReader(str(path))
    texts = [" ".join(t.split()) for t in page_texts(path)]
    first = next(i for i, t in enumerate(texts) if i > 1 and t.startswith("Links"))
    ferry = next(i for i, t in enumerate(texts) if i > 1 and t.startswith("A new ferry timetable"))
    annots = [a.get_object() for a in reader.pages[first].get("/Annots") or []]
    assert not [a for a in annots if "/A" in a and "/URI" in a["/A"]], "the link still goes to the web"
    inside = [a for a in annots if "/Dest" in a or ("/A" in a and a["/A"].get("/S") == "/GoTo")]
    assert inside, "the link does not go inside the book"
    assert "https://news.example.org/ferry" not in texts[first], "an in-book link got a URL footnote"
    assert "https://news.example.org/ferry" in texts[ferry], "the ferry article's source line names its URL"


def test_list_numbers_stay_apart_from_the_words(tmp_path):
    book = Book.of(normalise("<ol start='3'><li><p>Deep fake phishing is still rare, L</p></li></ol>"
                             "<ol><li>Second list ends with word</li></ol>", title="Lists"))
    found = words(pdf_text(_write(book, tmp_path / "lists.pdf")))
    assert {"l", "3", "word", "1"} <= set(found), found
    assert not [w for w in found if re.fullmatch(r"[a-z]+\d+|\d+[a-z]+", w)], found
