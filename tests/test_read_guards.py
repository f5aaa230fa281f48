"""Reading hostile markup: charsets that are not text encodings, elements with absurd attribute counts.

Every case ends in an edition or in one line and a documented exit status, never exit 70.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from exporter.cli import cli
from exporter.normalise import normalise
from exporter.read import decode


def export_txt(tmp_path: Path, data: bytes):
    source = tmp_path / "page.html"
    source.write_bytes(data)
    return CliRunner().invoke(cli, ["export", str(source), "-f", "txt", "-o", str(tmp_path / "out")])


# --- charsets: the WHATWG labels only ---------------------------------------------------------------
#: Python codec names that are no web encoding: each raised (exit 70) or turned the page into nothing.
NOT_WEB_ENCODINGS = ["undefined", "idna", "punycode", "rot13", "rot_13", "base64", "zlib", "hex", "uu", "bz2",
                     "unicode_escape", "raw_unicode_escape", "utf-7", "utf_8_sig", "mbcs", "quopri", "palmos",
                     "cp037", "utf-32"]


@pytest.mark.parametrize("label", NOT_WEB_ENCODINGS)
@pytest.mark.parametrize("where", ["meta", "xml"])
def test_python_codec_names_are_not_charsets(tmp_path: Path, label: str, where: str) -> None:
    head = f'<meta charset="{label}">' if where == "meta" else f'<?xml version="1.0" encoding="{label}"?>'
    words = "Plain words, then café and naïve, stay as written."
    data = (head + f"<title>Label</title><p>{words}</p>").encode("utf-8")
    text, _ = decode(data)
    assert words in text
    result = export_txt(tmp_path, data)
    assert result.exit_code == 0, result.output
    assert words in (tmp_path / "out" / "label.txt").read_text()


@pytest.mark.parametrize("label, codec", [("latin1", "cp1252"), ("ISO-8859-1", "cp1252"), ("x-sjis", "cp932"),
                                          ("koi8-r", "koi8-r"), ("x-user-defined", "cp1252"), ("gb2312", "gbk")])
def test_whatwg_labels_decode_as_browsers_do(label: str, codec: str) -> None:
    words = {"cp1252": "Grüße, ça va", "cp932": "日本語の文章", "koi8-r": "Русский текст", "gbk": "中文文字"}[codec]
    data = f'<meta charset="{label}"><p>{words}</p>'.encode(codec)
    text, used = decode(data)
    assert used == codec and words in text


def test_replacement_encoding_labels_leave_it_to_detection() -> None:
    """iso-2022-kr is the 'replacement' encoding (a browser shows one U+FFFD): the bytes decide instead."""
    data = '<meta charset="iso-2022-kr"><p>Words in UTF-8: déjà vu.</p>'.encode("utf-8")
    assert "déjà vu" in decode(data)[0]
    assert "déjà vu" in normalise(data).to_xml()


# --- a parse-time guard: elements with absurd attribute counts --------------------------------------
def crowded(count: int, spelling: str = "a{n}=x ") -> str:
    return "<p " + "".join(spelling.format(n=n) for n in range(count)) + ">Words of the crowded paragraph.</p>"


@pytest.mark.parametrize("spelling", ["a{n}=x ", 'a{n}=">" ', 'a{n}=""', "a{n}/", 'a{n}="<q" ', "a{n} "])
def test_an_element_with_too_many_attributes_is_refused_in_one_line(tmp_path: Path, spelling: str) -> None:
    """libxml2 spends quadratic, uninterruptible time on them (100k: two minutes): refused before parsing.

    Every spelling an HTML 5 tokeniser reads as separate attributes counts: quoted ``>`` and ``<`` in
    values, no space after a quoted value, ``/`` as separator, attributes without values.
    """
    result = export_txt(tmp_path, ("<title>Crowded</title>" + crowded(2000, spelling)).encode())
    assert result.exit_code == 4, result.output
    assert result.stderr.count("\n") == 1 and "2,000 attributes" in result.stderr and "<p>" in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_the_reported_repro_fails_at_once(tmp_path: Path) -> None:
    from exporter.errors import LimitError

    with pytest.raises(LimitError, match="100,000 attributes"):
        normalise(crowded(100_000))


def test_real_elements_with_many_attributes_pass() -> None:
    doc = normalise("<title>Busy</title>" + crowded(256) + '<p title="' + "word " * 5000 + '">Long title.</p>')
    assert "Words of the crowded paragraph." in doc.to_xml()


@pytest.mark.timeout(60)  # a hang guard, not a speed test: the quadratic search took minutes on these
@pytest.mark.parametrize("hostile", ["<a" * 150_000, '<div title="' + "<b" * 150_000 + '">x</div>'],
                         ids=["tags-in-a-tag-name", "tags-in-a-value"])
def test_tags_opening_inside_tags_are_read_once(hostile: str) -> None:
    """Each "<" inside a tag already read is read with it, not again as a new tag: a search for a crowded tag
    that restarted at each of them took 24 s on 120 KB of "<a", growing with the square of the size."""
    from exporter.read import crowded_element

    assert crowded_element(hostile) is None
    assert crowded_element(crowded(300) + hostile) == ("p", 300)


@pytest.mark.timeout(60)  # a hang guard, not a speed test: the regex retried at each "<!DOCTYPE" took 1.4 s on these
@pytest.mark.parametrize("hostile", ["<!DOCTYPE x[" * 6000, "<!DOCTYPE" * 7000, "<!DOCTYPE x[" + "]" * 65000],
                         ids=["open-subsets", "bare-doctypes", "brackets"])
def test_doctype_subsets_are_looked_for_once(hostile: str) -> None:
    """The DOCTYPE-subset search reads the head once: the regex read the rest of the head again at each
    ``<!DOCTYPE`` (64K characters of them: 1.4 s, growing with the square of the head)."""
    from exporter.read import doctype_subset, sanitise

    assert doctype_subset(hostile) is None
    assert doctype_subset("<!DOCTYPE x [<!ENTITY a 'b'>]>" + hostile) == (0, 30)
    assert sanitise(hostile + "<p>words</p>").endswith("<p>words</p>")


def test_a_crowded_element_escaped_in_noscript_is_not_parsed(monkeypatch) -> None:
    """``<noscript>`` text is parsed again for its image: the same guard applies there."""
    import importlib

    import lxml.html

    repair = importlib.import_module("exporter.normalise.repair")
    parsed: list[int] = []
    real = lxml.html.fragment_fromstring
    monkeypatch.setattr(repair.lxml.html, "fragment_fromstring", lambda text, **kw: parsed.append(len(text))
                        or real(text, **kw))
    attributes = " ".join(f"a{n}=x" for n in range(3000))
    doc = normalise(f"<title>Lazy</title><p>Words before.</p><noscript>&lt;img src=x.png {attributes}&gt;"
                    f"</noscript><p>Words after.</p>")
    assert parsed == [] and "Words after." in doc.to_xml()
    normalise('<title>Lazy</title><p>Words.</p><noscript>&lt;img src="x.png" alt="fine"&gt;</noscript>')
    assert parsed, "an ordinary noscript image is still parsed"


@pytest.mark.parametrize("extra", ["", "\x01"], ids=["clean", "with-a-control-character"])
@pytest.mark.parametrize("declarations", ["<?xml version='1.0'?><?xml version='1.0' encoding='utf-8'?>",
                                          "<?xml version='1.0' encoding='utf-8'?>\n <?XML version='1.0' encoding='latin1'?>"])
def test_leading_xml_declarations_are_all_dropped(declarations: str, extra: str) -> None:
    """Every XML declaration at the start goes: a second one was read when the page went to libxml2 as UTF-8 and
    refused ("Unicode strings with encoding declaration") when sanitising had changed the page (review-s9 L1)."""
    doc = normalise(declarations + "<html><body><p>café words here" + extra + "</p></body></html>", language="en")
    assert "<p>café words here</p>" in doc.to_xml()


@pytest.mark.timeout(60)  # a hang guard, not a speed test: each shape is read once
@pytest.mark.parametrize("hostile", ["<a" * 500_000, "<" * 1_000_000, "</a" * 300_000, "<a>" * 300_000,
                                     "<a title='" + ">" * 1_000_000, "&a<b" * 250_000],
                         ids=["tag-starts", "lone-lt", "end-tag-starts", "short-tags", "quoted-gt", "entities-and-tags"])
def test_the_text_loss_bound_reads_hostile_markup_once(hostile: str) -> None:
    """visible_bound reads each tag start once as far as its first ``>`` (possessively, no retries)."""
    from exporter.read import visible_bound, visible_size

    assert visible_bound(hostile) >= visible_size(hostile)
    assert visible_bound(hostile, hostile.encode()) == visible_bound(hostile)
