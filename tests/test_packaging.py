"""`pip install .` (not only editable) carries themes, fonts, schema and sample into the package."""
from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from helpers import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    if built.returncode != 0 and "No matching distribution found for hatchling" in built.stderr:
        pytest.skip("hatchling (the build backend) cannot be downloaded on this machine")
    assert built.returncode == 0, built.stderr
    (path,) = out.glob("exporter-*.whl")
    return path


def test_wheel_carries_themes_fonts_schema_and_sample(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("exporter/themes/default/theme.toml", "exporter/themes/default/epub.css",
                     "exporter/themes/default/print.css", "exporter/fonts/charis-sil/CharisSIL-Regular.ttf",
                     "exporter/fonts/charis-sil/OFL.txt", "exporter/fonts/jetbrains-mono/LICENSE-Apache-2.0.txt",
                     "exporter/schema/tree.rng", "exporter/sample/article.html", "exporter/sample/pipeline.png"):
        assert required in names, required


def test_wheel_declares_the_command_the_writers_and_the_licence(wheel):
    with zipfile.ZipFile(wheel) as z:
        info = {n.split("/", 1)[1]: z.read(n).decode() for n in z.namelist() if ".dist-info/" in n
                and not n.endswith("RECORD")}
    entry_points = info["entry_points.txt"]
    assert "exporter = exporter.launch:main" in entry_points
    for writer in ("epub = exporter.writers.epub:EpubWriter", "pdf = exporter.writers.pdf:PdfWriter",
                   "kepub = exporter.writers.kepub:KepubWriter"):
        assert writer in entry_points
    assert "[exporter.writers]" in entry_points and "txt = " in entry_points
    assert "License-Expression: AGPL-3.0-or-later" in info["METADATA"]


def test_every_module_compiles_without_a_warning():
    """An invalid escape such as '\\s' in a plain string is a DeprecationWarning on Python 3.11 and a
    SyntaxWarning from 3.12, printed to a user's terminal on the first import of a fresh install."""
    import warnings

    noisy = []
    for path in sorted((ROOT / "exporter").rglob("*.py")):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                compile(path.read_text(encoding="utf-8"), str(path), "exec")
            except (SyntaxError, DeprecationWarning, SyntaxWarning) as error:
                noisy.append(f"{path.relative_to(ROOT)}: {error}")
    assert not noisy, noisy
