"""Images in the clean tree: the alt contract (absent, decorative, described) and how each edition renders it."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

import exporter
from exporter.normalise import normalise
from exporter.tree import validation_errors
from helpers import epubcheck, pdf_text

OPF = {"opf": "http://www.idpf.org/2007/opf"}


def _images(doc) -> list[dict]:
    return [dict(img.attrib) for img in doc.tree.iter("img")]


def test_absent_blank_and_real_alt_stay_three_different_things():
    doc = normalise('<p>Words enough to be an article.</p><img src="a.png"><img src="b.png" alt="  ">'
                    '<img src="c.png" alt=" A red  door ">', language="en")
    assert _images(doc) == [{"src": "a.png"}, {"src": "b.png", "alt": ""}, {"src": "c.png", "alt": "A red door"}]
    assert validation_errors(doc.tree) == []


def test_the_source_size_in_pixels_is_kept_and_any_other_size_is_not():
    doc = normalise('<p>Words.</p><img src="a.png" alt="A" width="16" height="16px">'
                    '<img src="b.png" alt="B" width="100%" height="0"><img src="c.png" alt="C" width="12.5">',
                    language="en")
    assert _images(doc) == [{"src": "a.png", "alt": "A", "width": "16", "height": "16"},
                            {"src": "b.png", "alt": "B"}, {"src": "c.png", "alt": "C", "width": "12"}]
    assert validation_errors(doc.tree) == []


def test_schema_refuses_an_image_size_that_is_not_a_positive_whole_number():
    tree = etree.fromstring('<article><figure><img src="a.png" width="0"/></figure></article>')
    assert validation_errors(tree)


@pytest.fixture(scope="module")
def undescribed(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("undescribed")
    Image.new("RGB", (40, 30), "red").save(folder / "pic.png")
    (folder / "page.html").write_text(
        '<html lang="en"><head><title>Undescribed</title></head><body>'
        '<p>The first paragraph has words enough to make an article of it.</p>'
        '<figure><img src="pic.png"><figcaption>A caption, which is not a description.</figcaption></figure>'
        '<p>Then a decorative rule.</p><figure><img src="pic.png" alt=""></figure></body></html>',
        encoding="utf-8")
    paths = exporter.export([folder / "page.html"], formats="epub,pdf,txt", out=folder / "out")
    return {p.suffix[1:]: p for p in paths}


@pytest.mark.epubcheck
def test_an_image_without_alt_gives_a_valid_epub_that_claims_no_alternative_text(undescribed):
    report = epubcheck(undescribed["epub"])
    assert (report["errors"], report["warnings"]) == (0, 0), report["messages"]
    with zipfile.ZipFile(undescribed["epub"]) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
    features = [m.text for m in opf.iterfind("opf:metadata/opf:meta[@property='schema:accessibilityFeature']", OPF)]
    assert "alternativeText" not in features


def test_an_image_without_alt_is_marked_in_the_text_and_its_caption_is_kept(undescribed):
    text = undescribed["txt"].read_text(encoding="utf-8")
    assert "[Image]\nA caption, which is not a description." in text
    assert "caption, which is not a description" in " ".join(pdf_text(undescribed["pdf"]).split())


# --- alt text quality ------------------------------------------------------------------------------

def test_alt_that_describes_nothing_goes_and_the_report_counts_it():
    doc = normalise('<p>Words enough for an article about a harbour.</p>'
                    '<img src="https://e.org/up/12-IMG_3886.jpg" alt="12-IMG_3886.jpg">'
                    '<img src="b.jpg" alt="https://e.org/b.jpg"><img src="c.jpg" alt="JPG">'
                    '<img src="d.jpg" alt="<b>photo</b>">'
                    '<figure><img src="e.jpg" alt="The quay at dawn"><figcaption>The quay at dawn. Photo: J. Doe'
                    '</figcaption></figure><img src="f.jpg" alt="Boats moored along the quay">', language="en")
    assert [img.get("alt") for img in doc.tree.iter("img")] == [None] * 5 + ["Boats moored along the quay"]
    assert [img.getparent().tag for img in doc.tree.iter("img")] == ["figure"] * 6  # a row of pictures
    lines = doc.report.lines()
    assert {f"removed 1 alt text that described nothing ({why})"
            for why in ("file names", "URLs", "markup", "bare extensions", "caption repeats")} <= set(lines)


def test_tex_and_mathml_alternatives_become_readable_text():
    doc = normalise(r'<p>The adjoint <img src="a.svg" alt="{\displaystyle A^{*}}"> satisfies '
                    r'<img src="b.svg" alt="{\displaystyle \det \left(A^{*}\right)={\overline {\det A}}}">, and '
                    '<img src="c.svg" alt="&lt;math&gt;&lt;mfrac&gt;&lt;mi&gt;a&lt;/mi&gt;&lt;mi&gt;b&lt;/mi&gt;'
                    '&lt;/mfrac&gt;&lt;/math&gt;"> is a fraction.</p>', language="en")
    assert [img.get("alt") for img in doc.tree.iter("img")] == [
        "A^*", "det (A^*)=d\u0305e\u0305t\u0305 A\u0305", "(a)/(b)"]
    assert "turned 3 maths alt texts into words" in doc.report.lines()


# --- inline images: the maths page and the icons read as whole sentences in every edition -----------

INLINE = Path(__file__).resolve().parent / "data" / "inline"


def _paragraphs(doc) -> list[str]:
    return [" ".join("".join(p.itertext()).split()) for p in doc.tree.iter("p")]


def test_formulas_in_sentences_stay_inline_and_a_displayed_formula_is_a_figure():
    """Before: 35 paragraphs (median 4 words) and 30 figures; each formula split its sentence."""
    doc = normalise((INLINE / "maths.html").read_bytes(), base=INLINE)
    assert len(_paragraphs(doc)) == 6
    assert [f.find("img").get("alt") for f in doc.tree.iter("figure")] == ["(𝐀^H)_ij=𝐀\u0305_j\u0305i\u0305"]
    assert all(img.getparent().tag == "p" for img in doc.tree.iter("img") if img.getparent().tag != "figure")
    assert "kept 29 images inline, within the text" in doc.report.lines()
    assert validation_errors(doc.tree) == []


def test_a_sentence_with_an_image_and_no_text_around_it_elsewhere_still_becomes_a_figure():
    doc = normalise('<p>A sentence ends. <img src="a.png" alt="A ship"> Another one starts.</p>'
                    '<p><img src="b.png" alt="A boat" width="16" height="16"></p>'
                    '<p>A photo <img src="c.png" alt="A harbour" width="800" height="600"> in the middle.</p>',
                    language="en")
    assert [img.getparent().tag for img in doc.tree.iter("img")] == ["figure", "figure", "figure"]


def test_images_side_by_side_share_one_verdict():
    doc = normalise('<p>A sentence ends. <img src="a.png" alt="A ship"><img src="b.png" alt="A boat"> Another '
                    'starts.</p><p>Let <img src="m.svg" alt="A"><img src="n.svg" alt="B"> be two matrices.</p>',
                    language="en")
    assert [img.getparent().tag for img in doc.tree.iter("img")] == ["figure", "figure", "p", "p"]


@pytest.fixture(scope="module")
def inline_editions(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("inline")
    paths = exporter.export([INLINE / "maths.html", INLINE / "emoji.html"], formats="epub,pdf,txt", out=out)
    return {p.name: p for p in paths}


def _joined(text: str) -> str:
    return " ".join(text.split())


def test_the_text_edition_reads_whole_sentences(inline_editions):
    maths = inline_editions["conjugate-transpose.txt"].read_text(encoding="utf-8")
    assert ("the *conjugate transpose* of a complex matrix 𝐀 is the matrix obtained by transposing 𝐀 and taking "
            "the complex conjugate of each entry. It is often written 𝐀^H or 𝐀^*, and") in _joined(maths)
    assert maths.count("[Image") == 1  # the displayed formula only
    icons = _joined(inline_editions["release-day.txt"].read_text(encoding="utf-8"))
    assert "shipped the new release on time 🎉 and everyone went home early for once." in icons
    assert "press the [Image] button at the top, then choose" in icons
    assert "[Image: The harbour at dusk, boats moored along the quay]" in icons


def _article_paragraphs(epub: Path) -> list[etree._Element]:
    with zipfile.ZipFile(epub) as z:
        name = next(n for n in z.namelist() if n.startswith("EPUB/text/article"))
        root = etree.fromstring(z.read(name))
    return root.findall(".//{http://www.w3.org/1999/xhtml}p")


@pytest.mark.epubcheck
@pytest.mark.parametrize("name", ["conjugate-transpose.epub", "release-day.epub"])
def test_the_epub_keeps_images_in_their_paragraphs_and_passes_epubcheck(inline_editions, name):
    report = epubcheck(inline_editions[name])
    assert (report["errors"], report["warnings"]) == (0, 0), report["messages"]
    paragraphs = _article_paragraphs(inline_editions[name])
    inline = [img for p in paragraphs for img in p.iter("{http://www.w3.org/1999/xhtml}img")]
    assert inline and all(img.get("class") == "inline" for img in inline)
    assert len(inline) == {"conjugate-transpose.epub": 29, "release-day.epub": 2}[name]


def test_the_pdf_sets_inline_images_in_the_line(inline_editions):
    lines = [_joined(line) for line in pdf_text(inline_editions["release-day.pdf"]).splitlines()]
    assert "The team shipped the new release on time and everyone went home early for once." in lines
    maths = [_joined(line) for line in pdf_text(inline_editions["conjugate-transpose.pdf"]).splitlines()]
    assert any(line.startswith("In linear algebra, the conjugate transpose of a complex matrix is the matrix")
               for line in maths)


def test_an_undescribed_icon_in_a_table_cell_is_named_by_its_file_in_the_text_edition(tmp_path):
    (tmp_path / "page.html").write_text(
        '<html lang="en"><head><title>Status</title></head><body><p>The state of each task, as the team sees it.</p>'
        '<table><tr><th>Task</th><th>State</th></tr><tr><td>Design</td><td><img src="done.png" width="20"></td></tr>'
        '<tr><td>Review</td><td><img src="todo.png" width="20"></td></tr></table></body></html>', encoding="utf-8")
    [path] = exporter.export([tmp_path / "page.html"], formats="txt", out=tmp_path / "out")
    text = path.read_text(encoding="utf-8")
    assert "[Image: done.png]" in text and "[Image: todo.png]" in text


def test_the_prepared_image_cache_is_bounded_by_bytes() -> None:
    """32 pass-through images of 8 MB each (a noisy PNG within 1600 px, an SVG) were 256 MB held per process;
    the cache holds at most its bytes, the most recent first, and keeps none larger than all of it."""
    from exporter import images

    def image(size: int) -> images.PreparedImage:
        return images.PreparedImage(b"\0" * size, "image/png", "png", 1600, 1600)

    cache = images._Prepared()
    assert cache.max_bytes == images.CACHE_BYTES <= 64_000_000
    for n in range(32):
        cache.get(("big", n), lambda: image(8_000_000))
    assert cache.held <= cache.max_bytes
    assert sum(len(v.data) for v in cache._items.values()) <= cache.max_bytes
    assert ("big", 31) in cache._items and ("big", 0) not in cache._items  # the oldest went first

    small = images._Prepared(max_bytes=10_000)
    made: list[int] = []
    for n in (1, 2, 1):
        small.get(("small", n), lambda: made.append(n) or image(3_000))
    assert made == [1, 2], "a kept image is not made again"
    huge = small.get(("huge",), lambda: image(20_000))
    assert huge is not None and len(huge.data) == 20_000 and ("huge",) not in small._items
    assert small.held <= 10_000 and ("small", 1) in small._items, "an image over the whole bound evicts nothing"
    small.get(("none",), lambda: None)  # an undecodable image is remembered too, at an entry's cost
    assert ("none",) in small._items and small.held <= 10_000
