"""Structure repair on the kinds of broken markup the shared corpus and real pages hold."""
from __future__ import annotations

import pytest

from exporter.normalise import normalise
from exporter.tree import INLINES, text_of

from helpers import CORPUS, recall, reference_words, words


def body(markup: str) -> str:
    xml = normalise(markup, language="en", reflow=False, typography=False).to_xml(pretty=False)
    return xml[xml.index(">") + 1: xml.rindex("<")]


def test_bold_line_between_paragraphs_is_a_heading():
    assert body("<p>Intro.</p><p><b>Where it began</b></p><p>Body text.</p>") == (
        "<p>Intro.</p><h2>Where it began</h2><p>Body text.</p>")


def test_opening_bold_line_and_bold_byline_stay_paragraphs():
    assert "<h2>" not in body("<p><b>LONDON</b></p><p>Text.</p><p><b>By Jane Doe</b></p><p>More.</p>")


def test_bold_sentence_and_bold_label_list_stay_paragraphs():
    markup = "<p>Intro.</p><p><b>This is bold.</b></p><p><b>Name</b></p><p><b>Age</b></p><p>Text.</p>"
    assert "<h2>" not in body(markup).replace("<h2>Age</h2>", "")


def test_sentence_length_heading_is_a_bold_paragraph():
    long = "This heading goes on and on like a paragraph would, with clauses and more clauses, until it ends. " * 2
    out = body(f"<h2>{long}</h2><p>Text.</p>")
    assert out.startswith("<p><strong>This heading")


def test_skipped_heading_levels_are_made_consecutive():
    assert body("<h2>A</h2><p>x</p><h5>B</h5><p>y</p>") == "<h2>A</h2><p>x</p><h3>B</h3><p>y</p>"


def test_lists_typed_with_br_and_bullets():
    assert body("<p>Buy:<br>\u2022 apples<br>\u2022 pears</p>") == (
        "<p>Buy:</p><ul><li>apples</li><li>pears</li></ul>")
    assert body("<p>\u2022 one</p><p>\u2022 two</p><p>After.</p>") == (
        "<ul><li>one</li><li>two</li></ul><p>After.</p>")
    assert body("<p>3. three</p><p>4. four</p>") == '<ol start="3"><li>three</li><li>four</li></ol>'


def test_dialogue_dashes_and_lone_numbers_are_not_lists():
    markup = "<p>- Yes, she said.</p><p>- No, he said.</p><p>1. Only one numbered line.</p><p>Text.</p>"
    assert "<li>" not in body(markup)


def test_image_wrapped_in_link_with_caption_and_credit_siblings_is_one_figure():
    markup = ('<div class="media"><a href="https://e.org/big.jpg"><span><img src="a.jpg" alt="A bridge"></span></a>'
              '<span class="caption">The bridge at dawn.</span> <span class="credit">Photo: Jane Doe</span></div>'
              "<p>Text after.</p>")
    assert body(markup) == ('<figure><img src="a.jpg" alt="A bridge"/><figcaption>The bridge at dawn. '
                            "Photo: Jane Doe</figcaption></figure><p>Text after.</p>")


def test_wordpress_caption_paragraph_joins_its_image():
    markup = ('<div class="wp-caption"><a href="https://e.org/x.jpg"><img src="x.jpg" alt="X"></a>'
              '<p class="wp-caption-text">The harbour at night.</p></div><p>Body text.</p>')
    assert body(markup) == ('<figure><img src="x.jpg" alt="X"/><figcaption>The harbour at night.</figcaption>'
                            "</figure><p>Body text.</p>")


def test_credit_line_after_a_figure_joins_its_caption():
    assert body('<figure><img src="z.jpg" alt=""><figcaption>The hall</figcaption></figure><p>Photo: <em>Jane '
                "Doe</em>/Reuters</p><p>Body.</p>") == (
        '<figure><img src="z.jpg" alt=""/><figcaption>The hall Photo: <em>Jane Doe</em>/Reuters</figcaption>'
        "</figure><p>Body.</p>")
    assert body('<figure><img src="z.jpg" alt=""></figure><p>Photographs are not allowed here.</p>').endswith(
        "<p>Photographs are not allowed here.</p>")


def test_inline_image_in_running_text_is_not_a_caption():
    out = body('<p>Before the image <span><img src="a.jpg" alt=""></span> and a sentence after it.</p>')
    assert "figcaption" not in out


