"""Scripts and variants: Traditional or Simplified Chinese reaches lang and fonts; lang marks that contradict
their text go."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

import exporter
from exporter.normalise import normalise
from exporter.normalise.language import chinese_script, contradicts, with_script
from helpers import require

TRADITIONAL = ("臺灣的新聞網站常常把網頁的語言標成英文，但這篇文章是用繁體中文寫的。讀者應該看到繁體字形，"
               "印刷版也應該使用繁體中文的字體，否則許多字會顯得奇怪。")
SIMPLIFIED = ("这篇文章是用简体中文写的，网页的语言标记却说它是台湾的中文。读者应该看到简体字形，"
              "印刷版也应该使用简体中文的字体。")


@pytest.mark.parametrize(("tag", "text", "expected"), [
    ("zh", TRADITIONAL, "zh-Hant"),
    ("zh", SIMPLIFIED, "zh-Hans"),
    ("zh-TW", "中文", "zh-Hant-TW"),          # the text does not tell (no character differs): the region does
    ("zh-CN", "中文", "zh-Hans-CN"),
    ("zh", "中文", "zh"),                      # nothing tells: left as it is
    ("zh-TW", SIMPLIFIED, "zh-Hans-TW"),       # the text beats the region
    ("zh-Hant", SIMPLIFIED, "zh-Hant"),        # a tag naming its script is kept
    ("ja", TRADITIONAL, "ja"),
])
def test_chinese_tags_get_the_script_their_text_is_written_in(tag, text, expected):
    assert with_script(tag, text) == expected


def test_a_few_characters_of_the_other_script_do_not_change_the_verdict():
    assert chinese_script(TRADITIONAL + "这个") == "Hant"
    assert chinese_script("这个這個") is None


@pytest.mark.parametrize(("tag", "text", "expected"), [
    ("EN-US", "這是一個句子", True), ("en", "iPhone 手機", False), ("ja", "這是", False),
    ("en", "，。", False), ("sr-Latn", "Београд", True), ("tlh", "這是", False), ("fr", "Ça va", False),
])
def test_a_lang_contradicts_text_with_no_letter_in_its_scripts(tag, text, expected):
    assert contradicts(tag, text) is expected


PAGE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>繁體中文</title></head>
<body><article><p>{TRADITIONAL}</p><p>記者說：<span lang="EN-US">「這是一個問題。」</span>他又說，
<span lang="en">Taipei</span> 的天氣很好。</p></article></body></html>"""


def test_a_traditional_page_marked_english_becomes_zh_hant_and_word_processor_spans_go():
    doc = normalise(PAGE)
    assert doc.metadata.language == "zh-Hant"
    assert doc.tree.get("lang") == "zh-Hant"
    assert [span.get("lang") for span in doc.tree.iter("span")] == ["en"]
    assert "dropped 1 language mark contradicting the script of their text" in doc.report.lines()


@pytest.fixture(scope="module")
def traditional_editions(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hant")
    (folder / "page.html").write_text(PAGE, encoding="utf-8")
    return {p.suffix[1:]: p for p in exporter.export([folder / "page.html"], formats="epub,pdf", out=folder / "out")}


def test_the_pdf_sets_traditional_chinese_in_a_traditional_face(traditional_editions):
    require("script-fonts")
    fonts = set()
    for page in PdfReader(str(traditional_editions["pdf"])).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    cjk = {name for name in fonts if "CJK" in name}
    assert cjk and all("CJK-TC" in name for name in cjk), fonts


def test_the_epub_declares_zh_hant(traditional_editions):
    with zipfile.ZipFile(traditional_editions["epub"]) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
        article = etree.fromstring(z.read(next(n for n in z.namelist() if n.startswith("EPUB/text/article"))))
        css = z.read(next(n for n in z.namelist() if n.endswith(".css"))).decode()
    assert opf.findtext(".//{http://purl.org/dc/elements/1.1/}language") == "zh-Hant"
    assert article.get("lang") == "zh-Hant"
    assert ':lang(zh-Hant)' in css and "CJK TC" in css
