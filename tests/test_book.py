"""Books: several articles in one edition (``--book`` and ``book.toml``): contents, parts, links inside the book."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from click.testing import CliRunner

import exporter
from exporter.batch.book import assemble, book_metadata, rename_reserved_ids
from exporter.batch.manifest import load_manifest
from exporter.cli import cli
from exporter.errors import UsageError
from helpers import epubcheck

DATA = Path(__file__).parent / "data" / "batch"
ARTICLES = [DATA / "first.html", DATA / "second.html", DATA / "third.html"]
TITLES = ["Harbour lights return to the old quay", "A new ferry timetable for the evening crossings",
          "Schools close early for the regatta"]
BODIES = ["After a winter of repairs", "From Monday the evening ferry", "Every school on the island"]


@pytest.fixture(scope="module")
def three(tmp_path_factory) -> dict[str, Path]:
    """The three test articles as one book, in every format, through the CLI as a user types it."""
    out = tmp_path_factory.mktemp("book")
    result = CliRunner().invoke(cli, ["export", *map(str, ARTICLES), "--book", "--title", "The Island Weekly",
                                      "--author", "The Island Desk", "-o", str(out)])
    assert result.exit_code == 0, result.output
    files = {p.suffix[1:]: p for p in out.iterdir() if not p.name.startswith(".")}
    assert sorted(files) == ["epub", "pdf", "txt"]
    assert all(p.stem == "the-island-weekly" for p in files.values())
    return files


def _epub_files(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml")}


def test_three_article_epub_passes_epubcheck(three):
    found = epubcheck(three["epub"])
    assert (found["errors"], found["warnings"]) == (0, 0), found["messages"]


def test_epub_nav_lists_the_three_articles_in_order(three):
    files = _epub_files(three["epub"])
    nav = next(text for name, text in files.items() if name.endswith("nav.xhtml"))
    root = etree.fromstring(nav.encode())
    ns = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
    entries = [" ".join("".join(a.itertext()).split()) for a in root.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=ns)]
    assert len(entries) >= 3, nav
    positions = [entries.index(title) for title in TITLES]
    assert positions == sorted(positions), entries


def test_each_article_opens_with_its_own_title_byline_date_and_source(three):
    text = " ".join(_epub_files(three["epub"]).values())
    for title, author, date, url in zip(TITLES, ["Ada Lovelace", "Grace Hopper", "Katherine Johnson"],
                                        ["2024-07-08", "2024-07-09", "2024-07-10"],
                                        ["https://news.example.org/2024/07/08/harbour-lights",
                                         "https://www.news.example.org/2024/07/09/ferry-timetable",
                                         "https://news.example.org/2024/07/10/regatta"]):
        for fact in (title, author, date, url):
            assert fact in text, fact


def test_links_between_articles_point_inside_the_epub(three):
    files = _epub_files(three["epub"])
    first = next(t for n, t in files.items() if TITLES[0] in t and BODIES[0] in t)
    second = next(t for n, t in files.items() if BODIES[1] in t)
    # first.html links to the ferry story as https://news.example.org/…/ferry-timetable/ (the article says www.)
    assert re.search(r'href="[^"]*#a2-article"', first), "link to article 2 still leaves the book"
    assert re.search(r'href="[^"]*#a1-article"', second), "link to article 1 still leaves the book"
    assert "https://elsewhere.example.com/regatta-rules" in " ".join(files.values())  # other links stay


def test_links_between_articles_point_inside_the_pdf(three):
    from pypdf import PdfReader

    reader = PdfReader(str(three["pdf"]))
    pages = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    inside, outside = set(), set()
    for number, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            if action is not None and action.get("/URI"):
                outside.add((number, str(action["/URI"])))
            elif annot.get("/Dest") is not None:
                inside.add((number, str(annot["/Dest"])))
    first = next(i for i, t in enumerate(pages) if BODIES[0] in t)
    second = next(i for i, t in enumerate(pages) if BODIES[1] in t)
    assert (first, "a2-article") in inside and (second, "a1-article") in inside, sorted(inside)
    assert not any("ferry-timetable/" in url for _, url in outside)  # the loose URL no longer leaves the book
    assert any(url == "https://elsewhere.example.com/regatta-rules" for _, url in outside)


def test_ids_never_clash_in_the_epub(three):
    for name, text in _epub_files(three["epub"]).items():
        ids = re.findall(r'\sid="([^"]+)"', text)
        assert len(ids) == len(set(ids)), (name, sorted(i for i in ids if ids.count(i) > 1))


def test_pdf_outline_and_contents_list_the_articles_with_their_page_numbers(three):
    from pypdf import PdfReader

    reader = PdfReader(str(three["pdf"]))

    def flat(items):
        for item in items:
            if isinstance(item, list):
                yield from flat(item)
            else:
                yield item

    outline = {" ".join(d.title.split()): reader.get_destination_page_number(d) for d in flat(reader.outline)}
    pages = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    contents = next((i for i, t in enumerate(pages) if re.search(r"\bcontents\b", t, re.I)), None)
    assert contents is not None, "no contents page in the PDF"
    labels = list(reader.page_labels)
    for title, body in zip(TITLES, BODIES):
        assert title in outline, f"{title!r} not in the PDF outline {list(outline)}"
        page = outline[title]
        assert title in pages[page] and body in " ".join(pages[page:page + 2]), f"outline sends {title!r} to page {page + 1}"
        printed = re.search(re.escape(title) + r"\D{0,300}?(\d+)", pages[contents])
        assert printed, f"{title!r} has no page number in the contents: {pages[contents][:400]}"
        assert printed.group(1) == labels[page], (title, printed.group(1), labels[page])


def test_text_edition_opens_with_a_contents_list(three):
    text = three["txt"].read_text(encoding="utf-8")
    head = text[:text.index(BODIES[0])]
    positions = [head.find(title) for title in TITLES]
    assert -1 not in positions, f"the text contents do not list every article: {head[:600]!r}"
    assert positions == sorted(positions)
    assert all(body in text for body in BODIES)


def test_manifest_with_parts_and_overrides(tmp_path):
    manifest = load_manifest(DATA / "book.toml")
    assert manifest.metadata["title"] == "The Island Weekly" and manifest.metadata["date"] == "2024-07-12"
    assert manifest.parts == ["Harbour", "Town"]
    assert [a.part for a in manifest.articles] == ["Harbour", "Harbour", "Town"]
    assert manifest.articles[1].overrides["title"] == "Evening ferries run later"
    assert manifest.articles[0].overrides["authors"] == ["A. Lovelace"]
    assert manifest.formats == ["epub", "txt"] and manifest.output == "island-weekly-28"
    assert manifest.cover == (DATA / "cover.png").resolve()

    written = exporter.export([DATA / "book.toml"], out=tmp_path)  # formats and name from the manifest
    assert sorted(p.name for p in written) == ["island-weekly-28.epub", "island-weekly-28.txt"]
    nav = next(t for n, t in _epub_files(tmp_path / "island-weekly-28.epub").items() if n.endswith("nav.xhtml"))
    for expected in ("Harbour", "Town", "Evening ferries run later", TITLES[0], TITLES[2]):
        assert expected in nav, expected
    assert nav.index("Harbour") < nav.index(TITLES[0]) < nav.index("Town") < nav.index(TITLES[2])
    text = (tmp_path / "island-weekly-28.txt").read_text()
    assert "A. Lovelace" in text and "Evening ferries run later" in text and "News from the harbour" in text
    with zipfile.ZipFile(tmp_path / "island-weekly-28.epub") as z:  # the manifest's cover, not a drawn one
        cover = next(n for n in z.namelist() if "/images/cover." in n)
        from PIL import Image
        import io

        assert Image.open(io.BytesIO(z.read(cover))).size == (400, 600)
    found = epubcheck(tmp_path / "island-weekly-28.epub")
    assert (found["errors"], found["warnings"]) == (0, 0), found["messages"]


def test_book_parts_reach_the_writers():
    docs = [exporter.normalise(f"<p>Article {n} says something.</p>", title=f"Article {n}") for n in (1, 2, 3)]
    book = assemble(docs, book_metadata({"title": "B"}, docs), ["One", "One", "Two"])
    assert book.is_collection and [p.title for p in book.parts] == ["One", "Two"]
    assert [len(p.articles) for p in book.parts] == [2, 1] and book.articles == docs
    plain = assemble(docs[:2], book_metadata({"title": "C"}, docs[:2]), [None, None])
    assert plain.parts == [] and plain.is_collection


def test_loose_links_to_an_article_of_the_book_stay_inside_it(tmp_path):
    """http for https, www., a final slash: a link still names the article, in any book (API-built too)."""
    from exporter.document import Book
    from exporter.plan import url_key

    assert url_key("HTTPS://WWW.Example.org/b/#x") == url_key("http://example.org/b")
    assert url_key("https://example.org/b") != url_key("https://example.org/c")
    a = exporter.normalise('<p>See <a href="http://www.example.org/b/">b</a> and <a href="https://example.org/c">c</a>.'
                           "</p>", title="A", source_url="https://example.org/a")
    b = exporter.normalise("<p>Bee.</p>", title="B", source_url="https://example.org/b")
    book = Book(metadata=book_metadata({"title": "Loose"}, [a, b]), articles=[a, b])
    from exporter.editions import write_book
    from exporter.options import Settings

    (pdf,) = write_book(book, ["pdf"], tmp_path, Settings({"theme": "default", "offline": True}))
    from pypdf import PdfReader

    annots = [annot.get_object() for page in PdfReader(str(pdf)).pages for annot in page.get("/Annots") or []]
    uris = [a["/A"]["/URI"] for a in annots if "/A" in a]
    assert "https://example.org/c" in uris  # not an article of the book: stays on the web
    assert uris.count("https://example.org/b") == 1  # only B's own source line; A's loose link went inside
    assert "a2-article" in [str(a.get("/Dest")) for a in annots]


def test_ids_writers_add_are_renamed_in_the_article_and_links_follow():
    doc = exporter.normalise('<h2 id="title">T</h2><p id="article"><a href="#title">up</a></p><p id="h-1">x</p>',
                             title="Doc")
    rename_reserved_ids(doc.tree)
    ids = [el.get("id") for el in doc.tree.iter() if el.get("id")]
    assert not {"title", "article", "h-1"} & set(ids) and len(ids) == 3
    assert next(doc.tree.iter("a")).get("href") == "#" + next(i for i in ids if i.endswith("title"))
    assert not doc.validation_errors()


def test_article_metadata_stays_with_the_article_and_book_metadata_with_the_book(tmp_path):
    exporter.export([str(p) for p in ARTICLES], formats="epub,txt", out=tmp_path, book=True, title="Digest",
                    authors=["Editor"], date="2024-07-12")
    text = (tmp_path / "digest.txt").read_text()
    assert "Digest" in text[:200]
    for author in ("Ada Lovelace", "Grace Hopper", "Katherine Johnson"):
        assert author in text, author
    with zipfile.ZipFile(tmp_path / "digest.epub") as z:
        opf = z.read(next(n for n in z.namelist() if n.endswith(".opf"))).decode()
    assert re.search(r"<dc:creator[^>]*>Editor</dc:creator>", opf) and "<dc:date>2024-07-12" in opf
    assert re.search(r"<dc:title[^>]*>Digest</dc:title>", opf)


@pytest.mark.parametrize("toml, message", [
    ('title = "X"\n', "lists no articles"),
    ('articles = ["first.html"]\n', "needs a title"),
    ('title = "X"\narticles = [{file = "first.html", colour = "red"}]\n', "unknown key"),
    ('title = "X"\narticles = [\n', "not valid TOML"),
])
def test_bad_manifests_are_one_clear_error(tmp_path, toml, message):
    path = tmp_path / "book.toml"
    path.write_text(toml)
    with pytest.raises(UsageError, match=message):
        load_manifest(path)
    result = CliRunner().invoke(cli, ["export", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_a_missing_article_fails_the_book_with_its_name(tmp_path):
    result = CliRunner().invoke(cli, ["export", str(ARTICLES[0]), str(tmp_path / "gone.html"), "--book",
                                      "--title", "T", "-f", "txt", "-o", str(tmp_path)])
    assert result.exit_code == 7 and "gone.html: no such file" in result.output
    assert not (tmp_path / "t.txt").exists()
