"""Hostile batches, options and manifests (issue 19: 9, 11, 14, 15, 16, 17, 20) and one source of defaults and
exit statuses (issue 12): each case as a class, with the input an attacker or an unlucky user would give."""
from __future__ import annotations

import ast
import json
import math
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

import exporter
from exporter.batch import engines
from exporter.batch.datasets import read_records
from exporter.batch.manifest import load_manifest
from exporter.batch.options import JOBS_PER_CORE, MAX_JOBS, cores, worker_count
from exporter.cli import cli
from exporter.errors import EXIT_STATUSES, LimitError, UsageError, as_user_error, one_line
from exporter.options import resolve
from exporter.pipeline import all_options
from exporter.resources import ResourcePolicy
from helpers import ROOT

PAGE = "<title>{title}</title><p>{title} opens with a sentence.</p><p>And it closes with another.</p>"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("exporter: error:")]


# --- 15: every number option is finite and bounded, declared once --------------------------------------

NUMBER_OPTIONS = [o for o in all_options() if o.kind in ("int", "float")]


@pytest.mark.parametrize("option", NUMBER_OPTIONS, ids=lambda o: o.name)
def test_every_number_option_declares_its_bounds_and_refuses_what_is_outside(option):
    assert option.minimum is not None and option.maximum is not None, f"{option.name} declares no bounds"
    bad = [math.nan, math.inf, -math.inf, "nan", "inf", "-inf", "1e999", option.maximum * 10 + 1,
           option.minimum - 1, True, "ten"]
    for value in bad:
        with pytest.raises(UsageError, match=option.cli_flags[0]):
            resolve(all_options(), {option.name: value})
    assert resolve(all_options(), {option.name: option.maximum})[option.name] == option.maximum


@pytest.mark.parametrize("option", [o for o in NUMBER_OPTIONS if o.kind == "float"], ids=lambda o: o.name)
@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_non_finite_numbers_on_the_command_line_are_a_usage_error(option, value, tmp_path):
    (tmp_path / "a.html").write_text(PAGE.format(title="A"))
    result = run("export", str(tmp_path / "a.html"), "-f", "txt", "-o", str(tmp_path / "out"),
                 f"{option.cli_flags[0]}={value}")
    assert result.exit_code == 2, result.output
    assert len(error_lines(result.stderr)) == 1 and "finite" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


# --- 16: --jobs capped and matched to the work ------------------------------------------------------------

def test_jobs_are_matched_to_the_work_and_capped(tmp_path, monkeypatch):
    started: list[int] = []
    real = engines.ProcessPoolExecutor

    def counting(workers, **kwargs):
        started.append(workers)
        return real(workers, **kwargs)

    monkeypatch.setattr(engines, "ProcessPoolExecutor", counting)
    for name in ("a", "b"):
        (tmp_path / f"{name}.html").write_text(PAGE.format(title=name.upper()))
    written = exporter.export([tmp_path / "a.html", tmp_path / "b.html"], "txt", tmp_path / "out", jobs=64)
    assert len(written) == 2
    assert started and max(started) <= 2, started
    assert worker_count(MAX_JOBS) <= JOBS_PER_CORE * cores() and worker_count(None) == cores()
    with pytest.raises(UsageError, match="--jobs|-j"):
        resolve(all_options(), {"jobs": MAX_JOBS + 1})


# --- 9: a -j batch killed outright leaves no worker behind ------------------------------------------------

