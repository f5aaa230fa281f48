"""DAISY Ace on the EPUB of every vendored corpus page (tables, right-to-left, CJK, images, maths…): no
critical or serious violation on any, and no moderate or minor one either (every one found so far was ours).

The pages are exported as tests/test_corpus.py exports them (expected.html, offline, the page's metadata);
Ace then checks them all in one Chromium (tests/ace_batch.js), once for the module.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import exporter
from ace_check import AceReport, run_ace
from helpers import CORPUS, corpus_pages, page_options

#: Only the vendored pages: the suite must cost the same with or without ../shared beside the checkout.
PAGES = [p for p in corpus_pages() if p.parent == CORPUS]


def _export(page: Path, out: Path) -> Path:
    options = page_options(page)
    [path] = exporter.export([page / "expected.html"], formats="epub", out=out / page.name, offline=True, **options)
    return path


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, AceReport]:
    out = tmp_path_factory.mktemp("ace-corpus")
    return run_ace({page.name: _export(page, out) for page in PAGES}, out / "reports")


def test_every_vendored_page_is_checked():
    assert len(PAGES) >= 30


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_ace_finds_no_violation_in_the_page(reports, page):
    report = reports[page.name]
    assert not report.blocking(), f"{page.name}: " + "; ".join(map(str, report.blocking()))
    assert not report.findings, f"{page.name}: " + "; ".join(map(str, report.findings))
