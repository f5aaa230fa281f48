"""Batches: process pool, --resume, progress, names that never collide, and the Dask engine on a LocalCluster."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import exporter
from exporter.batch import engines as engines_module
from exporter.batch.engines import LocalEngine
from exporter.batch.tasks import ArticleSource, Task
from exporter.cli import cli
from exporter.errors import BatchError, UsageError
from exporter.options import Settings
from helpers import ROOT, SEED

DATA = Path(__file__).parent / "data" / "batch"


def dataset(path: Path, count: int, broken: tuple[int, ...] = ()) -> Path:
    """``count`` small records (1-based numbers in ``broken`` are invalid JSON)."""
    with open(path, "w") as fh:
        for n in range(1, count + 1):
            if n in broken:
                fh.write('{"title": "broken\n')
            else:
                fh.write(json.dumps({"title": f"Story {n}", "author": f"Writer {n}", "date": "2024-07-1%d" % (n % 10),
                                     "url": f"https://example.org/{n}",
                                     "html": f"<p>Story number {n} begins here.</p><p>And ends here.</p>"}) + "\n")
    return path


def files_of(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if not p.name.startswith(".")}


def summary(output: str) -> str:
    return next(line for line in output.splitlines() if " exported, " in line)


def test_resume_skips_finished_records_and_redoes_what_changed_or_vanished(tmp_path):
    data = dataset(tmp_path / "d.jsonl", 4)
    out = str(tmp_path / "out")
    first = CliRunner().invoke(cli, ["export", str(data), "-f", "epub,txt", "-o", out, "-j", "2", "--resume"])
    assert first.exit_code == 0 and "4 exported, 0 skipped, 0 failed" in summary(first.output)
    before = files_of(Path(out))
    again = CliRunner().invoke(cli, ["export", str(data), "-f", "epub,txt", "-o", out, "--resume"])
    assert again.exit_code == 0 and "0 exported, 4 skipped, 0 failed" in summary(again.output)
    assert files_of(Path(out)) == before

    lines = data.read_text().splitlines()
    lines[1] = lines[1].replace("begins here", "begins somewhere else")  # record 2 changed
    data.write_text("\n".join(lines) + "\n")
    (Path(out) / "story-3.epub").unlink()  # an edition of record 3 is gone
    third = CliRunner().invoke(cli, ["export", str(data), "-f", "epub,txt", "-o", out, "--resume"])
    assert "2 exported, 2 skipped, 0 failed" in summary(third.output)
    assert "somewhere else" in (Path(out) / "story-2.txt").read_text()
    assert (Path(out) / "story-3.epub").is_file()

    other = CliRunner().invoke(cli, ["export", str(data), "-f", "txt", "-o", out, "--resume", "--width", "40"])
    assert "4 exported, 0 skipped" in summary(other.output)  # other options or formats: other editions
    without = CliRunner().invoke(cli, ["export", str(data), "-f", "txt", "-o", out, "--width", "40"])
    assert "4 exported, 0 skipped" in summary(without.output)  # no --resume: everything is redone


def test_resume_after_a_crash_redoes_only_what_is_missing(tmp_path):
    data = dataset(tmp_path / "d.jsonl", 3)
    out = tmp_path / "out"
    exporter.export([data], formats="txt", out=out, resume=True)
    state = out / ".exporter-state.jsonl"
    lines = state.read_text().splitlines()
    state.write_text(lines[0] + "\n" + lines[1][: len(lines[1]) // 2])  # killed while writing the second line
    result = CliRunner().invoke(cli, ["export", str(data), "-f", "txt", "-o", str(out), "--resume"])
    assert "2 exported, 1 skipped, 0 failed" in summary(result.output)


def test_a_failed_record_never_stops_the_others_in_the_pool(tmp_path):
    data = dataset(tmp_path / "d.jsonl", 8, broken=(2, 7))
    report = tmp_path / "report.json"
    with pytest.raises(BatchError, match="2 of 8 inputs failed"):
        exporter.export([data], formats="txt", out=tmp_path / "out", jobs=2, report=str(report))
    found = json.loads(report.read_text())
    assert sorted(f["input"] for f in found["failures"]) == ["d.jsonl:2", "d.jsonl:7"]
    assert found["exported"] == 6 and len(list((tmp_path / "out").glob("*.txt"))) == 6


def test_a_worker_that_dies_fails_its_record_only(tmp_path, monkeypatch):
    """A record that kills its worker process (a crash in a C library, the OOM killer) is reported; the pool goes on."""
    from exporter.batch import tasks

    real = tasks.normalise

    def deadly(markup, **kw):
        if "number 3 " in str(markup):
            os._exit(9)
        return real(markup, **kw)

    monkeypatch.setattr(tasks, "normalise", deadly)  # workers are forked: they inherit the patch
    data = dataset(tmp_path / "d.jsonl", 6)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["export", str(data), "-f", "txt", "-o", str(out), "-j", "2"])
    assert result.exit_code == 7, result.output
    assert "d.jsonl:3: the worker process died" in result.output
    assert sorted(p.stem for p in out.glob("*.txt")) == [f"story-{n}" for n in (1, 2, 4, 5, 6)]


def test_same_titles_never_collide(tmp_path):
    copies = []
    for name in ("one", "two", "three"):
        copy = tmp_path / f"{name}.html"
        copy.write_bytes(SEED.read_bytes())
        copies.append(str(copy))
    written = exporter.export(copies, formats="txt", out=tmp_path / "out", jobs=2, title="Same title")
    assert sorted(p.name for p in written) == ["same-title-2.txt", "same-title-3.txt", "same-title.txt"]
    # the same names every time (input order decides), whatever finished first
    again = exporter.export(copies, formats="txt", out=tmp_path / "out2", jobs=2, title="Same title")
    assert sorted(p.name for p in again) == sorted(p.name for p in written)
    assert (tmp_path / "out" / "same-title.txt").read_text() == (tmp_path / "out2" / "same-title.txt").read_text()


def test_progress_bar_on_request_and_quiet_otherwise(tmp_path, capsys):
    data = dataset(tmp_path / "d.jsonl", 3)
    exporter.export([data], formats="txt", out=tmp_path / "a", progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err and "article/s" in err  # count, rate (and ETA while running)
    exporter.export([data], formats="txt", out=tmp_path / "b")
    assert capsys.readouterr().err == ""  # not a terminal: no bar
    result = CliRunner().invoke(cli, ["-q", "export", str(data), "-f", "txt", "-o", str(tmp_path / "c")])
    assert result.exit_code == 0 and result.output == ""


def test_engine_runs_tasks_in_parallel_processes(tmp_path):
    settings = Settings({**exporter.pipeline.resolve(exporter.pipeline.all_options(), {})})
    tasks = [Task(f"t{n}", f"t{n}", [ArticleSource(path=str(SEED))], [], str(tmp_path), settings, action="title")
             for n in range(4)]
    results = list(LocalEngine(2).run(iter(tasks)))
    assert sorted(r.stem for r in results) == ["t0", "t1", "t2", "t3"]
    assert {r.status for r in results} == {"title"}


def test_dask_needs_a_scheduler(monkeypatch, tmp_path):
    monkeypatch.delenv(engines_module.SCHEDULER_ENV, raising=False)
    with pytest.raises(UsageError, match="needs --scheduler"):
        exporter.export([DATA / "records.jsonl"], formats="txt", out=tmp_path, engine="dask")
    result = CliRunner().invoke(cli, ["export", str(DATA / "records.jsonl"), "-o", str(tmp_path), "--engine", "dask",
                                      "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2 and "cannot reach the Dask scheduler" in result.output


def test_dask_engine_on_a_local_cluster_writes_the_same_files_as_the_local_pool(tmp_path):
    distributed = pytest.importorskip("distributed", reason="the cluster engine needs dask[distributed]")
    data = dataset(tmp_path / "d.jsonl", 5, broken=(4,))
    local, remote, report = tmp_path / "local", tmp_path / "dask", tmp_path / "dask.json"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        # both runs import the code afresh, side by side (the test process may hold an older import)
        env = {**os.environ, "PYTHONPATH": str(ROOT), engines_module.SCHEDULER_ENV: cluster.scheduler_address}
        command = [sys.executable, "-m", "exporter", "export", str(data), "-f", "epub,txt"]
        by_pool = subprocess.run([*command, "-o", str(local), "-j", "2"], capture_output=True, text=True, env=env)
        by_dask = subprocess.run([*command, "-o", str(remote), "--engine", "dask", "--report", str(report)],
                                 capture_output=True, text=True, env=env)  # the scheduler from the environment
    assert by_pool.returncode == 7 and by_dask.returncode == 7, by_dask.stderr[-2000:]
    assert "d.jsonl:4" in by_dask.stderr and "4 exported, 0 skipped, 1 failed" in by_dask.stderr
    assert files_of(local) == files_of(remote) and len(files_of(local)) == 8
    assert [f["input"] for f in json.loads(report.read_text())["failures"]] == ["d.jsonl:4"]
