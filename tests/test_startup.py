"""Start-up stays light: a command imports only what its work needs (speed is measured in benchmarks/startup.py).

Each case runs the real command in a fresh interpreter and reports which heavy packages ended up in
``sys.modules``: the PDF engine, the EPUB stack and the language model cost most of a second to import,
so ``--version``, ``--help`` and a text-only export must not pay for them.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from helpers import ROOT, SEED

PDF_STACK = ("weasyprint", "pydyf", "tinycss2", "cssselect2")
EPUB_STACK = ("ebooklib", "fontTools", "PIL")
LANGUAGE_MODEL = ("py3langid",)
FEED_READER = ("feedparser",)  # imported only when a feed is read
TEXT_LAYOUT = ("wcwidth", "uniseg", "exporter.writers.text.wrap")  # loaded when a text edition is made

PROBE = r"""
import json, sys
sys.argv = ["exporter", *sys.argv[1:]]
from exporter.launch import main
try:
    main()
except SystemExit as done:
    code = done.code
else:
    code = 0
names = {name.split(".")[0] for name in sys.modules} | {name for name in sys.modules if name.startswith("exporter.")}
print("\n" + json.dumps({"code": code, "modules": sorted(names)}))
"""


def imported_by(*args: str, cwd=None) -> tuple[set[str], str]:
    """The top-level packages and our own modules a run of ``exporter ARGS`` imported, and what it printed."""
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)})
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] in (0, None), done.stderr
    return set(result["modules"]), done.stdout


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("export", "--help"), ("formats",)])
def test_version_and_help_import_no_engine(args):
    modules, printed = imported_by(*args)
    assert not modules & {*PDF_STACK, *EPUB_STACK, *LANGUAGE_MODEL, *FEED_READER, *TEXT_LAYOUT}
    assert "exporter" in printed or "Usage" in printed or "epub" in printed


@pytest.mark.parametrize("args", [("--help",), ("export", "--help"), ("normalise", "--help")])
def test_help_does_not_import_the_normaliser(args):
    """The normaliser (its passes compile a few hundred patterns) is imported only where an article is read:
    an export forks the PDF's process before it, so that process never pays for it (benchmarks/startup.py)."""
    modules, _ = imported_by(*args)
    assert "exporter.cli" in modules  # the probe does see our own modules
    assert "exporter.normalise" not in modules


def test_export_help_still_shows_every_writers_options():
    _, printed = imported_by("export", "--help")
    for flag in ("--cover", "--page-size", "--pdf-variant", "--width", "--encoding"):
        assert flag in printed


def test_text_only_export_imports_neither_the_epub_nor_the_pdf_stack(tmp_path):
    article = tmp_path / "small.html"
    article.write_text("<html lang='en'><title>Small</title><p>A short article, in <i>English</i>.</p></html>",
                       encoding="utf-8")
    modules, _ = imported_by("export", str(article), "-f", "txt", "-o", str(tmp_path / "out"), "-q")
    assert (tmp_path / "out" / "small.txt").read_text(encoding="utf-8").count("English") == 1
    assert not modules & {*PDF_STACK, *EPUB_STACK, *LANGUAGE_MODEL, *FEED_READER}


def test_epub_export_imports_no_pdf_engine(tmp_path):
    article = tmp_path / "small.html"
    article.write_text("<html lang='en'><title>Small</title><p>A short article.</p></html>", encoding="utf-8")
    modules, _ = imported_by("export", str(article), "-f", "epub", "-o", str(tmp_path / "out"), "-q", "--offline")
    assert (tmp_path / "out" / "small.epub").is_file()
    assert "ebooklib" in modules  # the probe does see what a command imports
    assert not modules & set(PDF_STACK)


