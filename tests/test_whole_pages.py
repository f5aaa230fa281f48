"""Whole saved web pages: the article survives the page around it (issue 16).

The pages under ``tests/data/pages/`` are small whole pages made for one failure each; the vendored
Readability pages (``tests/data/corpus/readability/*/source.html``) are real ones.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from exporter.cli import cli
from exporter.errors import UsageError
from exporter.normalise import normalise
from exporter.read import visible_size
from exporter.tree import text_of
from helpers import CORPUS, ROOT, SEED, corpus_pages, recall, reference_words, words

PAGES = Path(__file__).resolve().parent / "data" / "pages"


def tree_text(name: str, **options) -> str:
    return " ".join(text_of(normalise((PAGES / name).read_bytes(), origin=name, **options).tree).split())


# --- item 3: two outright failures ------------------------------------------------------------------
def test_an_aspnet_page_whose_body_sits_in_a_form_keeps_its_article():
    """WebForms wrap the whole body in one <form>: dropping forms with their content lost the article."""
    text = tree_text("aspnet-form.html")
    assert "Dredging of the inner harbour will begin in March" in text
    assert "The silt will be taken to a licensed site offshore" in text
    assert "doPostBack" not in text and "wEPDw" not in text  # scripts and hidden fields still go


def test_a_form_beside_the_article_is_still_dropped():
    html = ("<body><article><p>" + "The article has words of its own. " * 20 + "</p></article>"
            "<form><p>Sign up for the newsletter</p><label>Email</label><input name=e></form></body>")
    text = " ".join(text_of(normalise(html).tree).split())
    assert "The article has words of its own." in text and "newsletter" not in text


def test_json_in_data_attributes_is_not_counted_as_visible_text():
    """A '>' inside a quoted attribute value ended the tag for the truncation guard, which then counted
    the rest of the attribute as text the parser had lost, and refused the page."""
    text = tree_text("json-data-attributes.html")
    assert "The night ferry to the islands returns on the first of June" in text


def test_visible_size_skips_quoted_attribute_values_whatever_they_hold():
    assert visible_size("""<div data-x='{"a": "<b>1</b> > 0"}' title="x > y">Hello</div>""") == len("Hello")
    assert visible_size("<p class=a>one</p><p>two</p>") == len("onetwo")


# --- item 1: the article of a whole page ---------------------------------------------------------------
def test_a_whole_news_page_keeps_its_article_and_leaves_the_page_behind():
    doc = normalise((PAGES / "news-page.html").read_bytes(), origin="news-page.html")
    text = " ".join(text_of(doc.tree).split())
    for kept in ("Readings from the three tide gauges", "What the readings show", "Lifeboat slip",
                 "storm surges now reach the quay", "python3 averages.py --gauge harbour-wall",
                 "has asked for public comments by the end of April"):
        assert kept in text, kept
    for gone in ("We use cookies", "Sport", "Share on Facebook", "Get the Courier in your inbox",
                 "Related stories", "Night ferry returns", "harbourwatcher", "I have lived on the quay",
                 "Most read", "All rights reserved", "Advertisement"):
        assert gone not in text, gone
    tree = doc.tree
    assert [img.get("src") for img in tree.iter("img")] == [
        "https://img.example.org/2026/gauge-at-low-tide.jpg", "https://img.example.org/2026/quay-flooding.jpg"]
    assert [" ".join(text_of(c).split()) for c in tree.iter("figcaption")] == [
        "The oldest of the gauges, on the harbour wall, has been read since 1911. Photo: Tom Hale",
        "Sea water over the quay during the January storm."]
    assert [text_of(h) for h in tree.iter("h2")] == ["What the readings show"]
    assert len(tree.findall(".//table//td")) == 12 and len(tree.findall(".//ul/li")) == 3
    assert tree.find(".//pre/code") is not None


def test_the_report_says_what_was_removed_and_how_much():
    doc = normalise((PAGES / "news-page.html").read_bytes(), origin="news-page.html")
    lines = doc.report.lines()
    for kind, least in (("comments", 70), ("cookie and consent banners", 15), ("related-story lists", 15),
                        ("newsletter and subscription boxes", 15), ("sharing and social buttons", 4)):
        line = next((l for l in lines if l.startswith("whole page: removed") and l.endswith(f"words of {kind}")), None)
        assert line is not None, (kind, lines)
        assert int(line.split()[3]) >= least, line
    assert any(l.startswith("whole page: kept the article, ") for l in lines)


def test_extract_never_keeps_the_whole_page_and_always_extracts_even_a_fragment():
    page = (PAGES / "news-page.html").read_bytes()
    never = normalise(page, extract="never")
    assert not any(line.startswith("whole page") for line in never.report.lines())
    whole = " ".join(text_of(never.tree).split())  # the page's only <article>, as before extraction existed
    assert "By Ruth Amis, science correspondent" in whole and "Readings from the three tide gauges" in whole
    assert "By Ruth Amis" not in text_of(normalise(page).tree)
    fragment = ("<div><p>" + "A paragraph of the article with enough words to be chosen, and a comma. " * 6 + "</p>"
                "<p>" + "Another paragraph of the same article, long enough as well, with commas, too. " * 5 + "</p>"
                "</div><div class='comments'><p>A comment about the article.</p></div>")
    assert "A comment about" in text_of(normalise(fragment).tree)  # auto: a fragment passes untouched
    assert "A comment about" not in text_of(normalise(fragment, extract="always").tree)


def test_article_markup_and_the_seed_come_out_exactly_as_without_extraction():
    """``auto`` never touches article markup: every expected.html of the corpus and the seed, byte for byte."""
    inputs = [page / "expected.html" for page in corpus_pages()] + [SEED]
    assert len(inputs) >= 31
    for source in inputs:
        data = source.read_bytes()
        auto, never = normalise(data, origin=str(source)), normalise(data, origin=str(source), extract="never")
        assert auto.to_xml() == never.to_xml(), source
        assert not any(line.startswith("whole page") for line in auto.report.lines()), source


#: Whole pages of the vendored Readability corpus whose page around the article is large.
BOILERPLATE_HEAVY = ("bbc-1", "heise", "links-in-tables", "nytimes-1", "qq")


@pytest.mark.parametrize("name", BOILERPLATE_HEAVY)
def test_a_vendored_whole_page_loses_its_boilerplate_and_keeps_its_article(name):
    page = CORPUS / name
    article = reference_words(page / "expected.html")
    extracted = normalise((page / "source.html").read_bytes(), origin=name)
    whole = normalise((page / "source.html").read_bytes(), origin=name, extract="never")
    assert any(line.startswith("whole page: removed") for line in extracted.report.lines())
    got, before = words(text_of(extracted.tree)), words(text_of(whole.tree))
    assert recall(article, got) >= 0.9
    share_of_article = recall(got, article)  # how much of what we kept is the article's
    assert share_of_article > recall(before, article) + 0.1 and share_of_article >= 0.9


def test_whole_pages_keep_the_articles_images_lazy_ones_too():
    for name, image in (("heise", "Barcode-Scanner-With-Border-fc08c913da5cea5d.jpeg"),
                        ("lazy-image-1", "1*vFTVh_mYyf0p6m7f77A3vw.jpeg"),
                        ("guardian-1", "98c683a7df9c83b2c13de2d93ca1825199ed5150")):
        doc = normalise((CORPUS / name / "source.html").read_bytes(), origin=name)
        sources = [img.get("src") for img in doc.tree.iter("img")]
        assert any(image in unquote(src) for src in sources), (name, sources)


def test_extraction_imports_its_library_only_for_a_whole_page():
    probe = ("import sys, exporter\n"
             "exporter.normalise('<p>An article fragment, nothing around it.</p>')\n"
             "print('readability' in sys.modules, 'trafilatura' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.split() == ["False", "False"], done.stderr


def test_a_bad_extract_value_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["normalise", str(PAGES / "news-page.html"), "--extract", "sometimes"])
    assert result.exit_code == 2
    with pytest.raises(UsageError):
        normalise("<p>x</p>", extract="sometimes")


def test_a_standalone_document_keeps_the_list_after_its_last_paragraph():
    """readability-lxml scores paragraphs: a list (or code) right after the last one was left out."""
    page = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Notes on tides</title></head><body>"
            "<header id='title-block-header'><h1 class='title'>Notes on tides</h1></header>"
            "<nav id='TOC' role='doc-toc'><ul><li><a href='#why'>Why</a></li><li><a href='#how'>How</a></li></ul></nav>"
            "<h2 id='why'>Why</h2><p>Tides matter because the harbour floods, and the town needs to plan for it.</p>"
            "<p>Second paragraph, with more words, explaining the reasons, in detail, for the reader.</p>"
            "<h2 id='how'>How</h2><p>We measure with gauges, three of them, read daily by the lifeboat crew.</p>"
            "<ul><li>the harbour wall gauge</li><li>the north pier gauge</li></ul></body></html>")
    text = " ".join(text_of(normalise(page).tree).split())
    assert "the harbour wall gauge" in text and "the north pier gauge" in text
    assert "We measure with gauges" in text


def test_a_page_nested_too_deep_for_the_extractor_is_kept_whole_and_says_so():
    """readability-lxml serialises each <div>'s children: its time grows with depth; past a bound it is not asked."""
    deep = "<div>" * 300 + "<p>" + "Words of the article at the bottom of a very deep page. " * 20 + "</p>" + "</div>" * 300
    page = (f"<!DOCTYPE html><html><head><title>Deep</title></head><body><nav><a href='/'>Home</a></nav>"
            f"{deep}</body></html>")
    doc = normalise(page)
    assert "Words of the article at the bottom" in text_of(doc.tree)
    assert "whole page: kept whole, nested over 128 levels deep (too deep for the extractor)" in doc.report.lines()
