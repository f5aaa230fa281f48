"""Deep trees are normalised and written without changing the interpreter of the program that uses us."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from exporter.normalise import normalise

ROOT = Path(__file__).resolve().parent.parent


def nested(levels: int) -> str:
    """Inline nesting ``levels`` deep: the converter recurses at least twice per level."""
    return "<p>Start.</p>" + "".join(f"<div><span><em>level {n} " for n in range(levels)) + "<p>End.</p>"


def test_importing_and_exporting_leaves_the_recursion_limit_alone(tmp_path):
    """In a fresh interpreter: import the library, normalise and export a deep article, and the limit is
    what the program set, before, during the import and after."""
    (tmp_path / "deep.html").write_text(nested(300))
    script = textwrap.dedent(f"""
        import sys
        sys.setrecursionlimit(1234)
        import exporter, exporter.normalise, exporter.cli, exporter.writers.text, exporter.writers.epub
        assert sys.getrecursionlimit() == 1234, sys.getrecursionlimit()
        doc = exporter.normalise(open({str(tmp_path / 'deep.html')!r}).read(), max_depth=900)
        assert "level 299" in doc.text
        exporter.export([{str(tmp_path / 'deep.html')!r}], formats="txt", out={str(tmp_path)!r}, max_depth=900)
        assert sys.getrecursionlimit() == 1234, sys.getrecursionlimit()
        print("unchanged")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "unchanged"


def test_nesting_up_to_max_depth_normalises_past_the_default_limit():
    """900 levels of inline nesting take more frames than Python's default 1000: still normalised."""
    before = sys.getrecursionlimit()
    doc = normalise(nested(900), max_depth=3000)
    assert "level 0" in doc.text and "level 899" in doc.text and "End." in doc.text
    assert not doc.validation_errors()
    assert sys.getrecursionlimit() == before


def test_threads_normalising_deep_trees_at_once_never_lower_the_limit_under_each_other():
    """The first thread in raises the limit, the last one out restores it: none fails half-way."""
    before = sys.getrecursionlimit()
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def work(levels: int) -> None:
        start.wait()
        try:
            for _ in range(2):
                assert f"level {levels - 1}" in normalise(nested(levels), max_depth=3000).text
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(levels,)) for levels in (20, 600, 900, 700)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    assert sys.getrecursionlimit() == before
