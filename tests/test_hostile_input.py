"""Hostile input that amplifies inside the writers: table grids, dates out of a format's range, deep JSON-LD,
CSS escapes and ``<use>`` bombs in SVG. Each case once crashed or exhausted the machine (issue 19)."""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from exporter import dates
from exporter.cli import cli
from exporter.normalise import normalise
from exporter.normalise.tables import MAX_GRID_CELLS, grid_area

PAGE = "<html><head>{head}</head><body><h1>A fine article</h1><p>Plain words in a paragraph stay.</p>{body}</body></html>"


def run(*args: str) -> tuple[int, str]:
    """The CLI in-process: exit status and stderr."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stderr


def _limited_memory(megabytes: int):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (megabytes << 20, megabytes << 20))
    return limit


# --- tables: the grid a table spans is bounded (item 5) ---------------------------------------------

def _span_bomb() -> str:
    rows = "".join("<tr><td colspan=1000 rowspan=1000>x</td></tr>" for _ in range(300))  # 14 KB
    return PAGE.format(head="", body=f"<table><caption>Data</caption><tr><th>A</th><th>B</th></tr>{rows}</table>")


def test_span_bomb_table_keeps_a_bounded_grid() -> None:
    doc = normalise(_span_bomb())
    tables = list(doc.tree.iter("table"))
    assert tables and sum(grid_area(t) for t in tables) <= MAX_GRID_CELLS
    assert doc.text.count("x") >= 300  # every cell's word is still there


def test_span_bomb_table_writes_its_text_edition_in_bounded_memory(tmp_path: Path) -> None:
    """It needed ~45 million grid cells (out of memory past 2.8 GB); now it is a table without spans."""
    (tmp_path / "table.html").write_text(_span_bomb())
    done = subprocess.run([sys.executable, "-m", "exporter", "export", str(tmp_path / "table.html"), "-f", "txt",
                           "-o", str(tmp_path / "out"), "-q"], capture_output=True, text=True, timeout=300,
                          preexec_fn=_limited_memory(1500))
    assert done.returncode == 0, done.stderr
    text = next((tmp_path / "out").glob("*.txt")).read_text()
    assert text.count("x |") == 300


def test_ragged_table_too_large_for_any_grid_becomes_paragraphs() -> None:
    """One row of 3,000 cells over 3,000 rows of one: 9 million grid cells for 6,000 real ones."""
    wide = "<tr>" + "".join(f"<th>h{i}</th>" for i in range(3000)) + "</tr>"
    tall = "".join(f"<tr><td>r{i}</td></tr>" for i in range(3000))
    doc = normalise(PAGE.format(head="", body=f"<table id='t'>{wide}{tall}</table><p><a href='#t'>back</a></p>"))
    assert doc.tree.find(".//table") is None
    assert "h0" in doc.text and "h2999" in doc.text and "r2999" in doc.text
    assert any("unwrapped" in line for line in doc.report.lines())
    assert not doc.validation_errors()


def test_span_values_that_are_digits_but_not_numbers() -> None:
    """'²' passes str.isdigit() and then failed int() with exit 70."""
    doc = normalise(PAGE.format(head="", body='<table><tr><th colspan="\u00b2">a</th><th colspan="\u0663">b</th>'
                                '<th rowspan="NaN">c</th><th colspan="-1">d</th></tr><tr><td>1</td><td>2</td></tr></table>'))
    assert not doc.tree.xpath(".//*[@colspan or @rowspan]")
    assert not doc.validation_errors()


def test_dense_tables_and_modest_spans_are_kept() -> None:
    head = "<tr><th>Name</th><th colspan=2>Figures</th></tr>"
    rows = "".join(f"<tr><td rowspan=2>n{i}</td><td>{i}</td><td>{i * 2}</td></tr><tr><td>a</td><td>b</td></tr>"
                   for i in range(500))
    doc = normalise(PAGE.format(head="", body=f"<table>{head}{rows}</table>"))
    table = doc.tree.find(".//table")
    assert table is not None and table.find(".//td[@rowspan='2']") is not None
    assert table.find(".//th[@colspan='2']") is not None


# --- JSON-LD nested deeper than metadata ever is (item 13) ------------------------------------------

@pytest.mark.parametrize("key", ["author", "publisher", "headline", "@type", "datePublished", "@graph"])
def test_deeply_nested_json_ld_is_read_without_recursing(key: str) -> None:
    deep = "[" * 12_000 + '"x"' + "]" * 12_000  # 24 KB
    ld = '{"@type":"NewsArticle","headline":"Headline from JSON-LD","%s":%s}' % (key, deep)
    doc = normalise(PAGE.format(head=f'<script type="application/ld+json">{ld}</script>', body=""))
    assert "Plain words" in doc.text
    assert doc.metadata.title  # the block's shallow fields may still be used


def test_json_ld_pruning_keeps_what_metadata_uses() -> None:
    from exporter.normalise.metadata import MAX_JSON_DEPTH, prune_deep

    ld = {"@type": "NewsArticle", "author": [{"name": "Jane Doe"}], "deep": json.loads("[" * 100 + "]" * 100)}
    pruned = prune_deep(ld, MAX_JSON_DEPTH)
    assert pruned["author"] == [{"name": "Jane Doe"}]
    depth, value = 0, pruned["deep"]
    while isinstance(value, list) and value:
        depth, value = depth + 1, value[0]
    assert depth < MAX_JSON_DEPTH
    doc = normalise(PAGE.format(head='<script type="application/ld+json">%s</script>' % json.dumps(ld), body=""))
    assert doc.metadata.authors == ["Jane Doe"]


# --- dates: parsed once, real or refused; converted and stored without overflow (item 6) -----------

@pytest.mark.parametrize("given, kept", [
    ("2024", "2024"), ("2024-05", "2024-05"), ("2024-02-29", "2024-02-29"),
    ("2024-01-01 12:30", "2024-01-01T12:30"), ("2024-01-01T12:30:05.5+0200", "2024-01-01T12:30:05.5+02:00"),
    ("9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59-14:00"), ("0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00+14:00"),
    ("2023-02-29", None), ("2024-13-01", None), ("2024-00-10", None), ("0000-01-01", None),
    ("2024-01-01T24:00", None), ("2024-01-01T10:60", None), ("2024-01-01T10:00+15:00", None),
    ("2024-01-01T10:00+01:99", None), ("20240101", None), ("yesterday", None),
    ("\u0662\u0660\u0662\u0664-01-01", None),  # Arabic-Indic digits match \\d, but no format writes them as a date
])
def test_dates_are_real_or_refused(given: str, kept: str | None) -> None:
    assert dates.normalise_date(given) == kept


def test_utc_conversion_and_zip_times_never_overflow() -> None:
    assert dates.utc("9999-12-31T23:59:59-14:00").year == 9999
    assert dates.utc("0001-01-01T00:00:00+14:00").year == 1
    assert dates.utc("2024-06-01T02:00+02:00").isoformat() == "2024-06-01T00:00:00"
    assert dates.zip_time(dates.utc("2108-01-01")) == (2107, 12, 31, 23, 59, 58)
    assert dates.zip_time(dates.utc("0001-01-01")) == (1980, 1, 1, 0, 0, 0)
    assert dates.from_epoch("99999999999999999999").year == 9999
    assert dates.from_epoch("-99999999999999999999").year == 1
    assert dates.from_epoch("soon") is None


def test_metadata_never_carries_an_impossible_date() -> None:
    from exporter.document import Metadata

    assert Metadata(title="T", date="2024-02-30").date is None
    assert Metadata(title="T", date="2024-02-29 08:00").date == "2024-02-29T08:00"
    doc = normalise(PAGE.format(head='<meta property="article:published_time" content="2024-99-99">', body=""))
    assert doc.metadata.date is None


EXTREME_DATES = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "2108-01-01", "9999-12-31"]


@pytest.mark.parametrize("date", EXTREME_DATES)
def test_extreme_dates_in_the_markup_reach_every_edition(tmp_path: Path, date: str) -> None:
    page = tmp_path / "dated.html"
    page.write_text(PAGE.format(head=f'<meta property="article:published_time" content="{date}">', body=""))
    code, err = run("export", str(page), "-f", "epub,txt", "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert date[:10] in next((tmp_path / "out").glob("*.txt")).read_text()
    with zipfile.ZipFile(next((tmp_path / "out").glob("*.epub"))) as z:
        assert z.testzip() is None
        stamps = {info.date_time for info in z.infolist()}
        opf = z.read("EPUB/content.opf").decode()
    assert len(stamps) == 1 and (1980, 1, 1) <= next(iter(stamps))[:3] <= (2107, 12, 31)
    assert f"<dc:date>{date[:10]}</dc:date>" in opf


@pytest.mark.parametrize("date", ["2108-05-05", "9999-12-31"])
def test_extreme_date_option_reaches_the_epub(tmp_path: Path, date: str) -> None:
    page = tmp_path / "plain.html"
    page.write_text(PAGE.format(head="", body=""))
    code, err = run("export", str(page), "-f", "epub", "-o", str(tmp_path / "out"), "--date", date)
    assert code == 0, err


@pytest.mark.parametrize("epoch", ["99999999999", "-99999999999", "\u0661\u0662"])
def test_source_date_epoch_out_of_zip_range(tmp_path: Path, monkeypatch, epoch: str) -> None:
    """A SOURCE_DATE_EPOCH past 2107 (or before 1970, or not ASCII digits) gives an EPUB, not exit 70."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    page = tmp_path / "plain.html"
    page.write_text(PAGE.format(head="", body=""))
    code, err = run("export", str(page), "-f", "epub", "-o", str(tmp_path / "out"))
    assert code == 0, err
    with zipfile.ZipFile(next((tmp_path / "out").glob("*.epub"))) as z:
        assert z.testzip() is None


