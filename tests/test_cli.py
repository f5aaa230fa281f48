"""The `exporter` command as a user meets it: help, defaults, the seed article, errors."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT, epubcheck, recall, reference_words, words

EXPORTER = [sys.executable, "-m", "exporter"]


def run(*args: str, cwd: Path | None = None, stdin: bytes | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*EXPORTER, *args], capture_output=True, cwd=cwd, input=stdin, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def test_help_teaches_every_command_and_option():
    top = run("--help")
    assert top.returncode == 0
    for command in (b"export", b"normalise", b"formats", b"themes"):
        assert command in top.stdout
    export_help = run("export", "--help").stdout.decode()
    for flag in ("--format", "--output", "--title", "--author", "--lang", "--date", "--theme", "--url",
                 "--offline", "Examples:"):
        assert flag in export_help, flag
    from exporter.pipeline import all_options

    for option in all_options():  # options are declared once: the CLI shows every one of them
        assert option.cli_flags[0].split("/")[0] in export_help, option.name


def test_version_and_formats():
    assert run("--version").stdout.decode().strip().startswith("exporter, version ")
    listed = run("formats").stdout.decode()
    for name in ("epub", "pdf", "txt"):
        assert name in listed


@pytest.fixture(scope="module")
def seed_export(tmp_path_factory):
    from helpers import SEED

    out = tmp_path_factory.mktemp("seed")
    done = run("export", str(SEED), "--title", "An independent MP", "-o", str(out))
    assert done.returncode == 0, done.stderr
    return out


def test_seed_article_exports_all_three_editions(seed_export):
    names = sorted(p.name for p in seed_export.iterdir())
    assert names == ["an-independent-mp.epub", "an-independent-mp.pdf", "an-independent-mp.txt"]


def test_seed_epub_passes_epubcheck(seed_export):
    result = epubcheck(seed_export / "an-independent-mp.epub")
    assert (result["errors"], result["warnings"]) == (0, 0), result["messages"]


def test_seed_text_and_pdf_hold_every_word(seed_export):
    from helpers import SEED, pdf_text

    ref = reference_words(SEED)
    assert recall(ref, words((seed_export / "an-independent-mp.txt").read_text())) == 1.0
    assert recall(ref, words(pdf_text(seed_export / "an-independent-mp.pdf"))) >= 0.99


def test_a_machine_without_fonts_gets_a_quiet_run_and_a_pdf_in_the_bundled_fonts(tmp_path):
    """A slim container: fontconfig knows no font at all. The theme brings its own, so nothing is said."""
    from helpers import SEED, pdf_text

    conf = tmp_path / "fonts.conf"
    conf.write_text(f"<fontconfig><dir>{tmp_path / 'no-fonts'}</dir><cachedir>{tmp_path / 'cache'}</cachedir>"
                    "</fontconfig>")
    done = run("export", str(SEED), "-f", "pdf,txt", "--title", "No fonts", "-o", str(tmp_path / "out"),
               env={"FONTCONFIG_FILE": str(conf)})
    assert done.returncode == 0 and done.stderr.decode() == ""
    assert recall(reference_words(SEED), words(pdf_text(tmp_path / "out" / "no-fonts.pdf"))) >= 0.99


def test_no_input_exports_the_bundled_sample_into_dist(tmp_path):
    done = run("export", "-f", "txt,epub", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in (tmp_path / "dist").iterdir())
    assert written == ["how-a-newsroom-archive-became-a-library.epub", "how-a-newsroom-archive-became-a-library.txt"]
    text = (tmp_path / "dist" / written[1]).read_text()
    assert "How a Newsroom Archive Became a Library" in text and "Ada Example" in text


def test_sample_shows_headings_emphasis_links_list_quote_and_figure():
    import exporter
    from exporter.pipeline import SAMPLE

    tree = exporter.normalise(SAMPLE.read_bytes()).tree
    for tag in ("h2", "em", "a", "ul", "ol", "blockquote", "figure"):
        assert tree.find(f".//{tag}") is not None, tag


def test_stdin_and_output_naming_from_the_file_stem(tmp_path):
    done = run("export", "-", "-f", "txt", "-o", str(tmp_path), stdin="<p>Piped <b>text</b> here.</p>".encode())
    assert done.returncode == 0, done.stderr
    (only,) = tmp_path.iterdir()
    assert "Piped *text* here." in only.read_text()
    source = tmp_path / "My Notes (draft).html"
    source.write_text("<p>Body text.</p>")
    assert run("export", str(source), "-f", "txt", "-o", str(tmp_path)).returncode == 0
    assert (tmp_path / "my-notes-draft.txt").is_file()


def test_normalise_prints_a_valid_tree():
    from lxml import etree

    from exporter.pipeline import SAMPLE
    from exporter.tree import validation_errors

    done = run("normalise", str(SAMPLE), "--title", "Overridden")
    assert done.returncode == 0, done.stderr
    tree = etree.fromstring(done.stdout)
    assert tree.tag == "article" and validation_errors(tree) == []


@pytest.mark.parametrize("args, code, message", [
    (["export", "/no/such/file.html"], 3, "no such file"),
    (["export", "-f", "docx"], 2, "unknown format 'docx'"),
    (["export", "--theme", "nope", "-f", "txt"], 2, "unknown theme"),
    (["export", "--date", "soon", "-f", "txt"], 2, "is not a date"),
])
def test_errors_are_one_line_with_distinct_exit_codes(args, code, message, tmp_path):
    done = run(*args, "-o", str(tmp_path))
    stderr = done.stderr.decode()
    assert done.returncode == code, stderr
    assert message in stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
    assert not any(tmp_path.iterdir()), "a failed export leaves nothing behind"


def test_folder_and_empty_file_inputs_are_refused(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    for target in (tmp_path, empty):
        done = run("export", str(target), "-o", str(tmp_path / "out"))
        assert done.returncode == 3 and b"Traceback" not in done.stderr


def test_verbose_export_reports_what_the_normaliser_did_and_quiet_says_nothing(tmp_path, seed_path):
    loud = run("export", str(seed_path), "-f", "txt", "-o", str(tmp_path), "-v")
    assert loud.returncode == 0
    said = loud.stderr.decode()
    assert "paragraphs out of run-on text" in said and "curled" in said and "wrote " in said
    quiet = run("export", str(seed_path), "-f", "txt", "-o", str(tmp_path), "-q")
    assert quiet.returncode == 0 and quiet.stdout == b"" and quiet.stderr == b""


def test_image_sources_urlsplit_refuses_export_to_every_format(tmp_path):
    """Review s9 H1: <img src="//[x/a.png"> (an IPv6 bracket left open) was exit 70 in normalise (with an alt) or in
    the EPUB/PDF image reader (without): now the image is dropped, its alt kept, and every edition written."""
    from test_normalise_core import _UNSPLITTABLE_IMAGES

    page = tmp_path / "page.html"
    page.write_text("<html><body><article><h1>T</h1><p>Some words of text here for the article.</p>"
                    + "".join(_UNSPLITTABLE_IMAGES) + "</article></body></html>", encoding="utf-8")
    result = run("export", str(page), "-f", "epub,pdf,txt", "-o", str(tmp_path / "out"), "--lang", "en")
    assert result.returncode == 0, result.stderr.decode()
    assert b"internal error" not in result.stderr
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".epub", ".pdf", ".txt"]
