"""Every page of the vendored Readability corpus through every edition, judged as corpus-check judges it.

One export per page (parametrised, so the pages spread over the test workers); each test asserts the
page's exit status, its tree's validity, epubcheck 5.3 with zero errors and zero warnings, and word
recall in the text, EPUB and PDF editions.
"""
from __future__ import annotations

import pytest

import exporter
from helpers import (CORPUS, corpus_pages, epub_text, epubcheck, page_options, pdf_text, recall, reference_words,
                     words)

PAGES = corpus_pages()
TEXT_RECALL = 0.99
EPUB_RECALL = 0.99
PDF_RECALL = 0.98


def test_the_vendored_corpus_is_complete_and_keeps_its_licence():
    vendored = [p for p in PAGES if p.parent == CORPUS]
    assert len(vendored) >= 30, f"{CORPUS} is missing or incomplete"
    for page in vendored:
        for name in ("source.html", "expected.html", "expected-metadata.json"):
            assert (page / name).is_file(), f"{page.name}/{name} is missing"
    assert "Apache License" in (CORPUS / "LICENSE").read_text() and "Readability" in (CORPUS / "NOTICE").read_text()


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_exports_completely(page, tmp_path):
    options = page_options(page)
    source = page / "expected.html"
    written = {p.suffix: p for p in exporter.export([source], out=tmp_path, offline=True, **options)}
    assert set(written) == {".epub", ".pdf", ".txt"}

    doc = exporter.normalise(source.read_bytes(), **options)
    assert doc.validation_errors() == []

    ref = reference_words(source)
    problems = []
    for name, text, floor in (("txt", written[".txt"].read_text(encoding="utf-8"), TEXT_RECALL),
                              ("epub", epub_text(written[".epub"]), EPUB_RECALL),
                              ("pdf", pdf_text(written[".pdf"]), PDF_RECALL)):
        kept = recall(ref, words(text))
        if kept < floor:
            problems.append(f"{name} keeps {kept:.4f} of the words (< {floor})")
    assert not problems, problems
    # Last, so that a machine without Java still runs every check above before the skip says what it missed.
    checked = epubcheck(written[".epub"])
    assert not (checked["errors"] or checked["warnings"]), f"epubcheck: {checked['messages'][:5]}"