def test_impossible_date_option_is_a_usage_error(tmp_path: Path) -> None:
    page = tmp_path / "plain.html"
    page.write_text(PAGE.format(head="", body=""))
    code, err = run("export", str(page), "-f", "txt", "-o", str(tmp_path / "out"), "--date", "2024-02-30")
    assert code == 2 and "--date" in err and len(err.strip().splitlines()) == 1


# --- SVG: CSS parsed, not matched (item 7); references expanded within a bound (item 8) ---------------

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40">{}</svg>'
GRADIENT = '<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs>'


@pytest.mark.parametrize("drawing", [
    r'<rect width="9" height="9" style="fill:u\72l(http://169.254.169.254/x)"/>',
    r'<rect width="9" height="9" filter="u\rl(http://169.254.169.254/x)"/>',
    r'<rect width="9" height="9" fill="\75rl(http://169.254.169.254/x)"/>',
    r'<rect width="9" height="9" fill="URL(http://169.254.169.254/x)"/>',
    r'<rect width="9" height="9" fill="url(&quot;http://169.254.169.254/x&quot;)"/>',
    r'<rect width="9" height="9" style="mask-image:image-set(&quot;http://169.254.169.254/x&quot; 1x)"/>',
    r'<rect width="9" height="9" style="fill:expression(alert(1))"/>',
    r'<rect width="9" height="9" style="fill:red;x:1}@import url(http://169.254.169.254/x);{fill:red"/>',
    r'<style>@import url(http://169.254.169.254/x); rect { fill: u\72l(http://169.254.169.254/x) }</style>',
    r'<style>@font-face { src: url(http://169.254.169.254/x) } rect { fill: red }</style>',
    r'<style>rect { fill: red } rect[x] { stroke: u\rl(http://169.254.169.254/x) }</style>',
    r'<rect width="9" height="9" clip-path="url(#g) url(http://169.254.169.254/x)"/>',
])
def test_css_escapes_and_functions_cannot_smuggle_a_reference(drawing: str) -> None:
    from exporter.svg import sanitise

    clean = sanitise(SVG.format(GRADIENT + drawing).encode())
    assert clean is not None
    assert b"169.254" not in clean and b"http://169" not in clean and b"expression" not in clean
    assert b"@import" not in clean and b"@font-face" not in clean


