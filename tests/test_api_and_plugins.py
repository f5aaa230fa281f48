"""The Python API, shared option declarations, and writers registered from outside the package."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import exporter
from exporter import writers
from exporter.errors import UsageError
from helpers import ROOT


def test_export_api_writes_the_requested_formats(tmp_path):
    source = tmp_path / "piece.html"
    source.write_text("<h1>Heading</h1><p>Some <i>text</i>.</p>")
    written = exporter.export([source], formats="txt,epub", out=tmp_path / "out", title="An API Test",
                              authors=["Ann Author"], language="en")
    assert [p.name for p in written] == ["an-api-test.txt", "an-api-test.epub"]
    assert all(p.stat().st_size > 0 for p in written)
    assert "Ann Author" in written[0].read_text()


def test_api_rejects_unknown_options_and_bad_values(tmp_path):
    with pytest.raises(UsageError, match="unknown option"):
        exporter.export(None, formats="txt", out=tmp_path, colour="red")
    with pytest.raises(UsageError):
        exporter.export(None, formats="txt", out=tmp_path, max_images="many")


def test_normalise_api_returns_tree_metadata_and_report():
    doc = exporter.normalise("<div><p>One<br><br>Two</p></div>", title="T", authors=["A", "B"])
    assert doc.metadata.title == "T" and doc.metadata.authors == ["A", "B"]
    assert [p.text for p in doc.tree] == ["One", "Two"]
    assert doc.report["split {n} paragraph{s} at double line breaks"] == 1


def test_writers_come_from_entry_points():
    found = writers.registry()
    assert {"epub", "pdf", "txt"} <= set(found)
    for name, cls in found.items():
        assert cls.name == name and cls.extension


def test_a_writer_registered_from_outside_is_picked_up(tmp_path):
    """A package installed beside exporter adds a format through the `exporter.writers` group."""
    (tmp_path / "shout_writer.py").write_text(textwrap.dedent('''
        from exporter.writers import Writer
        from exporter.options import Option

        class ShoutWriter(Writer):
            name = "shout"
            extension = "shout.txt"
            description = "Every word in capitals."
            options = (Option("exclaim", "Shout edition: add an exclamation mark.", kind="flag", default=False,
                              group="shout"),)

            def write(self, book, path, settings, resources):
                text = " ".join(" ".join(doc.tree.itertext()) for doc in book.articles).upper()
                path.write_text(text + ("!" if settings.exclaim else ""), encoding="utf-8")
    '''))
    dist = tmp_path / "shout_writer-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: shout-writer\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[exporter.writers]\nshout = shout_writer:ShoutWriter\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    listed = subprocess.run([sys.executable, "-m", "exporter", "formats"], capture_output=True, text=True, env=env)
    assert "shout" in listed.stdout and "shout_writer" in listed.stdout
    help_text = subprocess.run([sys.executable, "-m", "exporter", "export", "--help"], capture_output=True,
                               text=True, env=env).stdout
    assert "--exclaim" in help_text
    source = tmp_path / "in.html"
    source.write_text("<p>quiet words</p>")
    done = subprocess.run([sys.executable, "-m", "exporter", "export", str(source), "-f", "shout", "--exclaim",
                           "-o", str(tmp_path / "out"), "--title", "Loud"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "loud.shout.txt").read_text() == "QUIET WORDS!"


def test_a_failing_writer_leaves_no_file_and_keeps_the_old_edition(tmp_path, monkeypatch):
    from exporter.writers.text import TextWriter

    source = tmp_path / "a.html"
    source.write_text("<p>first version</p>")
    (first,) = exporter.export([source], formats="txt", out=tmp_path, title="Same")
    before = first.read_bytes()

    def broken(self, book, path, settings, resources):
        path.write_text("half a")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(TextWriter, "write", broken)
    with pytest.raises(exporter.ExporterError, match="no space left"):
        exporter.export([source], formats="txt", out=tmp_path, title="Same")
    assert first.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "same.txt"]


def test_one_bad_input_does_not_sink_the_others(tmp_path):
    good = tmp_path / "good.html"
    good.write_text("<p>fine</p>")
    with pytest.raises(exporter.ExporterError) as failure:
        exporter.export([good, tmp_path / "missing.html"], formats="txt", out=tmp_path / "out")
    assert "missing.html" in str(failure.value)
    assert (tmp_path / "out" / "good.txt").is_file()