@pytest.mark.parametrize("markup", [
    '<div><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" class="lazy"><noscript><img src="real.jpg" alt="R">'
    "</noscript></div><p>Body.</p>",
    '<figure><div><img src="https://cdn.e.org/max/60/x.png?q=20"><img width="800"></div>'
    '<noscript><img src="real.jpg" alt="R"></noscript><figcaption>Cap</figcaption></figure><p>Body.</p>',
])
def test_noscript_fallback_replaces_lazy_copies(markup):
    doc = normalise(markup, language="en")
    assert [img.get("src") for img in doc.tree.iter("img")] == ["real.jpg"]


def test_lazy_attributes_and_picture():
    doc = normalise('<p><img src="blank.gif" data-src="https://e.org/a.jpg"></p>'
                    '<picture><source srcset="https://e.org/b-480.jpg 480w, https://e.org/b-960.jpg 960w">'
                    '<img src="blank.gif"></picture><p>Body.</p>', language="en")
    assert [img.get("src") for img in doc.tree.iter("img")] == ["https://e.org/a.jpg", "https://e.org/b-960.jpg"]


def test_share_newsletter_and_read_more_boxes_go():
    markup = ('<p>The article says something worth reading.</p>'
              '<div class="share-tools"><a href="https://fb.com">Facebook</a> <a href="https://x.com">X</a></div>'
              '<aside class="newsletter-signup"><p>Sign up for our daily newsletter</p></aside>'
              '<p>Read more: <a href="https://e.org/other">Another story entirely</a></p>'
              '<p>The article goes on.</p>')
    assert body(markup) == "<p>The article says something worth reading.</p><p>The article goes on.</p>"


def test_big_box_with_a_share_class_is_kept():
    text = "word " * 120
    assert text.strip() in body(f'<div class="share-enabled-article"><p>{text}</p></div>')


def test_repeated_pull_quote_goes_and_real_quote_stays():
    markup = ("<p>She said the river had never been so high in living memory, and nobody argued.</p>"
              "<blockquote>the river had never been so high in living memory</blockquote>"
              '<div class="pullquote">so high in living memory, and nobody argued</div>'
              '<div class="pullquote">Words of a box that the article never says.</div>'
              "<blockquote><p>A quotation that appears nowhere else in the text at all.</p></blockquote>")
    doc = normalise(markup, language="en", reflow=False, typography=False)
    out = doc.to_xml(pretty=False)
    assert out.count("<blockquote>") == 1
    assert "appears nowhere else" in out and "Words of a box" in out
    assert doc.report["dropped {n} pull quote{s} repeating the text"] == 2


def test_layout_table_is_unwrapped_and_data_table_kept():
    long = "A paragraph of the article that sits in a layout cell. " * 8
    assert body(f"<table><tr><td><p>{long.strip()}</p></td><td>Side note.</td></tr></table>") == (
        f"<p>{long.strip()}</p><p>Side note.</p>")
    assert body('<table role="presentation"><tr><td>Left</td><td>Right</td></tr></table>') == "<p>Left</p><p>Right</p>"
    data = "<table><tr><th>City</th><th>People</th></tr><tr><td>Oslo</td><td>700,000</td></tr></table>"
    assert body(data).startswith("<table><thead>")


def test_consecutive_duplicate_blocks_are_kept_once():
    assert body("<p>The same words twice here.</p><p>The same words twice here.</p><p>Next.</p>") == (
        "<p>The same words twice here.</p><p>Next.</p>")
    long = "Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor. " * 4
    assert body(f"<p>{long}</p><p>{long}</p>").count("<p>") == 2  # long repeats are the author's


def test_report_reads_well():
    doc = normalise("<p>Intro.</p><p><b>Heading</b></p><p>Text.</p><p>\u2022 a</p><p>\u2022 b</p>", language="en")
    assert "made headings of 1 bold line" in doc.report.lines()
    assert "made 1 list of paragraphs typed with bullets or numbers" in doc.report.lines()


@pytest.mark.parametrize("page", ["lazy-image-1", "guardian-1", "bbc-1", "wikipedia", "links-in-tables"])
def test_repairs_lose_no_article_words_on_corpus_sources(page):
    folder = CORPUS / page
    doc = normalise((folder / "expected.html").read_bytes(), origin=page)
    assert not doc.validation_errors()
    assert recall(reference_words(folder / "expected.html"), words(reading_text(doc.tree))) >= 0.99


def reading_text(tree) -> str:
    """The tree's text with blocks apart, as an edition prints it."""
    import copy

    tree = copy.deepcopy(tree)
    for el in tree.iter():
        if el.tag not in INLINES:
            el.text, el.tail = " " + (el.text or ""), " " + (el.tail or "")
    return text_of(tree)
