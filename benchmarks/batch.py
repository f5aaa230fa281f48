"""Batch throughput and memory: articles per second with 1 and 2 workers, a pandoc loop, peak memory.

Generates a JSON Lines dataset of seed-like articles (the shared seed article,
its sentences reordered and its length varied per record), then, side by side
in one run:

* exports it one edition per record (EPUB + text, and separately PDF) with
  ``-j 1`` and ``-j 2`` and prints articles per second and the ratio;
* does the same work with a loop of ``pandoc`` processes, when pandoc is
  installed (``pip install pypandoc-binary``);
* prints the peak memory (RSS) of the exporting process and of its largest
  worker at two dataset sizes, to show it stays flat as the dataset grows.

    python benchmarks/batch.py                       # the issue's sizes: 1,000 records; memory at 1,000 and 10,000
    python benchmarks/batch.py --records 100 --memory 200,2000   # a short run on a busy machine

Each measurement runs in a fresh process (``python -c``), timed around
``run_export`` only (imports excluded), so the numbers compare like with like.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "corpus" / "seed" / "article.html"

RUNNER = r"""
import json, resource, sys, time
from exporter.pipeline import run_export
data, formats, out, jobs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
start = time.perf_counter()
cpu_start = time.process_time()
# as the CLI runs it: files handed on as they are written, not kept
outcome = run_export([data], formats, out, jobs=jobs, progress=False, on_written=lambda path: None)
failed = len(outcome.failed)
seconds = time.perf_counter() - start
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = time.process_time() - cpu_start + usage.ru_utime + usage.ru_stime
print(json.dumps({"seconds": seconds, "cpu": cpu, "main_kb": hwm, "worker_kb": usage.ru_maxrss, "failed": failed}))
"""


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])", text) if s.strip()]


def generate(path: Path, count: int, seed: int = 7) -> None:
    """``count`` seed-like records: the seed's markup, sentences reordered, 60–100 % of its length."""
    markup = SEED.read_text(encoding="utf-8")
    parts = sentences(markup)
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(1, count + 1):
            chosen = parts[:]
            rng.shuffle(chosen)
            chosen = chosen[: max(5, int(len(chosen) * rng.uniform(0.6, 1.0)))]
            record = {"title": f"Dispatch {n}: {re.sub('<[^>]+>', '', chosen[0])[:60]}",
                      "author": rng.choice(["Thomas Harding", "Jane Doe", "Amira Khan"]),
                      "date": f"2024-07-{1 + n % 28:02d}", "url": f"https://example.org/news/{n}",
                      "html": " ".join(chosen)}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def run_export(data: Path, formats: str, jobs: int) -> dict:
    out = Path(tempfile.mkdtemp(prefix="bench-out-"))
    try:
        done = subprocess.run([sys.executable, "-c", RUNNER, str(data), formats, str(out), str(jobs)],
                              capture_output=True, text=True, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(out, ignore_errors=True)


def pandoc_path() -> str | None:
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        return shutil.which("pandoc")


def run_pandoc(pandoc: str, data: Path, targets: list[tuple[str, str]], limit: int) -> float:
    """A loop of pandoc processes doing the same work; returns articles per second."""
    work = Path(tempfile.mkdtemp(prefix="bench-pandoc-"))
    try:
        start = time.perf_counter()
        with open(data, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if n > limit:
                    break
                record = json.loads(line)
                source = work / "in.html"
                source.write_text(f"<h1>{record['title']}</h1>{record['html']}", encoding="utf-8")
                for writer, ext in targets:
                    subprocess.run([pandoc, str(source), "-f", "html", "-t", writer, "-o", str(work / f"{n}.{ext}"),
                                    "--metadata", f"title={record['title']}", "--metadata", f"author={record['author']}"],
                                   check=True, capture_output=True)
        return limit / (time.perf_counter() - start)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1000, help="records exported for the speed runs")
    parser.add_argument("--pdf-records", type=int, default=None, help="records for the PDF runs (default: --records)")
    parser.add_argument("--memory", default="1000,10000", help="dataset sizes for the peak-memory runs")
    parser.add_argument("--memory-formats", default="txt", help="formats of the memory runs (streaming, not "
                        "the writers, is what they measure)")
    parser.add_argument("--pandoc-records", type=int, default=None, help="records for the pandoc loop")
    args = parser.parse_args()
    if not SEED.is_file():
        sys.exit(f"the seed article is missing at {SEED}")
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        print(f"cores: {len(os.sched_getaffinity(0))}, load average: {os.getloadavg()[0]:.1f} "
              f"(other work on the machine lowers every figure below)")
        data = work / "speed.jsonl"
        generate(data, args.records)
        pdf_records = args.pdf_records or args.records
        pdf_data = work / "pdf.jsonl"
        generate(pdf_data, pdf_records)
        rates: dict[str, float] = {}
        for formats, dataset, count in (("epub,txt", data, args.records), ("pdf", pdf_data, pdf_records)):
            cpu: dict[int, float] = {}
            for jobs in (1, 2):
                result = run_export(dataset, formats, jobs)
                rates[f"{formats} -j {jobs}"] = rate = count / result["seconds"]
                cpu[jobs] = result["cpu"]
                print(f"exporter {formats:8} -j {jobs}: {count} articles in {result['seconds']:7.1f} s = "
                      f"{rate:6.2f} articles/s, {1000 * result['cpu'] / count:6.0f} ms CPU per article "
                      f"(failed: {result['failed']})")
            ratio = rates[f"{formats} -j 2"] / rates[f"{formats} -j 1"]
            print(f"exporter {formats:8} speed-up with 2 workers: {ratio:.2f}x measured (target >= 1.7x on 2 idle "
                  f"cores); {2 * cpu[1] / cpu[2]:.2f}x if both cores were ours (2 x CPU-time efficiency)")
        pandoc = pandoc_path()
        if pandoc:
            limit = args.pandoc_records or args.records
            for label, targets in (("epub,txt", [("epub3", "epub"), ("plain", "txt")]),):
                rate = run_pandoc(pandoc, data, targets, limit)
                mine = rates[f"{label} -j 1"]
                print(f"pandoc loop {label:8}     : {rate:6.2f} articles/s over {limit} records "
                      f"(exporter -j 1 is {mine / rate:.2f}x that; pandoc PDF needs a LaTeX engine, not run)")
        else:
            print("pandoc: not installed (pip install pypandoc-binary), loop not run")
        for size in (int(s) for s in args.memory.split(",")):
            mem = work / f"mem-{size}.jsonl"
            generate(mem, size)
            result = run_export(mem, args.memory_formats, 2)
            print(f"peak memory at {size:6} records ({args.memory_formats}, -j 2): exporting process "
                  f"{result['main_kb'] / 1024:6.1f} MB, largest worker {result['worker_kb'] / 1024:6.1f} MB "
                  f"(dataset {mem.stat().st_size / 1e6:.1f} MB; {size / result['seconds']:.1f} articles/s)")
            mem.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