def test_local_references_and_plain_css_survive_parsing() -> None:
    from exporter.svg import sanitise

    drawing = (GRADIENT + '<style>.bar { fill: url(#g); stroke: rgb(1, 2, 3) } .gone { fill: url(#nothing) }</style>'
               '<rect class="bar" width="9" height="9" fill="url(#g)" style="stroke-width: 2; opacity: .5"/>'
               '<circle r="3" transform="rotate(45) translate(1, 2)" fill="#c33"/>')
    clean = sanitise(SVG.format(drawing).encode()).decode()
    assert 'fill="url(#g)"' in clean and ".bar { fill: url(#g); stroke: rgb(1, 2, 3) }" in clean
    assert "stroke-width: 2; opacity: .5" in clean and 'transform="rotate(45) translate(1, 2)"' in clean
    assert "#nothing" not in clean


def _use_bomb(levels: int = 9, fan: int = 10) -> bytes:
    """``fan ** levels`` rectangles from a file of under 2 KB."""
    parts = ['<defs><rect id="a0" width="1" height="1"/>']
    for i in range(1, levels + 1):
        parts.append(f'<g id="a{i}">' + "".join(f'<use xlink:href="#a{i - 1}"/>' for _ in range(fan)) + "</g>")
    parts.append(f'</defs><use xlink:href="#a{levels}"/>')
    return SVG.format("".join(parts)).encode()


