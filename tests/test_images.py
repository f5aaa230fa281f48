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
