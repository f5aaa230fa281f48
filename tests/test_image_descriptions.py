"""Image descriptions a person supplies (``--image-descriptions``), and what the editions claim without them.

The source page (``data/inline/emoji.html``) has a button icon without alt text. Without a description the
EPUB claims no conformance and a PDF/UA-1 edition is not declared PDF/UA; with one, both are.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

import exporter
from exporter.cli import cli
from exporter.errors import UsageError

from test_pdf_access import _pdfua_findings

PAGE = Path(__file__).parent / "data" / "inline" / "emoji.html"
GEAR = {"icons/gear.png": "the settings button, a gear wheel"}


def _conforms_to(epub: Path) -> list[str]:
    with zipfile.ZipFile(epub) as z:
        opf = etree.fromstring(z.read(next(n for n in z.namelist() if n.endswith(".opf"))))
    return [m.text for m in opf.iter("{http://www.idpf.org/2007/opf}meta") if m.get("property") == "dcterms:conformsTo"]


def _declares_ua(pdf: Path) -> bool:
    import pikepdf

    with pikepdf.open(pdf) as doc:
        return b"pdfuaid:part" in doc.Root.Metadata.read_bytes()


def _export(out: Path, *extra: str) -> tuple[int, str, dict[str, Path]]:
    result = CliRunner().invoke(cli, ["export", str(PAGE), "-o", str(out), "-f", "epub,pdf",
                                      "--pdf-variant", "pdf/ua-1", *extra])
    return result.exit_code, result.output, {p.suffix: p for p in out.iterdir()} if out.is_dir() else {}


def test_without_descriptions_neither_edition_claims_and_the_pdf_says_why_in_one_line(tmp_path, caplog):
    with caplog.at_level("WARNING", logger="exporter"):  # the API writes in this process (the CLI may fork)
        files = {p.suffix: p for p in exporter.export(PAGE, "epub,pdf", tmp_path / "out", pdf_variant="pdf/ua-1")}
    assert _conforms_to(files[".epub"]) == []
    assert not _declares_ua(files[".pdf"]), "a figure without /Alt breaks PDF/UA-1: the claim is withdrawn"
    lines = [r.getMessage() for r in caplog.records if "not declared PDF/UA" in r.getMessage()]
    assert len(lines) == 1 and "1 image(s) have no text alternative" in lines[0] and "--image-descriptions" in lines[0]


def test_supplied_descriptions_make_both_editions_conform(tmp_path):
    descriptions = tmp_path / "descriptions.json"
    descriptions.write_text(json.dumps(GEAR), encoding="utf-8")
    code, output, files = _export(tmp_path / "out", "--image-descriptions", str(descriptions))
    assert code == 0, output
    assert _conforms_to(files[".epub"]) == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert _declares_ua(files[".pdf"])
    assert _pdfua_findings(files[".pdf"]) == []
    with zipfile.ZipFile(files[".epub"]) as z:
        assert b'alt="the settings button, a gear wheel"' in b"".join(z.read(n) for n in z.namelist()
                                                                     if n.endswith(".xhtml"))


@pytest.mark.parametrize("content, message", [("{not json", "is not JSON"), ('["a list"]', "must be a JSON object"),
                                              ('{"a.png": 3}', "must be a JSON object"),
                                              ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply")])
def test_a_bad_descriptions_file_is_a_usage_error_in_one_line(tmp_path, content, message):
    descriptions = tmp_path / "descriptions.json"
    descriptions.write_text(content, encoding="utf-8")
    code, output, _ = _export(tmp_path / "out", "--image-descriptions", str(descriptions))
    assert code == UsageError.exit_code and message in output and "Traceback" not in output, output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_characters_no_document_can_carry_are_cleaned_as_the_tree_cleans_text(tmp_path):
    # NUL, C0 controls and a lone surrogate (valid JSON escapes) once stopped the export with exit 70
    descriptions = tmp_path / "descriptions.json"
    descriptions.write_text(json.dumps({"icons/gear.png": "the gear\u0000 wheel\u0001 button\ud800",
                                        "harbour.png": "\u0000"}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["export", str(PAGE), "-o", str(tmp_path / "out"), "-f", "epub",
                                      "--image-descriptions", str(descriptions)])
    assert result.exit_code == 0, result.output
    [epub] = (tmp_path / "out").glob("*.epub")
    with zipfile.ZipFile(epub) as z:
        text = b"".join(z.read(n) for n in z.namelist() if n.endswith(".xhtml")).decode()
    assert 'alt="the gear wheel button"' in text
    assert 'alt="The harbour at dusk, boats moored along the quay"' in text, "a description cleaned to nothing is none"


def test_a_missing_descriptions_file_is_a_usage_error(tmp_path):
    code, output, _ = _export(tmp_path / "out", "--image-descriptions", str(tmp_path / "nowhere.json"))
    assert code == UsageError.exit_code and "is not a file" in output


def test_the_api_and_a_description_replacing_tex_no_reader_could_read():
    markup = ('<article><p>The fee follows <img src="u.svg" alt="\\unknowncommand{"> for every boat and '
              '<img src="rule.png"> ends it.</p></article>')
    for given in ('{"u.svg": "forty euro a metre"}', {"u.svg": "forty euro a metre"}):  # JSON text or a dict
        doc = exporter.normalise(markup, title="Fees", image_descriptions=given)
        imgs = list(doc.tree.iter("img"))
        assert [(i.get("alt"), i.get("described")) for i in imgs] == [("forty euro a metre", None), (None, None)]


def test_a_dataset_record_brings_its_own_descriptions_over_the_commands(tmp_path):
    gear = '<p>Press the <img src="icons/gear.png"> button, or the <img src="icons/party.png"> one.</p>'
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"title": "Buttons", "html": gear,
                                   "image_descriptions": {"icons/party.png": "a party popper"}}) + "\n"
                       + json.dumps({"title": "Bad descriptions", "html": gear, "image_descriptions": "[1]"}) + "\n",
                       encoding="utf-8")
    descriptions = tmp_path / "descriptions.json"
    descriptions.write_text(json.dumps({**GEAR, "icons/party.png": "confetti"}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["export", str(records), "-o", str(tmp_path / "out"), "-f", "txt,epub",
                                      "--image-descriptions", str(descriptions)])
    assert "records.jsonl:2" in result.output and "must be a JSON object" in result.output, result.output
    [text] = (tmp_path / "out").glob("*.txt")  # a record reads no local images: their descriptions stand in
    assert "Press the the settings button, a gear wheel button, or the a party popper one." in " ".join(
        text.read_text().split())


def test_a_book_manifest_names_a_descriptions_file_for_its_articles(tmp_path):
    import shutil

    shutil.copy(PAGE, tmp_path / "release.html")
    shutil.copytree(PAGE.parent / "icons", tmp_path / "icons")
    shutil.copy(PAGE.parent / "harbour.png", tmp_path / "harbour.png")
    (tmp_path / "descriptions.json").write_text(json.dumps(GEAR), encoding="utf-8")
    (tmp_path / "command.json").write_text(json.dumps({"icons/gear.png": "overruled by the book's own"}),
                                           encoding="utf-8")
    (tmp_path / "book.toml").write_text('title = "Release notes"\nimage_descriptions = "descriptions.json"\n'
                                        'articles = ["release.html"]\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "book.toml"), "-o", str(tmp_path / "out"), "-f",
                                      "epub", "--image-descriptions", str(tmp_path / "command.json")])
    assert result.exit_code == 0, result.output
    [epub] = (tmp_path / "out").glob("*.epub")
    assert _conforms_to(epub) == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    with zipfile.ZipFile(epub) as z:
        assert b'alt="the settings button, a gear wheel"' in b"".join(z.read(n) for n in z.namelist()
                                                                     if n.endswith(".xhtml"))
    (tmp_path / "book.toml").write_text('title = "Release notes"\nimage_descriptions = "nowhere.json"\n'
                                        'articles = ["release.html"]\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "book.toml"), "-o", str(tmp_path / "out2")])
    assert result.exit_code == UsageError.exit_code and "image_descriptions" in result.output, result.output


def test_a_shared_descriptions_file_is_parsed_once_not_once_per_article(tmp_path, monkeypatch):
    # a book.toml's file is every article's override: each article once re-parsed the whole text (0.35-0.68 s
    # per article for a 14 MB file)
    from exporter.batch.tasks import with_overrides
    from exporter.options import image_descriptions

    book = image_descriptions({f"{tmp_path}/img{i}.png": f"picture {i}" for i in range(50)})
    command = image_descriptions({f"{tmp_path}/cmd.png": "the command's"})
    parsed = []
    real_loads = json.loads
    monkeypatch.setattr(json, "loads", lambda text, *a, **k: parsed.append(text) or real_loads(text, *a, **k))
    merged = set()
    for _ in range(6):  # six articles of one book
        options = {"image_descriptions": command}
        with_overrides(options, {"image_descriptions": book})
        merged.add(options["image_descriptions"])
    assert len(merged) == 1 and f"{tmp_path}/cmd.png" in json.loads(merged.pop())
    assert parsed.count(book) == 1 and parsed.count(command) == 1, "one parse per distinct file"


def test_a_mapping_given_to_an_option_that_takes_none_is_a_one_line_usage_error(tmp_path):
    with pytest.raises(UsageError) as caught:
        exporter.export(PAGE, "txt", tmp_path / "out", theme={"a": 1})
    assert "unhashable" not in str(caught.value) and "\n" not in str(caught.value) and "theme" in str(caught.value)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_descriptions_nested_too_deeply_through_the_api_are_a_usage_error_not_a_recursion_error(tmp_path):
    nested: dict = {}
    inner = nested
    for _ in range(100_000):  # json.dumps recursed past the interpreter's limit: RecursionError, exit 70
        inner["a"] = inner = {}
    with pytest.raises(UsageError, match="--image-descriptions: the value is nested too deeply"):
        exporter.export(PAGE, "txt", tmp_path / "out", image_descriptions=nested)
    with pytest.raises(UsageError, match="--image-descriptions"):
        exporter.normalise("<p>text</p>", image_descriptions={"a.png": {"b": 1}})


def _unmatched_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "matched no image" in r.getMessage()]


def test_unmatched_keys_are_named_for_one_article_and_not_reported_for_every_article_of_a_batch(tmp_path, caplog):
    # a file a batch shares names the images of all its articles: each article once reported nearly every key
    # as "matched no image of this article" (misleading, and a count without the keys)
    import shutil

    keys = {**GEAR, **{f"other/picture{i}.png": f"picture {i}" for i in range(7)}}
    descriptions = tmp_path / "descriptions.json"
    descriptions.write_text(json.dumps(keys), encoding="utf-8")
    with caplog.at_level("INFO", logger="exporter"):
        exporter.export(PAGE, "txt", tmp_path / "one", image_descriptions=str(descriptions))
    [line] = _unmatched_lines(caplog)
    assert "7 image descriptions matched no image" in line and "'other/picture0.png'" in line
    assert "'other/picture4.png'" in line and "picture5" not in line and line.endswith(", …"), line
    for name in ("a.html", "b.html"):
        shutil.copy(PAGE, tmp_path / name)
    caplog.clear()
    with caplog.at_level("INFO", logger="exporter"):
        exporter.export([tmp_path / "a.html", tmp_path / "b.html"], "txt", tmp_path / "batch", jobs=1,
                        image_descriptions=str(descriptions))
    assert len(list((tmp_path / "batch").glob("*.txt"))) == 2
    assert any("described 1 image" in r.getMessage() for r in caplog.records), "the -v report is still written"
    assert _unmatched_lines(caplog) == []
