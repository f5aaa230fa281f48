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
