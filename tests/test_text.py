"""The plain-text edition: exact output for small clean trees, and every word kept on real pages."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from click.testing import CliRunner

from exporter import export
from exporter.cli import cli
from exporter.document import Book, Document, Metadata, Part
from exporter.errors import UsageError
from exporter.options import Settings, resolve
from exporter.writers.text import TextWriter, render
from exporter.writers.text.wrap import cells, wrap
from helpers import CORPUS, SEED_ITALIC, SEED_LINK_TEXT, recall, reference_words, words


def doc(body: str, title: str = "T", lang: str = "en", direction: str = "ltr", **meta) -> Document:
    tree = etree.fromstring(f"<article lang='{lang}' dir='{direction}'>{body}</article>")
    return Document(tree, Metadata(title=title, language=lang, direction=direction, **meta))


def body(markup: str, **settings) -> str:
    """The text of one article after its title block (``T`` between two rules and two blank lines)."""
    text = render(Book.of(doc(markup)), settings)
    head = "===\nT\n===\n\n\n"
    assert text.startswith(head)
    return text[len(head):]


def test_title_block_has_every_fact_one_per_line():
    article = doc("<p>Body.</p>", title="An independent MP", subtitle="A sacrifice for peace",
                  authors=["Jane Doe", "John Roe"], date="2024-07-12", publisher="The National",
                  source_url="https://example.org/mp")
    assert render(Book.of(article)) == (
        "=================\nAn independent MP\n=================\n\n"
        "A sacrifice for peace\n\n"
        "Jane Doe and John Roe\n2024-07-12\nThe National\nhttps://example.org/mp\n\n\n"
        "Body.\n")


def test_wraps_at_width_without_breaking_words_or_urls():
    url = "https://example.org/a/very/long/path-with-hyphens/that-is-wider-than-the-line"
    out = body(f"<p>Read the well-known report at {url} before tomorrow.</p>", width=20)
    assert out == f"Read the well-known\nreport at\n{url}\nbefore tomorrow.\n"


def test_width_zero_does_not_wrap():
    sentence = "word " * 40
    assert body(f"<p>{sentence}</p>", width=0) == sentence.strip() + "\n"


def test_cjk_paragraph_wrapped_at_20_cells():
    out = body("<p>谷歌在2014年收购的人工智能公司开发出一款能够用自己的记忆学习新知识的计算机。</p>", width=20)
    assert out == "谷歌在2014年收购的人\n工智能公司开发出一款\n能够用自己的记忆学习\n新知识的计算机。\n"
    assert all(cells(line) <= 20 for line in out.splitlines())


def test_cjk_never_starts_a_line_with_closing_punctuation():
    lines = wrap("一二三四五六七八九，十一", 18)
    assert lines == ["一二三四五六七八", "九，十一"]


def test_link_references_numbered_once_per_url():
    out = body('<p>See <a href="https://a.example/x">the report</a>, <a href="https://a.example/x">again</a>, '
               '<a href="https://b.example/">https://b.example/</a>, <a href="#top">top</a>, '
               '<a href="mailto:me@example.org">me@example.org</a> and <a href="https://c.example/">this</a>.</p>'
               '<h2 id="top">Top</h2>')
    assert out == ("See the report [1], again [1], https://b.example/, top, me@example.org\n"
                   "and this [2].\n\n\nTop\n===\n\n\nLinks\n-----\n\n"
                   "[1] https://a.example/x\n[2] https://c.example/\n")


def test_link_marker_in_cjk_goes_after_the_run():
    out = body('<p>发表在<a href="https://x.example/">科学</a>刊物《自然》上。</p>')
    assert out.startswith("发表在科学刊物[1]《自然》上。\n")


def test_link_marker_after_cjk_never_starts_a_line():
    assert body('<p>一二三四五六<a href="https://x.example/">七八九</a></p>', width=18).startswith(
        "一二三四五六七八\n九[1]\n")


def test_emphasis_styles():
    markup = "<p><em>soft</em> and <strong><strong>loud</strong></strong>.</p>"
    assert body(markup) == "_soft_ and *loud*.\n"
    assert body(markup, emphasis="asterisk") == "*soft* and **loud**.\n"
    assert body(markup, emphasis="none") == "soft and loud.\n"


def test_headings_quotes_pre_rule_and_figure():
    out = body("<h2>Part <em>one</em></h2><p>Text.</p><h3>Detail</h3>"
               "<blockquote><p>Quoted words that run on long enough to wrap.</p></blockquote>"
               "<pre>  code   kept\n    as is</pre><hr/>"
               "<figure><img src='a.png' alt='A red door'/><figcaption>The door, <em>1900</em>.</figcaption></figure>"
               "<figure><img src='b.png' alt=''/></figure>", width=30)
    assert out == ("Part one\n========\n\nText.\n\nDetail\n------\n\n"
                   "    Quoted words that run on\n    long enough to wrap.\n\n"
                   "  code   kept\n    as is\n\n"
                   "          *   *   *\n\n"
                   "[Image: A red door]\nThe door, _1900_.\n\n[Image]\n")


def test_pre_keeps_its_layout_inside_a_quote():
    out = body("<blockquote><pre>if x:\n\treturn  1   </pre></blockquote>")
    assert out == "    if x:\n            return  1\n"


def test_nested_lists_with_hanging_indents():
    out = body("<ul><li>One</li><li><p>Two</p><ol start='9'><li>Nine, a long item that wraps over two lines</li>"
               "<li>Ten<ul><li>deep</li></ul></li></ol></li><li>Three</li></ul>", width=40)
    assert out == ("  * One\n"
                   "  * Two\n"
                   "       9. Nine, a long item that wraps\n"
                   "          over two lines\n"
                   "      10. Ten\n"
                   "            + deep\n"
                   "  * Three\n")


def test_notes_numbered_by_first_reference_and_collected_after_the_article():
    out = body('<p>He said<a role="doc-noteref" href="#n2">2</a> and again<a role="doc-noteref" href="#n1">1</a>,'
               ' see <a href="https://x.example/">this</a>.</p>'
               '<aside role="doc-footnote" id="n1"><p>First note.</p></aside>'
               '<aside role="doc-footnote" id="n2"><p>Second note, with <a href="https://y.example/">a link</a>.</p>'
               '</aside><aside role="doc-footnote" id="n3"><p>Never referenced.</p></aside>')
    assert out == ("He said [Note 1] and again [Note 2], see this [1].\n\n\n"
                   "Notes\n-----\n\n1.  Second note, with a link [2].\n\n2.  First note.\n\n3.  Never referenced.\n\n\n"
                   "Links\n-----\n\n[1] https://x.example/\n[2] https://y.example/\n")


TABLE = ("<table><caption>Fruit prices</caption><thead><tr><th>Fruit</th><th>Colour</th><th>Price</th></tr></thead>"
         "<tbody><tr><td>Apple</td><td>red</td><td>1.20</td></tr><tr><td>Banana</td><td>yellow</td><td>0.50</td></tr>"
         "<tr><td colspan='2'>Total</td><td>1.70</td></tr></tbody></table>")


def test_table_aligned_with_colspan_and_numbers_to_the_right():
    assert body(TABLE) == ("Fruit prices\n"
                           "Fruit  | Colour | Price\n"
                           "-------+--------+------\n"
                           "Apple  | red    |  1.20\n"
                           "Banana | yellow |  0.50\n"
                           "Total           |  1.70\n")


ROWSPAN = ("<table><thead><tr><th>Name</th><th>Notes</th></tr></thead><tbody>"
           "<tr><td rowspan='2'>Ada</td><td>Wrote the first program for the Analytical Engine</td></tr>"
           "<tr><td>Born 1815</td></tr></tbody></table>")


def test_table_cells_wrap_to_fit_and_rowspan_sits_in_its_first_row():
    assert body(ROWSPAN, width=30) == ("Name | Notes\n"
                                       "-----+------------------------\n"
                                       "Ada  | Wrote the first program\n"
                                       "     | for the Analytical\n"
                                       "     | Engine\n"
                                       "-----+------------------------\n"
                                       "     | Born 1815\n")


def test_table_too_wide_falls_back_to_header_value_blocks():
    out = body(ROWSPAN, width=16)
    assert out == ("Name: Ada\nNotes: Wrote the\n  first program\n  for the\n  Analytical\n  Engine\n\n"
                   "Name: Ada\nNotes: Born 1815\n")


def test_matrix_table_falls_back_to_blocks_titled_by_row_header():
    header = "".join(f"<td>Stage {n} review</td>" for n in range(1, 9))
    row = "<tr><td>Load map</td>" + "<td><figure><img src='https://x.example/i/done.png' alt=''/></figure></td>" * 8
    out = body(f"<table><tbody><tr><td/>{header}</tr>{row}</tr></tbody></table>")
    assert out.startswith("Load map\n  Stage 1 review: [Image: done.png]\n  Stage 2 review: [Image: done.png]\n")


def test_layout_table_of_prose_side_by_side_reads_one_cell_after_the_other():
    out = body("<table><tr><td><p>Left one.</p><p>Left two.</p></td><td><p>Right.</p></td></tr></table>")
    assert out == "Left one.\n\nLeft two.\n\nRight.\n"


def test_rtl_text_stays_in_logical_order():
    text = "שלום עולם, זה טקסט בעברית"
    article = doc(f"<p>{text}</p>", title="כותרת", lang="he", direction="rtl")
    assert render(Book.of(article)).endswith(f"\n\n{text}\n")


def test_ascii_encoding_and_crlf_written_by_the_writer(tmp_path: Path):
    settings = resolve(TextWriter.options, {"encoding": "ascii", "newline": "crlf"})
    target = tmp_path / "out.txt"
    TextWriter().write(Book.of(doc("<p>Café “Zürich” — 北京</p>")), target, settings, None)
    assert target.read_bytes() == b"===\r\nT\r\n===\r\n\r\n\r\nCafe \"Zurich\" - Bei Jing\r\n"


def test_ascii_spells_cjk_as_separate_words_so_lines_still_break():
    out = body("<p>谷歌在2014年收购，并利用。</p>", encoding="ascii", width=20)
    assert out == "Gu Ge Zai 2014 Nian\nShou Gou, Bing Li\nYong.\n"


def test_options_are_declared_and_checked():
    assert {o.name for o in TextWriter.options} == {"width", "emphasis", "encoding", "newline"}
    assert all(o.group == "txt" for o in TextWriter.options)
    assert resolve(TextWriter.options, {}) == Settings(
        {"width": 72, "emphasis": "underscore", "encoding": "utf-8", "newline": "lf"})
    with pytest.raises(UsageError, match="--width"):
        resolve(TextWriter.options, {"width": -1})
    with pytest.raises(UsageError, match="--emphasis"):
        resolve(TextWriter.options, {"emphasis": "bold"})


def test_book_has_contents_parts_and_separators():
    book = Book(Metadata(title="Digest", authors=["Ed"]),
                [doc("<p>One.</p>", title="First"), doc("<p>Two.</p>", title="Second"),
                 doc("<p>Three.</p>", title="Third")])
    book.parts = [Part("Part B", book.articles[1:])]
    rule = "#" * 40
    assert render(book, {"width": 40}) == (
        "======\nDigest\n======\n\nEd\n\n"
        "Contents\n--------\n\n  1. First\nPart B\n  2. Second\n  3. Third\n\n\n\n"
        f"{rule}\n\n=====\nFirst\n=====\n\n\nOne.\n\n\n\n"
        f"{rule}\n\n######\nPart B\n######\n\n\n\n======\nSecond\n======\n\n\nTwo.\n\n\n\n"
        f"{rule}\n\n=====\nThird\n=====\n\n\nThree.\n")


def test_book_of_one_article_under_another_title_keeps_both_titles():
    book = Book(Metadata(title="Digest"), [doc("<p>One.</p>", title="First")])
    assert render(book, {"width": 10}) == ("======\nDigest\n======\n\n\n\n" + "#" * 10 +
                                           "\n\n=====\nFirst\n=====\n\n\nOne.\n")


def test_each_article_of_a_book_has_its_own_links():
    book = Book(Metadata(title="Digest"), [doc('<p><a href="https://a.example/">A</a></p>', title="First"),
                                          doc('<p><a href="https://b.example/">B</a></p>', title="Second")])
    out = render(book)
    assert out.count("Links\n-----") == 2
    assert "A [1]" in out and "B [1]" in out and "[1] https://b.example/" in out


def test_seed_article_keeps_every_word(seed_path: Path, tmp_path: Path):
    [path] = export(seed_path, formats="txt", out=tmp_path, title="An independent MP")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("=================\nAn independent MP\n=================\n")
    assert recall(reference_words(seed_path), words(text)) >= 0.995
    assert max(cells(line) for line in text.splitlines() if "://" not in line) <= 72
    assert f"{SEED_LINK_TEXT} [1]" in text and "\nLinks\n-----\n" in text


@pytest.mark.parametrize("page", ["qq", "keep-tabular-data", "ol"])
def test_corpus_pages_keep_their_words(page: str, tmp_path: Path):
    source = CORPUS / page / "expected.html"
    [path] = export(source, formats="txt", out=tmp_path, title=page)
    assert recall(reference_words(source), words(path.read_text(encoding="utf-8"))) >= 0.995


def test_cli_takes_the_text_options(seed_path: Path, tmp_path: Path):
    run = CliRunner().invoke(cli, ["export", str(seed_path), "-f", "txt", "-o", str(tmp_path), "--title", "MP",
                                   "--width", "40", "--emphasis", "none", "--newline", "crlf"])
    assert run.exit_code == 0, run.output
    data = (tmp_path / "mp.txt").read_bytes()
    lines = data.decode("utf-8").split("\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(cells(line) for line in lines if "://" not in line) <= 40
    flat = " ".join(data.decode("utf-8").split())
    assert f"_{SEED_ITALIC}" not in flat and SEED_ITALIC in flat


def test_cli_rejects_a_negative_width_in_one_line(seed_path: Path, tmp_path: Path):
    run = CliRunner().invoke(cli, ["export", str(seed_path), "-f", "txt", "-o", str(tmp_path), "--width", "-3"])
    assert run.exit_code != 0
    assert run.output.strip().splitlines() == ["exporter: error: --width: -3 is below the least allowed, 0"]
