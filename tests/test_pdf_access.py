"""What extractors and assistive technology read from the PDF edition, on the seed and real corpus pages.

Each page is exported once (module fixture); the tests then read its text with three independent
extractors (pypdf, pdfminer.six, poppler) and walk its structure tree with pikepdf.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import exporter
from exporter.document import Book
from exporter.normalise import normalise
from exporter.options import EXPORT_OPTIONS, resolve
from exporter.resources import ResourcePolicy
from exporter.writers.pdf import PdfWriter, render
from helpers import CORPUS, SEED, page_metadata, pdf_texts, recall, reference_words, words
from pdf_structure import read_tree

RECALL = 0.98

# The seed, the corpus pages with tables (one crossing a page break), links in tables, footnotes and
# note references (wikipedia), images (data-url-image), a right-to-left page, a long news article and maths
# set as text (mathjax: lines made only of one-character words, which poppler once joined into one word).
PAGES = ["seed", "keep-tabular-data", "links-in-tables", "wikipedia", "data-url-image", "rtl-1", "guardian-1",
         "mathjax"]


def _source(name: str) -> tuple[Path, dict]:
    if name == "seed":
        return SEED, {"title": "An independent MP", "authors": ["Jane Doe"]}
    page = CORPUS / name
    meta = page_metadata(page)
    given = {"title": meta.get("title") or name}
    if meta.get("byline"):
        given["authors"] = [meta["byline"]]
    if meta.get("lang"):
        given["language"] = meta["lang"]
    return page / "expected.html", given


@pytest.fixture(scope="module", params=PAGES)
def exported(request, tmp_path_factory) -> tuple[str, Path, Path]:
    """(name, source HTML, PDF) of one page, exported once for every test of this module."""
    source, given = _source(request.param)
    [path] = exporter.export(source, "pdf", tmp_path_factory.mktemp(request.param), offline=True, **given)
    return request.param, source, path


@pytest.fixture(scope="module")
def texts(exported) -> dict[str, str]:
    return pdf_texts(exported[2])


def test_every_extractor_reads_every_word(exported, texts):
    name, source, _ = exported
    reference = reference_words(source)
    kept = {tool: round(recall(reference, words(text)), 4) for tool, text in texts.items()}
    assert all(value >= RECALL for value in kept.values()), f"{name}: word recall {kept} (< {RECALL})"


def test_runs_of_one_character_words_get_wider_spaces_and_keep_their_text():
    from lxml import etree

    from exporter.writers.pdf.markup import space_single_characters

    root = etree.fromstring("<section><p>so x = − b ± b 2 and <em>a + b</em> but not a b.</p>"
                            "<pre>x = y + z</pre><p><code>i = j + k</code></p>"
                            "<p>Il y a à manger. Plan A B C. Poszedł i w z nim. Rate it ★ ★ ★ or 😀 😀 😀.</p></section>")
    before = "".join(root.itertext())
    assert space_single_characters(root) == 2
    assert "".join(root.itertext()) == before, "only spans are added: the words and their spaces stay"
    # code keeps its spacing; prose's one-letter words and icon runs (no maths symbol among them) keep theirs
    assert [s.text for s in root.iter("span")] == ["x = − b ± b 2", "a + b"]


def test_layout_hyphens_read_as_soft_hyphens(exported, texts):
    name = exported[0]
    for tool, text in texts.items():
        assert "\u2010" not in text, f"{name}: {tool} reads a hard hyphen (U+2010)"
    if name in ("seed", "guardian-1"):  # justified English prose: the layout hyphenates some words
        for tool, text in texts.items():
            assert re.search(r"\w\u00ad\s*\n\s*\w", text), f"{name}: {tool} reads no soft hyphen at a line end"


def test_a_font_with_a_missing_glyph_is_read_by_every_extractor(tmp_path):
    # A character no font has (a private-use one) is drawn as a box; WeasyPrint then gives that font a custom
    # encoding CMap that pypdf and pdfminer.six could not read ("M(“(ç(J C)U):)" for "Mike Conley").
    book = Book.of(normalise("<p>Mike Conley wrote this XBOXX sentence about the release.</p>", title="Boxes",
                             language="en"))
    settings = resolve(PdfWriter.options + EXPORT_OPTIONS, {})
    prepared = PdfWriter().prepare(book, settings, ResourcePolicy())
    # a private-use character no font has (the normaliser drops such characters, so it is put in afterwards)
    prepared.html = prepared.html.replace("XBOXX", "\U0010FFFD")
    path = tmp_path / "boxes.pdf"
    assert render(prepared, ResourcePolicy(), path) == ["\U0010FFFD"]
    for tool, text in pdf_texts(path).items():
        assert "Mike Conley wrote this" in " ".join(text.split()), f"{tool}: {text[:80]!r}"


# --- the structure tree ------------------------------------------------------------------------------

def _expected(source: Path, given: dict) -> dict:
    """What the structure tree must hold, counted in the HTML the PDF writer lays out."""
    import lxml.html

    book = Book.of(exporter.normalise(source.read_bytes(), **given))
    html = PdfWriter().prepare(book, resolve(PdfWriter.options + EXPORT_OPTIONS, {}), ResourcePolicy(offline=True)).html
    root = lxml.html.fromstring(html)
    return {"tables": len(root.xpath("//table")),
            "notes": len(root.xpath("//span[@class='link-url']")) + len(root.xpath("//*[@role='doc-footnote']")),
            "captions": {" ".join(c.text_content().split()) for c in root.xpath("//figcaption|//caption")}}


def test_structure_tree_follows_the_article(exported):
    name, source, path = exported
    tree = read_tree(path)
    expected = _expected(source, _source(name)[1])
    assert tree.problems == [], f"{name}: {tree.problems[:5]}"
    assert tree.types["Table"] == expected["tables"], f"{name}: one Table per table"
    assert tree.th_without_scope == 0, f"{name}: {tree.th_without_scope} of {tree.types['TH']} TH have no /Scope"
    assert len(tree.note_ids) == expected["notes"], f"{name}: {len(tree.note_ids)} Note for {expected['notes']} notes"
    assert all(tree.note_ids) and set(tree.note_ids) <= tree.ids_in_tree, f"{name}: a Note without a listed /ID"
    assert tree.notes_away_from_calls == 0, f"{name}: {tree.notes_away_from_calls} Note not read after their call"
    assert not [a for a in tree.alts if a and " ".join(a.split()) in expected["captions"]], \
        f"{name}: a Figure's /Alt repeats its caption"
    assert tree.types["NonStruct"] < tree.types["P"] + tree.types["Span"], "mostly NonStruct"


def _png() -> str:
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


STRUCTURED = """<html lang="en"><body><article>
<p>Opening paragraph with a word in Māori, <span lang="mi">kia ora</span>, a link to
<a href="https://example.org/report">the report</a> and a note<a role="doc-noteref" href="#n1" id="r1">1</a>.</p>
<p lang="fr">Un paragraphe en français, pour que la langue change.</p>
<figure><img src="{png}" alt="A red rectangle on white"><figcaption>The red one, described.</figcaption></figure>
<p>Between the figure and the table, a list:</p>
<ol><li>First step of the plan.</li><li>Second step of the plan.</li></ol>
<table><thead><tr><th>Year</th><th>Cost</th><th>Saving</th></tr></thead><tbody>{rows}</tbody></table>
<aside role="doc-footnote" id="n1"><p>The note itself.</p></aside>
</article></body></html>"""


def _write_structured(path: Path, **given) -> Path:
    """STRUCTURED with a 70-row table (on A5 it crosses two page breaks), as a PDF."""
    rows = "".join(f"<tr><th>Year {2000 + i}</th><td>{i * 7} euro</td><td>saving {i}</td></tr>" for i in range(70))
    book = Book.of(normalise(STRUCTURED.format(png=_png(), rows=rows), title="Structure", authors=["Ann Writer"]))
    PdfWriter().write(book, path, resolve(PdfWriter.options + EXPORT_OPTIONS, {"page_size": "A5", **given}),
                      ResourcePolicy())
    return path


@pytest.fixture(scope="module")
def structured_pdf(tmp_path_factory) -> Path:
    return _write_structured(tmp_path_factory.mktemp("structured") / "structured.pdf")


def test_a_table_across_pages_is_one_table_with_its_headers(structured_pdf):
    import pikepdf

    tree = read_tree(structured_pdf)
    assert tree.problems == []
    with pikepdf.open(structured_pdf) as pdf:
        assert len(pdf.pages) >= 3, "the table does not cross a page break"
    assert tree.types["Table"] == 1 and tree.types["TR"] == 71, dict(tree.types)  # the repeated header row: artifact
    assert tree.types["TH"] == 3 + 70 and tree.th_without_scope == 0
    assert tree.td_headers == 140, "every data cell names its column and row headers"


def test_notes_languages_and_figures(structured_pdf):
    tree = read_tree(structured_pdf)
    assert len(tree.note_ids) == 2 and tree.types["Reference"] == 2, "the link URL's footnote and the article's note"
    assert tree.notes_away_from_calls == 0, "the article's note is read after the paragraph calling it"
    assert sorted(tree.langs) == ["fr", "mi"]
    assert tree.alts == ["A red rectangle on white"]
    assert tree.types["Caption"] == 1
    assert tree.types["LI"] == 2 and tree.types["Lbl"] == 2 + 1, "each list number, and the footnote marker"


def test_running_heads_and_page_numbers_are_artifacts(structured_pdf):
    import pikepdf

    with pikepdf.open(structured_pdf) as pdf:
        data = pdf.pages[1].Contents.read_bytes()
    assert data.count(b"/Artifact <</Type /Pagination>> BDC") >= 2, "the running head and the folio of page 2"


# --- the declared variants, and a validator ------------------------------------------------------------
# veraPDF does not install from PyPI, Debian or npm; PyPI's pdfua checks a machine-checkable part of PDF/UA-1
# (16 of 106 rules; its empty-heading rule UA-14-001 raises on pikepdf 10 arrays and is reported as skipped).

def _pdfua_findings(path: Path) -> list[str]:
    import json
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "pdfua", "check", "--format", "json", str(path)],
                         capture_output=True, text=True, timeout=300)
    report = json.loads(run.stdout)
    report = report[0] if isinstance(report, list) else report
    return [f"{f['rule_id']}: {f['message']}" for f in report["findings"]]


@pytest.mark.parametrize("variant", ["pdf/ua-1", "pdf/a-3b"])
def test_declared_variants_keep_the_structure_and_pass_pdfua(variant, tmp_path):
    path = _write_structured(tmp_path / "variant.pdf", pdf_variant=variant)
    tree = read_tree(path)
    assert tree.problems == [] and tree.types["Table"] == 1 and tree.th_without_scope == 0
    assert len(tree.note_ids) == 2
    findings = _pdfua_findings(path)
    if variant == "pdf/a-3b":  # archival, not declared accessible: pdfua notes the missing PDF/UA claim only
        findings = [f for f in findings if not f.startswith("UA-28-004")]
    assert findings == []
    for tool, text in pdf_texts(path).items():
        assert "Un paragraphe en français" in " ".join(text.split()), tool


def test_alt_text_only_from_the_source_and_decorative_images_are_artifacts(tmp_path, caplog):
    png = _png()
    markup = (f"<article><p>Text before the figures.</p><figure><img src='{png}'><figcaption>A caption for an "
              f"image without alt.</figcaption></figure><figure><img src='{png}' alt=''></figure><p>Text with "
              f"an inline <img src='{png}' alt='red square'> image.</p></article>")
    book = Book.of(normalise(markup, title="Figures", language="en"))
    path = tmp_path / "figures.pdf"
    with caplog.at_level("WARNING", logger="exporter"):
        PdfWriter().write(book, path, resolve(PdfWriter.options + EXPORT_OPTIONS, {"pdf_variant": "pdf/ua-1"}),
                          ResourcePolicy())
    tree = read_tree(path)
    assert tree.problems == []
    # the inline image's own alt; the captioned image without alt holds its Caption and has no /Alt (none is
    # invented from the caption); the decorative one is an artifact, its empty figure gone
    assert tree.alts == ["red square", None] and tree.types["Caption"] == 1
    assert tree.types["NonStruct"] == 2, dict(tree.types)  # the title block, the block around the captioned image
    assert "is not declared PDF/UA: 1 image(s) have no text alternative" in caplog.text
    import pikepdf

    with pikepdf.open(path) as pdf:  # the figure without /Alt breaks PDF/UA-1 7.3: no claim (the rest of the XMP stays)
        xmp = pdf.Root.Metadata.read_bytes()
    assert b"pdfuaid" not in xmp.replace(b"xmlns:pdfuaid", b"") and b"<dc:title>" in xmp



def test_moved_notes_and_a_withdrawn_ua_claim_build_the_same_bytes(tmp_path):
    # STRUCTURED: an article note moved after its paragraph; the figures page: an image without alt, so the
    # PDF/UA-1 claim is taken out of the XMP
    first, again = _write_structured(tmp_path / "a.pdf"), _write_structured(tmp_path / "b.pdf")
    assert first.read_bytes() == again.read_bytes()
    png = _png()
    book = Book.of(normalise(f"<p>Text and <img src='{png}'> an image without alt.</p>", title="F", language="en"))
    settings = resolve(PdfWriter.options + EXPORT_OPTIONS, {"pdf_variant": "pdf/ua-1"})
    for name in ("c.pdf", "d.pdf"):
        PdfWriter().write(book, tmp_path / name, settings, ResourcePolicy())
    assert (tmp_path / "c.pdf").read_bytes() == (tmp_path / "d.pdf").read_bytes()

def test_a_formula_whose_tex_no_reader_could_read_is_an_image_without_alt(tmp_path):
    # judge-alt-text keeps TeX it could not turn into words but marks the image described="no": the PDF treats
    # it as an image without a text alternative (no /Alt of raw TeX), and the marker is the tree's, not HTML
    png = _png()
    markup = (f"<article><p>The harbour fee follows the rule <img src='{png}' alt='\\unknowncommand{{'> for "
              f"every boat, and <img src='{png}' alt='red square'> marks the quay.</p></article>")
    book = Book.of(normalise(markup, title="Unread TeX", language="en"))
    assert [img.get("described") for img in book.articles[0].tree.iter("img")] == ["no", None]
    settings = resolve(PdfWriter.options + EXPORT_OPTIONS, {})
    html = PdfWriter().prepare(book, settings, ResourcePolicy()).html
    assert "described" not in html and "unknowncommand" not in html
    path = tmp_path / "tex.pdf"
    PdfWriter().write(book, path, settings, ResourcePolicy())
    tree = read_tree(path)
    assert tree.problems == [] and sorted(tree.alts, key=str) == [None, "red square"]


# --- WeasyPrint's internals -----------------------------------------------------------------------------
# The structure tree is reworked from what a wrapper around WeasyPrint 70's private _build_box_tree records.
# Another WeasyPrint must still give a PDF (with WeasyPrint's own tags) and say so, never fail or mis-tag.

def _written_with_weasyprints_tags(tmp_path: Path, monkeypatch, caplog) -> str:
    """Write STRUCTURED; check the PDF has WeasyPrint's own tags and reads; return what was logged."""
    from exporter.writers import _weasyprint

    monkeypatch.setattr(_weasyprint, "_warned", set())  # the warning is said once a process
    with caplog.at_level("WARNING", logger="exporter"):
        path = _write_structured(tmp_path / "other.pdf")
    assert path.is_file() and "left as WeasyPrint" in caplog.text
    tree = read_tree(path)
    assert tree.types["Table"] > 1, "WeasyPrint's own tags: the long table is one Table per page"
    for tool, text in pdf_texts(path).items():
        assert "Un paragraphe en français" in " ".join(text.split()), tool
    return caplog.text


def test_a_builder_with_other_parameters_is_not_wrapped(tmp_path, monkeypatch, caplog):
    from weasyprint.pdf import tags

    build = tags._build_box_tree

    def _build_box_tree(box, parent_element, document, *args):  # as another WeasyPrint might name them
        yield from build(box, parent_element, document, *args)

    monkeypatch.setattr(tags, "_build_box_tree", _build_box_tree)
    logged = _written_with_weasyprints_tags(tmp_path, monkeypatch, caplog)
    assert "takes box, parent_element, document, not box, parent, pdf" in logged


def test_boxes_of_another_shape_leave_weasyprints_tags(tmp_path, monkeypatch, caplog):
    from exporter.writers.pdf import structure

    def capture(recorded):  # what reading the boxes of a WeasyPrint without element_tag raises
        for box in recorded.values():
            raise AttributeError(f"'{type(box).__name__}' object has no attribute 'element_tag'")
        return {}

    monkeypatch.setattr(structure, "capture", capture)
    assert "its boxes cannot be read (AttributeError: " in _written_with_weasyprints_tags(tmp_path, monkeypatch, caplog)
