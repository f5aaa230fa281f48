#!/usr/bin/env python3
"""Start-up and single-article cost, as ratios measured side by side in one run.

The machine is shared, so absolute seconds mean little; every figure here is a ratio between
commands run alternately in the same minute:

* CPU (user + sys of the child) of ``exporter --version``, a text-only export of the seed
  article with ``--lang en`` and without it (language detected), against the floor
  ``python -c "import lxml.html"`` (targets: 3x, 6x, 8x);
* wall time of the seed's three editions in one ``exporter export`` against pandoc making
  the same three (EPUB with ``--sandbox``, plain text, PDF through ``--pdf-engine=weasyprint``),
  median of alternated pairs (target: <= 1.0);
* the same from CPU times, which the load of a shared machine does not hide: the wall the
  command would take on two idle cores (CPU until the PDF's process is forked, plus that
  process's CPU, or the parent's CPU if longer) against pandoc's three processes' CPU.

    python benchmarks/startup.py [--runs 5] [--pairs 5]

pandoc comes from ``pip install pypandoc_binary``; without it the pandoc lines are skipped.

The package's modules are byte-compiled first, as ``pip install`` does: where
``PYTHONDONTWRITEBYTECODE`` is set (this project's development machine), every command
would otherwise compile about 60 modules from source, some 0.09 s CPU that an installed copy
never pays, while the floor's lxml comes compiled from its wheel.
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from inputs import SEED  # noqa: E402  (benchmarks/ is on the path when a script runs)


def cli() -> list[str]:
    """The command as users run it: the installed console script, else ``python -m exporter``."""
    script = Path(sys.executable).with_name("exporter")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "exporter"]


def run(argv: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one child process."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.read().decode()[-400:]}")
    proc.stderr.close()
    return usage.ru_utime + usage.ru_stime, wall


#: Runs the CLI in-process and prints the CPU seconds at the fork, of the parent, and of its children.
SPLIT_PROBE = r"""
import json, resource, sys, time
import exporter.forked
marks = {}
started = exporter.forked.Forked.__init__
def noting(self, *args, **kwargs):
    marks["fork"] = time.process_time()
    started(self, *args, **kwargs)
exporter.forked.Forked.__init__ = noting
sys.argv = ["exporter", *sys.argv[1:]]
from exporter.launch import main
try:
    main()
except SystemExit as done:
    assert not done.code, done.code
marks["parent"] = time.process_time()
children = resource.getrusage(resource.RUSAGE_CHILDREN)
marks["child"] = children.ru_utime + children.ru_stime
print(json.dumps(marks))
"""


def idle_wall(argv: list[str]) -> float:
    """CPU-time estimate of ``exporter ARGV``'s wall on two idle cores: the longer of the parent and
    (CPU until the fork + the forked process's CPU); the parent's CPU when nothing was forked."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-c", SPLIT_PROBE, *argv], capture_output=True, text=True, env=env,
                          check=True)
    marks = json.loads(done.stdout.strip().splitlines()[-1])
    return max(marks["parent"], marks.get("fork", 0.0) + marks["child"])


def pandoc_path() -> str | None:
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        return shutil.which("pandoc")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="alternated runs of each CPU measurement (median)")
    ap.add_argument("--pairs", type=int, default=5, help="alternated exporter/pandoc pairs for the three editions")
    args = ap.parse_args()
    compileall.compile_dir(str(ROOT / "exporter"), quiet=1)  # as installed: see the module's description
    out = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    exporter = cli()
    pandoc = pandoc_path()
    try:
        text = [*exporter, "export", str(SEED), "-f", "txt", "-o", str(out / "x"), "-q", "--offline"]
        commands = {
            "floor: python -c 'import lxml.html'": [sys.executable, "-c", "import lxml.html"],
            "exporter --version": [*exporter, "--version"],
            "exporter export --help": [*exporter, "export", "--help"],
            "seed, text only, --lang en": [*text, "--lang", "en"],
            "seed, text only, language detected": text,
            "seed, EPUB only, --lang en": [*exporter, "export", str(SEED), "-f", "epub", "-o", str(out / "e"), "-q",
                                           "--offline", "--lang", "en"],
        }
        if pandoc:
            commands["pandoc -t plain (reference)"] = [pandoc, str(SEED), "-f", "html", "-t", "plain",
                                                        "-o", str(out / "p.txt")]
            commands["pandoc EPUB --sandbox (reference)"] = [pandoc, str(SEED), "-f", "html", "-t", "epub3",
                                                             "--sandbox", "--metadata", "title=Seed",
                                                             "-o", str(out / "p.epub")]
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):  # alternated, so load changes hit every command alike
            for name, argv in commands.items():
                cpu[name].append(run(argv)[0])
        floor = statistics.median(cpu["floor: python -c 'import lxml.html'"])
        targets = {"exporter --version": 3, "seed, text only, --lang en": 6, "seed, text only, language detected": 8}
        print(f"cores: {len(os.sched_getaffinity(0))}, load average {os.getloadavg()[0]:.1f}; CPU = user+sys, "
              f"median of {args.runs} alternated runs; ratios to the floor measured in the same run")
        for name, values in cpu.items():
            med = statistics.median(values)
            target = f"  (target <= {targets[name]}x)" if name in targets else ""
            print(f"{name:40} {med:6.3f} s CPU  {med / floor:5.1f}x the floor{target}")
        if pandoc:
            mine, theirs = [], []
            for _ in range(args.pairs):
                mine.append(run([*exporter, "export", str(SEED), "-o", str(out / "three"), "-q", "--offline"])[1])
                t = 0.0
                for writer, ext, extra in (("epub3", "epub", ["--sandbox"]), ("plain", "txt", []),
                                           ("pdf", "pdf", ["--pdf-engine=weasyprint"])):
                    t += run([pandoc, str(SEED), "-f", "html", "-t", writer if writer != "pdf" else "html",
                              *extra, "--metadata", "title=Seed", "-o", str(out / f"p3.{ext}")])[1]
                theirs.append(t)
            m, p = statistics.median(mine), statistics.median(theirs)
            print(f"{'seed, three editions (wall)':40} {m:6.3f} s vs pandoc's three {p:6.3f} s = {m / p:5.2f}x "
                  f"(median of {args.pairs} alternated pairs; target <= 1.0)")
            mine, theirs = [], []
            for _ in range(args.pairs):
                mine.append(idle_wall(["export", str(SEED), "-o", str(out / "three"), "-q", "--offline"]))
                theirs.append(sum(run([pandoc, str(SEED), "-f", "html", "-t", writer, *extra, "--metadata",
                                       "title=Seed", "-o", str(out / f"p3.{ext}")])[0]
                                  for writer, ext, extra in (("epub3", "epub", ["--sandbox"]), ("plain", "txt", []),
                                                             ("html", "pdf", ["--pdf-engine=weasyprint"]))))
            m, p = statistics.median(mine), statistics.median(theirs)
            print(f"{'seed, three editions (idle 2 cores, est)':40} {m:6.3f} s vs pandoc's three {p:6.3f} s CPU = "
                  f"{m / p:5.2f}x (from CPU times: what load cannot hide)")
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
