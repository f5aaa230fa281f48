"""The EPUB edition: structure, cover, images, notes, fonts, metadata, reproducibility, collections."""
from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

import exporter
from exporter import themes
from exporter.document import Book, Part
from exporter.errors import LimitError, UsageError
from exporter.fontsubset import subset_font
from exporter.images import prepare_bytes
from exporter.normalise import normalise
from exporter.options import resolve
from exporter.pipeline import all_options
from exporter.resources import ResourcePolicy
from exporter.svg import sanitise
from exporter.writers.epub import EpubWriter
from helpers import epubcheck, reference_words, recall, words

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
HOSTILE_SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
               b'xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="80" onload="alert(1)">'
               b'<script>alert(2)</script><rect width="120" height="80" fill="teal"/>'
               b'<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs>'
               b'<path d="M0 0L10 10" stroke="url(#gone)"/>'
               b'<a xlink:href="javascript:alert(3)"><circle cx="40" cy="40" r="20" fill="url(#g)"/></a>'
               b'<image xlink:href="https://evil.example/track.png" width="10" height="10"/>'
               b'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">html</div></foreignObject>'
               b'<use xlink:href="https://evil.example/sprite.svg#x"/><text x="10" y="70">Chart</text></svg>')


class Epub:
    """An exported EPUB, opened once for many assertions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)
        self.opf = etree.fromstring(self.zip.read("EPUB/content.opf"))

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.zip.read(f"EPUB/{name}"))

    def manifest(self) -> dict[str, etree._Element]:
        return {i.get("href"): i for i in self.opf.iterfind("opf:manifest/opf:item", NS)}

    def spine(self) -> list[str]:
        by_id = {i.get("id"): i.get("href") for i in self.opf.iterfind("opf:manifest/opf:item", NS)}
        return [by_id[r.get("idref")] for r in self.opf.iterfind("opf:spine/opf:itemref", NS)]

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.iterfind(f"opf:metadata/opf:meta[@property='{prop}']", NS)]

    def documents(self) -> list[str]:
        return [h for h, i in self.manifest().items() if i.get("media-type") == "application/xhtml+xml"]


def _export(src: Path, out: Path, **options) -> Path:
    [path] = exporter.export(src, formats="epub", out=out, **options)
    return path


def _write_book(book: Book, path: Path, **options) -> Path:
    settings = resolve(all_options(), options)
    EpubWriter().write(book, path, settings, ResourcePolicy.from_settings(None, settings))
    return path


def _clean(path: Path) -> None:
    report = epubcheck(path)
    assert (report["errors"], report["warnings"]) == (0, 0), report["messages"]


# --- the seed article: structure, cover, metadata, fonts, reproducibility ------------------------------

@pytest.fixture(scope="module")
def seed_epub(tmp_path_factory) -> Epub:
    from helpers import SEED

    out = tmp_path_factory.mktemp("seed")
    return Epub(_export(SEED, out, title="A seed article", authors=["Jane Doe", "John Roe"],
                        source_url="https://example.org/seed", subjects=["testing"], rights="CC BY 4.0",
                        date="2024-03-05", publisher="Example Press", description="A short summary."))


@pytest.mark.epubcheck
def test_seed_epub_passes_epubcheck_and_keeps_words(seed_epub):
    from helpers import SEED, epub_text

    _clean(seed_epub.path)
    assert recall(reference_words(SEED), words(epub_text(seed_epub.path))) >= 0.99


def test_cover_is_present_declared_and_first(seed_epub):
    manifest = seed_epub.manifest()
    covers = [h for h, i in manifest.items() if "cover-image" in (i.get("properties") or "").split()]
    assert covers == ["images/cover.png"]
    cover_id = manifest["images/cover.png"].get("id")
    assert seed_epub.opf.find(f"opf:metadata/opf:meta[@name='cover'][@content='{cover_id}']", NS) is not None
    data = seed_epub.zip.read("EPUB/images/cover.png")
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (1600, 2560)
        # a 256-colour PNG: its colours are the background blended into the ink and the accent, as drawn
        assert image.mode == "P" and len(data) < 60_000  # a full-colour PNG was 90 KB and 0.08 s to encode
        colours = {rgb for _, rgb in image.convert("RGB").getcolors(256)}
        assert len(colours) > 100  # anti-aliased type, not two flat colours
    assert seed_epub.spine()[:3] == ["text/cover.xhtml", "text/title.xhtml", "text/article-1.xhtml"]
    page = seed_epub.xml("text/cover.xhtml")
    assert page.find(".//x:img", NS).get("src") == "../images/cover.png"


def test_nav_has_toc_and_landmarks_and_ncx_exists(seed_epub):
    nav = seed_epub.xml("nav.xhtml")
    assert nav.find(".//x:nav[@epub:type='toc']", NS) is not None
    landmarks = {a.get(EPUB_TYPE): a.get("href") for a in nav.iterfind(".//x:nav[@epub:type='landmarks']//x:a", NS)}
    assert landmarks == {"cover": "text/cover.xhtml", "titlepage": "text/title.xhtml",
                         "bodymatter": "text/article-1.xhtml"}
    assert seed_epub.xml("toc.ncx").find(".//ncx:navPoint", NS) is not None
    title = seed_epub.xml("text/title.xhtml")
    assert title.findtext(".//x:h1", namespaces=NS) == "A seed article"
    assert "Jane Doe and John Roe" in etree.tostring(title, encoding="unicode")


def test_every_content_document_has_lang_and_dir(seed_epub):
    for name in seed_epub.documents():
        root = seed_epub.xml(name)
        assert root.get("lang") == "en" and root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en", name
        assert root.get("dir") == "ltr" and root.find("x:body", NS).get("dir") == "ltr", name


def test_metadata_is_complete(seed_epub):
    md = seed_epub.opf.find("opf:metadata", NS)
    creators = md.findall("dc:creator", NS)
    assert [c.text for c in creators] == ["Jane Doe", "John Roe"]
    assert len({c.get("id") for c in creators}) == 2
    for c in creators:
        role = md.find(f"opf:meta[@refines='#{c.get('id')}'][@property='role']", NS)
        assert role is not None and role.text == "aut"
    assert md.findtext("dc:source", namespaces=NS) == "https://example.org/seed"
    assert md.findtext("dc:publisher", namespaces=NS) == "Example Press"
    assert md.findtext("dc:date", namespaces=NS) == "2024-03-05"
    assert md.findtext("dc:rights", namespaces=NS) == "CC BY 4.0"
    assert md.findtext("dc:subject", namespaces=NS) == "testing"
    assert md.findtext("dc:description", namespaces=NS) == "A short summary."
    assert md.findtext("dc:identifier", namespaces=NS).startswith("urn:uuid:")
    assert seed_epub.meta("dcterms:modified") == ["2024-03-05T00:00:00Z"]
    assert "textual" in seed_epub.meta("schema:accessMode")
    assert {"structuralNavigation", "tableOfContents"} <= set(seed_epub.meta("schema:accessibilityFeature"))
    assert seed_epub.meta("schema:accessibilityHazard") and seed_epub.meta("schema:accessibilitySummary")


def test_fonts_are_subset_with_explicit_media_types(seed_epub):
    fonts = {h: i for h, i in seed_epub.manifest().items() if h.startswith("fonts/") and h.endswith(".ttf")}
    assert fonts, "the theme's fonts are embedded"
    assert {i.get("media-type") for i in fonts.values()} == {"font/ttf"}
    source = {f.path.name: f.path.stat().st_size for f in themes.load("default").faces}
    for href in fonts:
        embedded = len(seed_epub.zip.read(f"EPUB/{href}"))
        assert embedded < source[Path(href).name] / 5, (href, embedded)
    # the seed has no code: the monospace faces stay out
    assert not any("JetBrains" in h for h in fonts)
    # licences travel with the fonts, and the subset keeps the font's own licence strings (name IDs 13, 14)
    assert "fonts/licences/charis-sil-OFL.txt" in seed_epub.manifest()
    from fontTools.ttLib import TTFont

    name = TTFont(io.BytesIO(seed_epub.zip.read("EPUB/fonts/CharisSIL-Regular.ttf")))["name"]
    assert "Open Font License" in str(name.getDebugName(13))


def test_zip_is_reproducible_and_reader_safe(seed_epub, tmp_path, monkeypatch):
    from helpers import SEED

    first = seed_epub.zip.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    again = _export(SEED, tmp_path, title="A seed article", authors=["Jane Doe", "John Roe"],
                    source_url="https://example.org/seed", subjects=["testing"], rights="CC BY 4.0",
                    date="2024-03-05", publisher="Example Press", description="A short summary.")
    assert again.read_bytes() == seed_epub.path.read_bytes()
    for info in seed_epub.zip.infolist():
        assert " " not in info.filename
        if info.filename.endswith((".xhtml", ".opf", ".ncx")):
            text = seed_epub.zip.read(info).decode("utf-8")
            assert "<script" not in text and 'href=""' not in text and "<!--" not in text


def test_modified_date_follows_source_date_epoch(tmp_path, monkeypatch, seed_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    book = Epub(_export(seed_path, tmp_path, title="Epoch", date="2024-01-02T10:00+0100"))
    assert book.meta("dcterms:modified") == ["2023-11-14T22:13:20Z"]
    # a date-time in any zone spelling is written as a day: valid W3CDTF and valid HTML datetime
    assert book.opf.findtext("opf:metadata/dc:date", namespaces=NS) == "2024-01-02"
    assert book.xml("text/title.xhtml").find(".//x:time", NS).get("datetime") == "2024-01-02"


# --- right to left ---------------------------------------------------------------------------------

@pytest.mark.epubcheck
def test_rtl_article_gets_rtl_progression_and_dir(tmp_path):
    src = tmp_path / "arabic.html"
    src.write_text("<html lang='ar' dir='rtl'><head><title>مقالة</title></head><body><article>"
                   "<h2>مقدمة</h2><p>هذه مقالة قصيرة مكتوبة باللغة العربية لاختبار الكتاب.</p>"
                   "<p>فقرة ثانية فيها كلمات أخرى.</p></article></body></html>", encoding="utf-8")
    book = Epub(_export(src, tmp_path / "out", title="مقالة عربية"))
    _clean(book.path)
    assert book.opf.find("opf:spine", NS).get("page-progression-direction") == "rtl"
    for name in book.documents():
        root = book.xml(name)
        assert root.get("dir") == "rtl" and root.find("x:body", NS).get("dir") == "rtl", name
        assert root.get("lang") == "ar"


# --- images ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def image_epub(tmp_path_factory) -> Epub:
    folder = tmp_path_factory.mktemp("images")
    Image.new("RGB", (400, 300), (200, 30, 30)).save(folder / "photo.webp", "WEBP")
    Image.new("RGB", (300, 200), (30, 200, 30)).save(folder / "scan.tiff", "TIFF")
    Image.new("RGB", (3200, 1000), (30, 30, 200)).save(folder / "wide.png", "PNG")
    (folder / "chart.svg").write_bytes(HOSTILE_SVG)
    small = io.BytesIO()
    Image.new("RGB", (20, 20), (90, 90, 90)).save(small, "PNG")
    data_uri = "data:image/png;base64," + base64.b64encode(small.getvalue()).decode()
    (folder / "article.html").write_text(f"""<html lang="en"><body><article>
      <p>Pictures of several kinds follow in this article.</p>
      <figure><img src="photo.webp" alt="A red photo"><figcaption>WebP photo</figcaption></figure>
      <figure><img src="scan.tiff" alt="A green scan"><figcaption>TIFF scan</figcaption></figure>
      <figure><img src="wide.png" alt="A wide blue band"></figure>
      <figure><img src="chart.svg" alt="A chart"></figure>
      <figure><img src="{data_uri}" alt="A grey square"></figure>
      <figure><img src="missing.jpg" alt="Nobody has this image"><figcaption>Lost caption</figcaption></figure>
      <p>The end of the pictures.</p></article></body></html>""", encoding="utf-8")
    return Epub(_export(folder / "article.html", folder / "out", title="Images"))


@pytest.mark.epubcheck
def test_image_epub_passes_epubcheck(image_epub):
    _clean(image_epub.path)


def test_webp_and_tiff_are_converted_and_large_images_scaled(image_epub):
    images = {h: i.get("media-type") for h, i in image_epub.manifest().items()
              if h.startswith("images/") and "cover" not in h}
    assert set(images.values()) <= {"image/jpeg", "image/png", "image/svg+xml"}
    assert not any(h.endswith((".webp", ".tiff")) for h in images)
    article = image_epub.xml("text/article-1.xhtml")
    src = {img.get("alt"): img.get("src")[3:] for img in article.iterfind(".//x:img", NS)}
    assert images[src["A red photo"]] == "image/jpeg" and images[src["A green scan"]] == "image/jpeg"
    with Image.open(io.BytesIO(image_epub.zip.read("EPUB/" + src["A red photo"]))) as im:
        assert im.format == "JPEG" and im.size == (400, 300)
    with Image.open(io.BytesIO(image_epub.zip.read("EPUB/" + src["A wide blue band"]))) as im:
        assert max(im.size) == 1600
    assert "A grey square" in src


def test_svg_is_embedded_sanitised(image_epub):
    article = image_epub.xml("text/article-1.xhtml")
    src = next(i.get("src")[3:] for i in article.iterfind(".//x:img", NS) if i.get("alt") == "A chart")
    svg = image_epub.zip.read("EPUB/" + src).decode()
    for bad in ("script", "onload", "javascript", "evil.example", "foreignObject"):
        assert bad not in svg
    assert "<rect" in svg and "Chart" in svg and 'fill="url(#g)"' in svg
    assert "#gone" not in svg and "<path" in svg  # a reference to nothing goes, the drawing stays


def test_missing_image_keeps_alt_text_and_caption(image_epub):
    text = etree.tostring(image_epub.xml("text/article-1.xhtml"), method="text", encoding="unicode")
    assert "Nobody has this image" in text and "Lost caption" in text
    assert "missing.jpg" not in image_epub.zip.read("EPUB/text/article-1.xhtml").decode()
    assert "alternativeText" in image_epub.meta("schema:accessibilityFeature")
    assert "visual" in image_epub.meta("schema:accessMode")


def test_sanitise_rejects_what_is_not_svg():
    assert sanitise(b"<html><script>x</script></html>") is None
    assert sanitise(b"not xml at all") is None
    assert b"<script" not in sanitise(HOSTILE_SVG)


def test_prepare_converts_avif_bmp_ico_to_what_readers_show():
    for fmt in ("AVIF", "BMP", "ICO"):
        raw = io.BytesIO()
        Image.new("RGB", (64, 64), (10, 120, 200)).save(raw, fmt)
        image = prepare_bytes(raw.getvalue())
        assert image is not None and image.media_type in ("image/jpeg", "image/png"), fmt
    assert prepare_bytes(b"\x89PNG\r\n\x1a\nbroken") is None


def test_subset_font_is_small_and_has_the_glyphs():
    from fontTools.ttLib import TTFont

    face = themes.load("default").faces[0]
    data = subset_font(face.path, "Ünïcödé ŋ")
    assert len(data) < face.path.stat().st_size / 5
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    assert all(ord(c) in cmap for c in "Ünïcödé ŋ") and ord("ж") not in cmap


def test_articles_in_latin_share_one_subset_so_a_batch_subsets_each_face_once():
    from fontTools.ttLib import TTFont

    face = themes.load("default").faces[0]
    one, other = subset_font(face.path, "An article."), subset_font(face.path, "Ein Artikel, “schön”, 5 €…")
    assert one == other  # the same bytes, made once and reused
    cmap = TTFont(io.BytesIO(one)).getBestCmap()
    assert all(ord(c) in cmap for c in "àéîõüßÆ¿€—") and ord("ŋ") not in cmap
    assert ord("ŋ") in TTFont(io.BytesIO(subset_font(face.path, "ŋ"))).getBestCmap()


# --- cover option ----------------------------------------------------------------------------------

def test_cover_option_uses_the_given_image(tmp_path, seed_path):
    cover = tmp_path / "cover.webp"
    Image.new("RGB", (800, 1200), (250, 200, 0)).save(cover, "WEBP")
    book = Epub(_export(seed_path, tmp_path / "out", title="Given cover", cover=str(cover)))
    covers = [h for h, i in book.manifest().items() if "cover-image" in (i.get("properties") or "")]
    assert covers == ["images/cover.jpg"]
    with pytest.raises(UsageError, match="--cover"):
        _export(seed_path, tmp_path / "out2", cover=str(tmp_path / "nope.png"))
    (tmp_path / "text.png").write_text("not an image")
    with pytest.raises(UsageError, match="--cover"):
        _export(seed_path, tmp_path / "out3", cover=str(tmp_path / "text.png"))


# --- notes -----------------------------------------------------------------------------------------

@pytest.mark.epubcheck
def test_footnote_round_trips_as_a_popup_note(tmp_path):
    src = tmp_path / "notes.html"
    src.write_text("""<html lang="en"><body><article><p>Ships carry cargo.<sup><a href="#fn1" id="fnref1">1</a></sup>
      Planes carry people.</p><section class="footnotes"><ol><li id="fn1"><p>Mostly containers.
      <a href="#fnref1">↩</a></p></li></ol></section></article></body></html>""", encoding="utf-8")
    book = Epub(_export(src, tmp_path / "out", title="Notes"))
    _clean(book.path)
    page = book.xml("text/article-1.xhtml")
    ref = page.find(".//x:a[@epub:type='noteref']", NS)
    assert ref.get("role") == "doc-noteref" and ref.get("href") == "#fn1"
    note = page.find(".//x:aside[@id='fn1']", NS)
    assert note.get(EPUB_TYPE) == "footnote" and note.get("role") == "doc-footnote"
    label = note.find(".//x:a[@class='note-label']", NS)
    assert label.get("href") == "#" + ref.get("id") and label.text == "1"
    assert "Mostly containers." in "".join(note.itertext())
    assert "↩" not in "".join(note.itertext())


# --- books of several articles ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def collection_epub(tmp_path_factory) -> Epub:
    first = normalise("""<article><h2 id="intro">Start</h2><p>First article text with a note.<sup><a
      href="#fn1">1</a></sup> It links to <a href="https://example.org/two#details">the second</a>.</p>
      <h3>Deeper</h3><p>More of the first.</p><ol class="footnotes"><li id="fn1">First note.</li></ol></article>""",
                      title="Article one", source_url="https://example.org/one", authors=["Ann"])
    second = normalise("""<article><h2 id="intro">Start</h2><p>Second article text with a note.<sup><a
      href="#fn1">1</a></sup></p><h2 id="details">Details</h2><p>The details, and
      <a href="https://example.org/one/">back to one</a>.</p><ol class="footnotes"><li id="fn1">Second
      note.</li></ol></article>""", title="Article two", source_url="https://example.org/two", authors=["Bob"])
    third = normalise("<article><p>A third article outside any part.</p></article>", title="Article three")
    from exporter.document import Metadata

    book = Book(metadata=Metadata(title="A collection", language="en"), articles=[first, second, third],
                parts=[Part("Part A", [first, second])])
    path = tmp_path_factory.mktemp("collection") / "book.epub"
    return Epub(_write_book(book, path))


@pytest.mark.epubcheck
def test_collection_passes_epubcheck(collection_epub):
    _clean(collection_epub.path)


def test_collection_nav_and_ncx_list_every_article_under_its_part(collection_epub):
    nav = collection_epub.xml("nav.xhtml").find(".//x:nav[@epub:type='toc']/x:ol", NS)
    top = [li.find("x:a", NS).text for li in nav.findall("x:li", NS)]
    assert top == ["Part A", "Article three"]
    part = nav.find("x:li/x:ol", NS)
    assert [li.find("x:a", NS).text for li in part.findall("x:li", NS)] == ["Article one", "Article two"]
    one = part.find("x:li/x:ol", NS)
    assert [li.find("x:a", NS).text for li in one.iter("{%s}li" % NS["x"])] == ["Start", "Deeper"]
    labels = [t.text for t in collection_epub.xml("toc.ncx").iterfind(".//ncx:text", NS)]
    for name in ("Part A", "Article one", "Article two", "Article three", "Details"):
        assert name in labels
    spine = collection_epub.spine()
    assert spine[:4] == ["text/cover.xhtml", "text/title.xhtml", "nav.xhtml", "text/part-1.xhtml"]
    assert spine[4:] == ["text/article-1.xhtml", "text/article-2.xhtml", "text/article-3.xhtml"]
    creators = [c.text for c in collection_epub.opf.iterfind("opf:metadata/dc:creator", NS)]
    assert creators == ["Ann", "Bob"]


def test_collection_articles_have_title_blocks_unique_ids_and_links_inside(collection_epub):
    one, two = collection_epub.xml("text/article-1.xhtml"), collection_epub.xml("text/article-2.xhtml")
    assert one.findtext(".//x:header//x:h1", namespaces=NS) == "Article one"
    assert two.findtext(".//x:header//x:h1", namespaces=NS) == "Article two"
    ids_one = {e.get("id") for e in one.iter() if e.get("id")}
    ids_two = {e.get("id") for e in two.iter() if e.get("id")}
    assert not ids_one & ids_two
    assert "a1-fn1" in ids_one and "a2-fn1" in ids_two
    hrefs_one = [a.get("href") for a in one.iter("{%s}a" % NS["x"])]
    assert "article-2.xhtml#a2-details" in hrefs_one
    assert "article-1.xhtml#a1-article" in [a.get("href") for a in two.iter("{%s}a" % NS["x"])]
    # each article's own source line still cites the web page
    assert one.find(".//x:header//x:p[@class='source']/x:a", NS).get("href") == "https://example.org/one"


# --- text tools, labels, limits --------------------------------------------------------------------

def test_blocks_and_line_breaks_never_join_words_and_labels_follow_the_language(tmp_path):
    from helpers import epub_text

    folder = tmp_path / "in"
    folder.mkdir()
    Image.new("RGB", (40, 40), (1, 2, 3)).save(folder / "a.png")
    Image.new("RGB", (40, 40), (3, 2, 1)).save(folder / "b.png")
    src = folder / "fr.html"
    src.write_text("""<html lang="fr"><body><article><p>premier<br>second</p><h2>Titre</h2><p>Suite du texte
      avec assez de mots pour une langue.</p><figure><img src="a.png" alt="Image une"></figure>
      <figure><img src="b.png" alt="Image deux"></figure></article></body></html>""", encoding="utf-8")
    book = Epub(_export(src, tmp_path / "out", title="Livre"))
    found = words(epub_text(book.path))
    for word in ("premier", "second", "titre", "suite"):
        assert word in found
    assert "Table des matières" in book.zip.read("EPUB/nav.xhtml").decode()
    article = book.xml("text/article-1.xhtml")
    assert [i.get("alt") for i in article.iterfind(".//x:img", NS)] == ["Image une", "Image deux"]
    # --max-images is a limit like the others: over it, the article fails clearly and nothing is written
    with pytest.raises(LimitError):
        _export(src, tmp_path / "limited", title="Livre", max_images=1)
    assert not (tmp_path / "limited").exists() or not any((tmp_path / "limited").iterdir())


def test_a_book_over_50_mb_is_written_with_a_warning(tmp_path, seed_path, monkeypatch, caplog):
    import exporter.writers.epub as epub_writer

    monkeypatch.setattr(epub_writer, "LARGE_BYTES", 1000)  # the seed stands in for a 50 MB book
    with caplog.at_level("WARNING", logger="exporter"):
        path = _export(seed_path, tmp_path, title="Big")
    assert path.is_file() and "refuse books over 50 MB" in caplog.text


def test_generated_cover_fits_any_title():
    from exporter.cover import generate
    from exporter.document import Metadata

    long = generate(Metadata(title="word " * 400, subtitle="sub " * 300, authors=["A"] * 60), themes.load("default"))
    with Image.open(io.BytesIO(long)) as image:
        assert image.size == (1600, 2560)
    meta = Metadata(title="مقالة عربية", language="ar", direction="rtl")
    assert generate(meta, themes.load("default")) == generate(meta, themes.load("default"))


def test_only_the_faces_the_book_uses_are_embedded_each_with_its_own_text():
    from exporter.writers.epub.fonts import text_by_face as _text_by_face

    faces = themes.load("default").faces
    page = etree.fromstring("<div><p>plain <strong>bold <em>both</em></strong></p><pre>code</pre></div>")
    wanted = {f.path.stem: t for f, t in _text_by_face(faces, [page]).items()}
    assert set(wanted) == {"CharisSIL-Regular", "CharisSIL-Bold", "CharisSIL-BoldItalic", "JetBrainsMono-Regular"}
    assert "both" in wanted["CharisSIL-BoldItalic"] and "both" not in wanted["CharisSIL-Regular"]
    # a theme with a regular face only draws everything with it, so it gets every glyph
    only = tuple(f for f in faces if f.path.stem == "CharisSIL-Regular")
    [(_, text)] = _text_by_face(only, [page]).items()
    assert all(word in text for word in ("plain", "bold", "both", "code"))


def test_control_characters_in_given_metadata_never_stop_the_writer(tmp_path, seed_path):
    book = Epub(_export(seed_path, tmp_path, title="A\x01B c", authors=["X\x02Y"], subjects=["s\x03"],
                        publisher="p\x04", description="d\x05", rights="r\x06"))
    assert book.opf.findtext("opf:metadata/dc:title", namespaces=NS) == "AB c"
    assert book.opf.findtext("opf:metadata/dc:creator", namespaces=NS) == "XY"
    assert book.xml("text/title.xhtml").findtext(".//x:h1", namespaces=NS) == "AB c"


def test_a_needlessly_heavy_jpeg_is_recompressed_and_a_light_one_passes_through():
    import os as _os

    noisy = Image.frombytes("RGB", (900, 900), _os.urandom(900 * 900 * 3))
    heavy = io.BytesIO()
    noisy.save(heavy, "JPEG", quality=100)
    assert len(heavy.getvalue()) > 900 * 900
    image = prepare_bytes(heavy.getvalue())
    assert image.media_type == "image/jpeg" and len(image.data) < len(heavy.getvalue())
    light = io.BytesIO()
    Image.new("RGB", (900, 900), (20, 40, 60)).save(light, "JPEG", quality=85)
    assert prepare_bytes(light.getvalue()).data == light.getvalue()