ENGINE_PROBE = r"""
import ctypes.util, json, subprocess
full = ctypes.util.find_library
compiler_runs, ldconfig_runs = [], []
gcc = getattr(ctypes.util, "_findLib_gcc", None)
if gcc is not None:
    ctypes.util._findLib_gcc = lambda name: compiler_runs.append(name) or gcc(name)
started = subprocess.Popen.__init__
def counting(self, args, *more, **options):
    if "ldconfig" in str(args):
        ldconfig_runs.append(args)
    started(self, args, *more, **options)
subprocess.Popen.__init__ = counting
import exporter.writers._weasyprint
from weasyprint.text.ffi import pango
print(json.dumps({"restored": ctypes.util.find_library is full, "compiler_runs": compiler_runs,
                  "ldconfig_runs": len(ldconfig_runs), "pango": pango.pango_version() > 0}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the linker-cache lookup is glibc's")
def test_pdf_engine_loads_its_libraries_from_the_linker_cache_without_running_a_compiler():
    # every spelling WeasyPrint tries that the cache lacks ran gcc and ld: ~0.25 s of each PDF command;
    # and each of the 22 lookups ran `ldconfig -p` again: 0.1 s more
    done = subprocess.run([sys.executable, "-c", ENGINE_PROBE], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"restored": True, "compiler_runs": [], "ldconfig_runs": 1, "pango": True}


THREADS_PROBE = r"""
import os, sys
sys.argv = ["exporter", *sys.argv[1:]]
from exporter.launch import main
try:
    main()
except SystemExit as done:
    assert not done.code, done.code
assert "numpy" in sys.modules, "the language model was loaded"
print(len(os.listdir("/proc/self/task")), os.environ.get("OPENBLAS_NUM_THREADS"))
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="no /proc to count threads in (not Linux)")
@pytest.mark.parametrize("given", [None, "2"])
def test_language_detection_starts_no_blas_threads_unless_the_user_asks(tmp_path, given):
    """numpy, loaded for the language model, started one OpenBLAS thread per core (~0.08 s CPU a command)."""
    article = SEED
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given:
        env["OPENBLAS_NUM_THREADS"] = given
    # a fresh cache: the model is decompressed with numpy (later commands read the cached copy without it)
    done = subprocess.run([sys.executable, "-c", THREADS_PROBE, "export", str(article), "-f", "txt", "-o",
                           str(tmp_path / "out"), "-q", "--offline"], capture_output=True, text=True, timeout=300,
                          env={**env, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr
    threads, setting = done.stdout.split()
    assert setting == (given or "1")
    if not given:
        assert threads == "1"


def test_language_detection_with_the_model_cached_imports_neither_numpy_nor_py3langid(tmp_path, monkeypatch):
    """The cached model is read without numpy: its import was a quarter of a language-detected text export."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("EXPORTER_NO_CACHE", raising=False)
    first, _ = imported_by("export", str(SEED), "-f", "txt", "-o", str(tmp_path / "one"), "-q", "--offline")
    assert "numpy" in first  # the first command decompresses the model into the cache (with numpy)
    second, _ = imported_by("export", str(SEED), "-f", "txt", "-o", str(tmp_path / "two"), "-q", "--offline")
    assert "exporter.normalise.language" in second  # the language was detected
    assert not second & {"numpy", "py3langid"}
    (one,), (two,) = (tmp_path / "one").iterdir(), (tmp_path / "two").iterdir()
    assert one.read_bytes() == two.read_bytes()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the linker-cache lookup is glibc's")
def test_the_linker_cache_listed_once_answers_as_ctypes_own_lookup_does():
    import ctypes.util

    from exporter.writers._weasyprint import _linker_cache

    own = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if own is None:
        pytest.skip("this Python's ctypes has no ldconfig lookup (not glibc)")
    find = _linker_cache()
    names = ["c", "m", "z", "pango-1.0", "pangoft2-1.0", "gobject-2.0", "harfbuzz", "harfbuzz-subset",
             "fontconfig", "libgobject-2.0-0", "gobject-2.0-0", "no-such-library-here", "ssl", "crypto"]
    assert [find(n) for n in names] == [own(n) for n in names]
    assert find("pango-1.0")  # the listing was read (WeasyPrint's libraries are installed here)
