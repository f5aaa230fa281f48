"""Hostile input that amplifies inside the writers: table grids, dates out of a format's range, deep JSON-LD,
CSS escapes and ``<use>`` bombs in SVG. Each case once crashed or exhausted the machine (issue 19)."""
from __future__ import annotations

import json
import resource
import subprocess
import sys
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


def test_impossible_date_option_is_a_usage_error(tmp_path: Path) -> None:
    page = tmp_path / "plain.html"
    page.write_text(PAGE.format(head="", body=""))
    code, err = run("export", str(page), "-f", "txt", "-o", str(tmp_path / "out"), "--date", "2024-02-30")
    assert code == 2 and "--date" in err and len(err.strip().splitlines()) == 1