def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the workers")
def test_killing_a_parallel_batch_leaves_no_worker_running(tmp_path):
    data = tmp_path / "big.jsonl"
    paragraph = "<p>" + "A long sentence of the article that goes on for a while. " * 40 + "</p>"
    with open(data, "w") as fh:
        for n in range(40):
            fh.write(json.dumps({"title": f"Story {n}", "html": paragraph * 30}) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "exporter", "export", str(data), "-j", "2", "-f", "pdf",
                             "-o", str(tmp_path / "out"), "--no-progress"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
            workers = _children(proc.pid)
            time.sleep(0.1)
        assert len(workers) >= 2 and proc.poll() is None, "the batch never started its two workers"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 5
        while any(_running(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [w for w in workers if _running(w)]
        assert not left, f"workers {left} still run after their batch was killed"
    finally:
        for pid in workers:  # the processes this test started, if the assertion failed
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()


_WORKER = """
import ctypes, os, sys, threading, time
if sys.argv[1] == "no-prctl":  # a platform where the kernel cannot be asked
    def missing(*args, **kwargs):
        raise OSError("no prctl here")
    ctypes.CDLL = missing
from exporter.batch.engines import _die_with
_die_with(os.getppid())
print(os.getpid(), ",".join(sorted(t.name for t in threading.enumerate())), flush=True)
time.sleep(60)
"""
_PARENT = """
import subprocess, sys
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]], stdout=subprocess.PIPE)
print(child.stdout.readline().decode().strip(), flush=True)  # the worker is set up: its parent dies now
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists() or not sys.platform.startswith("linux"),
                    reason="needs Linux and /proc")
@pytest.mark.parametrize("kernel", ["prctl", "no-prctl"])
def test_a_worker_dies_with_its_parent_by_one_means(kernel: str) -> None:
    """On Linux the kernel kills a worker with its parent (no watchdog thread, which could not run while C
    code holds the interpreter's lock); where it cannot be asked, the watchdog thread does it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _PARENT, _WORKER, kernel], env=env, capture_output=True,
                          timeout=60, text=True)
    pid_text, _, threads = done.stdout.strip().partition(" ")
    assert pid_text.isdigit(), done.stderr
    worker = int(pid_text)
    try:
        assert ("exporter-parent-watch" in threads.split(",")) == (kernel == "no-prctl"), threads
        deadline = time.monotonic() + 5
        while _running(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(worker), "the worker outlived its parent"
    finally:
        if _running(worker):
            os.kill(worker, signal.SIGKILL)


# --- 11 and 20: datasets are streamed record by record, bounded, and malformed CSV is reported -------------

def _big_dataset(path: Path, field_mb: int) -> Path:
    big = "x" * (field_mb * 1_000_000)
    if path.suffix == ".csv":
        path.write_text(f'title,html\nA,<p>first</p>\nB,"<p>{big}</p>"\nC,<p>third</p>\n')
    else:
        path.write_text("".join(json.dumps({"title": t, "html": h}) + "\n"
                                for t, h in (("A", "<p>first</p>"), ("B", f"<p>{big}</p>"), ("C", "<p>third</p>"))))
    return path


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_record_over_the_input_limit_fails_alone_and_is_never_held_whole(tmp_path, suffix):
    data = _big_dataset(tmp_path / f"d{suffix}", 30)
    tracemalloc.start()
    try:
        records = list(read_records(data, {"title": ("title",), "html": ("html",)}, max_bytes=1_000_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 12_000_000, f"reading held {peak / 1e6:.0f} MB for a 30 MB record"
    assert [r.error is None for r in records] == [True, False, True]
    assert records[1].over_limit and "--max-input-mb" in records[1].error
    result = run("export", str(data), "-f", "txt", "-o", str(tmp_path / "out"), "--max-input-mb", "1",
                 "--report", str(tmp_path / "r.json"))
    assert result.exit_code == 7, result.output
    assert sorted(p.name for p in (tmp_path / "out").glob("*.txt")) == ["a.txt", "c.txt"]
    (failure,) = json.loads((tmp_path / "r.json").read_text())["failures"]
    assert failure["status"] == LimitError.exit_code and "over the input limit" in failure["reason"]


@pytest.mark.parametrize("rows, bad", [
    ('One,"<p>one</p>"\nTwo,"<p>two\nThree,<p>three</p>\nFour,<p>four</p>\n', "never closed"),
    ('One,<p>one</p>\nTwo,"<p>two\nThree,<p>three</p>\nFour,"<p>four</p>"\n', "middle of a field"),
])
def test_a_stray_csv_quote_fails_its_record_and_the_rows_it_swallowed_are_still_read(tmp_path, rows, bad):
    data = tmp_path / "d.csv"
    data.write_text("title,html\n" + rows)
    result = run("export", str(data), "-f", "txt", "-o", str(tmp_path / "out"))
    assert result.exit_code == 7, result.output
    (line,) = error_lines(result.stderr)
    assert "d.csv:record 2" in line and bad in line and "line 3" in line, line
    assert {p.name for p in (tmp_path / "out").glob("*.txt")} == {"one.txt", "three.txt", "four.txt"}


# --- 14: book.toml is checked against its declared shape ------------------------------------------------

@pytest.mark.parametrize("line, key", [
    ("authors = 5", "authors"), ("formats = 1", "formats"), ("subjects = true", "subjects"),
    ("title = 1984", "title"), ("articles = [{file = \"a.html\", byline = 7}]", "byline"),
    ("articles = [{file = \"a.html\", title = [\"x\"]}]", "title"), ("parts = [{title = 3, articles = []}]", "title"),
    ("articles = 5", "articles"), ("cover = {path = \"c.png\"}", "cover"),
])
def test_wrong_types_in_a_manifest_are_one_line_naming_the_key(tmp_path, line, key):
    (tmp_path / "a.html").write_text(PAGE.format(title="A"))
    lines = {"title": 'title = "Book"', "articles": 'articles = ["a.html"]'}
    lines[line.split("=")[0].strip()] = line
    if line.startswith("parts"):
        del lines["articles"]
    (tmp_path / "book.toml").write_text("\n".join(lines.values()) + "\n")
    with pytest.raises(UsageError, match=f"{key} must be"):
        load_manifest(tmp_path / "book.toml")
    result = run("export", str(tmp_path / "book.toml"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and len(error_lines(result.stderr)) == 1, result.output
    assert f"{key} must be" in result.stderr and "Traceback" not in result.output


# --- 17: every name and message printed stays on one line -----------------------------------------------

def test_a_file_name_cannot_forge_an_error_line(tmp_path):
    good = tmp_path / "good.html"
    good.write_text(PAGE.format(title="Good"))
    forged = tmp_path / "x\nexporter: error: forged\u202e.html"  # no such file: its name is in the message
    for args in ([str(good), str(forged)], [str(forged)]):
        result = run("export", *args, "-f", "txt", "-o", str(tmp_path / "out"))
        assert result.exit_code in (3, 7), result.output
        lines = error_lines(result.stderr)
        assert len(lines) == 1 and "x\\nexporter: error: forged\\u202e.html" in lines[0], result.stderr
        assert not any(line.startswith("exporter: error: forged") for line in result.stderr.splitlines())


def test_one_line_escapes_breaks_controls_and_direction_overrides():
    assert one_line("a\nb\r\x1b[2J\u2028\u202e z") == "a\\nb\\r\\x1b[2J\\u2028\\u202e z"


# --- issue 12: one mapping to exit statuses; one source of defaults ---------------------------------------

def test_every_exit_status_is_documented_in_readme_and_security():
    for doc in ("README.md", "SECURITY.md"):
        text = (ROOT / doc).read_text()
        for status in EXIT_STATUSES:
            assert f"| {status} |" in text, f"{doc} does not list exit status {status}"


def test_a_recursion_error_is_the_same_status_alone_and_in_a_batch(tmp_path, monkeypatch):
    from exporter.writers.text import TextWriter

    def too_deep(self, book, path, settings, resources):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(TextWriter, "write", too_deep)
    for name in ("a", "b"):
        (tmp_path / f"{name}.html").write_text(PAGE.format(title=name.upper()))
    alone = run("export", str(tmp_path / "a.html"), "-f", "txt", "-o", str(tmp_path / "out"))
    assert alone.exit_code == LimitError.exit_code == as_user_error(RecursionError()).exit_code, alone.output
    report = tmp_path / "r.json"
    both = run("export", str(tmp_path / "a.html"), str(tmp_path / "b.html"), "-f", "txt", "-j", "1",
               "-o", str(tmp_path / "out"), "--report", str(report))
    assert both.exit_code == 7
    assert {f["status"] for f in json.loads(report.read_text())["failures"]} == {LimitError.exit_code}


def test_the_resource_policy_takes_its_defaults_from_the_declarations():
    declared = ResourcePolicy.from_settings(None, resolve(all_options(), {}))
    def limits(policy: ResourcePolicy) -> dict:
        return {k: v for k, v in vars(policy).items() if k != "budget"}

    assert limits(ResourcePolicy()) == limits(ResourcePolicy.from_settings(None, {})) == limits(declared)
    assert declared.render_timeout == resolve(all_options(), {})["max_render_seconds"] > 0


def test_no_call_site_restates_a_declared_default():
    """``settings.get("links") or "footnotes"`` and ``settings.get("width", 72)`` restate what options declare."""
    names = {o.name for o in all_options()}
    found = []
    for path in (ROOT / "exporter").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):  # settings.get("x") or CONSTANT
                call, fallback = node.values[0], node.values[-1]
            elif isinstance(node, ast.Call) and len(node.args) > 1:  # settings.get("x", CONSTANT)
                call, fallback = node, node.args[1]
            else:
                continue
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "get"
                    and call.args and isinstance(call.args[0], ast.Constant) and call.args[0].value in names
                    and ast.unparse(call.func.value) in ("settings", "self.settings", "s")
                    and isinstance(fallback, ast.Constant)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "defaults restated:\n" + "\n".join(found)