def test_nested_use_bomb_is_refused() -> None:
    from exporter.svg import sanitise

    assert len(_use_bomb()) < 2_500
    assert sanitise(_use_bomb()) is None
    assert sanitise(SVG.format('<g id="a"><use href="#a"/></g>').encode()) is None  # a loop
    marker = '<defs><marker id="m"><g id="b">' + '<circle r="1"/>' * 50 + '</g></marker></defs>'
    points = " ".join(f"{i},{i}" for i in range(5000))
    assert sanitise(SVG.format(marker + f'<polyline points="{points}" marker-mid="url(#m)"/>').encode()) is None


def test_ordinary_reuse_is_kept() -> None:
    from exporter.svg import sanitise

    icons = '<defs><g id="icon"><circle r="2"/><rect width="3" height="3"/></g></defs>'
    uses = "".join(f'<use href="#icon" x="{i}"/>' for i in range(2_000))
    assert sanitise(SVG.format(icons + uses).encode()) is not None


def test_use_bomb_reaches_neither_edition(tmp_path: Path) -> None:
    """The EPUB carried the bomb to every reader, and the PDF spent its whole render limit on it."""
    (tmp_path / "bomb.svg").write_bytes(_use_bomb())
    (tmp_path / "page.html").write_text(PAGE.format(
        head="", body='<figure><img src="bomb.svg" alt="A harmless chart"><figcaption>Caption stays.</figcaption></figure>'))
    code, err = run("export", str(tmp_path / "page.html"), "-f", "epub,pdf,txt", "-o", str(tmp_path / "out"),
                    "--max-render-seconds", "60")
    assert code == 0, err
    with zipfile.ZipFile(next((tmp_path / "out").glob("*.epub"))) as z:
        assert not [n for n in z.namelist() if n.endswith(".svg")]
        article = b"".join(z.read(n) for n in z.namelist() if n.endswith(".xhtml"))
    assert b"A harmless chart" in article and b"Caption stays." in article


# --- beyond the list: long titles on the cover, unbreakable runs in the PDF ---------------------------

def test_cover_measures_only_what_it_can_show(monkeypatch) -> None:
    """A 200,000-character title was wrapped whole at ten sizes (2 million measurements, minutes)."""
    from exporter import cover, themes
    from exporter.document import Metadata

    calls = []
    load = cover._load

    def counting(path, size):
        font = load(path, size)
        measure = font.getlength
        font.getlength = lambda text, *a, **k: calls.append(1) or measure(text, *a, **k)
        return font

    monkeypatch.setattr(cover, "_load", counting)
    png = cover.generate(Metadata(title="T" * 200_000, subtitle="word " * 40_000), themes.load("default"))
    assert png.startswith(b"\x89PNG") and len(calls) < 50_000


def test_pdf_gives_runs_no_line_can_hold_a_break() -> None:
    """WeasyPrint's time grew with the square of an unbreakable run: 200,000 characters outlasted the limit."""
    import re

    from exporter.document import Book
    from exporter.resources import ResourcePolicy
    from exporter.writers.pdf.markup import LONGEST_RUN, build_html

    word = "Donaudampfschifffahrtsgesellschaftskapitän"
    doc = normalise(PAGE.format(head="", body=f"<p>{'a' * 20_000} {word}</p><pre>{'x' * 5_000}</pre>"))
    html = build_html(Book(metadata=doc.metadata, articles=[doc]), ResourcePolicy(offline=True))
    assert word in html and html.count("a") >= 20_000 and html.count("x") >= 5_000
    assert max(len(run) for run in re.findall(r"[^\s\u200b<>]+", html)) <= LONGEST_RUN


@pytest.mark.parametrize("head", ['<link rel="canonical" href="http://[x/">', '<meta property="og:url" content="http://[x/">',
                                  '<link rel="canonical" href="https://ex\uff0eample.org\uff03/a">'],
                         ids=["canonical", "og-url", "nfkc-delimiter"])
def test_a_page_address_urlsplit_cannot_read_is_not_its_source(tmp_path: Path, head: str) -> None:
    """A canonical or og:url address that urlsplit refuses is no source URL: the EPUB's identifier and cover split
    it, and the export stopped with exit 70 (review-s9 H2)."""
    from exporter.errors import UsageError

    page = (f"<html><head>{head}</head><body><article><h1>T</h1><p>Some words of text here for the article.</p>"
            "</article></body></html>")
    assert normalise(page).metadata.source_url is None
    source = tmp_path / "page.html"
    source.write_text(page, encoding="utf-8")
    result = CliRunner().invoke(cli, ["export", str(source), "-f", "epub", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    with pytest.raises(UsageError):
        normalise(page, source_url="http://[x/")
