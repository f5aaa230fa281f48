"""Whole saved web pages: the article survives the page around it (issue 16).

The pages under ``tests/data/pages/`` are small whole pages made for one failure each; the vendored
Readability pages (``tests/data/corpus/readability/*/source.html``) are real ones.
"""
from __future__ import annotations

from pathlib import Path

from exporter.normalise import normalise
from exporter.read import visible_size
from exporter.tree import text_of

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
