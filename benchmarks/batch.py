"""Batch throughput and memory: articles per second with 1 and 2 workers, a pandoc loop, peak memory.

Generates a JSON Lines dataset of seed-like articles (the shared seed article,
its sentences reordered and its length varied per record), then, side by side
in one run:

* exports it one edition per record (EPUB + text, and separately PDF) with
  ``-j 1`` and ``-j 2`` and prints articles per second and the ratio;
* does the same work with a loop of ``pandoc`` processes, when pandoc is
  installed (``pip install pypandoc-binary``);
* prints the peak memory (RSS) of the exporting process and of its largest
  worker at two dataset sizes, to show it stays flat as the dataset grows;
* exports a dataset built from the shared corpus pages (their reader-view markup
  and metadata, repeated to ``--corpus-records``) with the real command,
  ``exporter export data.jsonl -j 2``, start-up included, against pandoc doing
  the same editions in 2 processes (EPUB with ``--sandbox`` + plain text; PDF
  through ``--pdf-engine=weasyprint``), and prints the ratio of articles per
  second (target >= 1.0 for both).

    python benchmarks/batch.py                       # the issue's sizes: 1,000 records; memory at 1,000 and 10,000
    python benchmarks/batch.py --records 100 --memory 200,2000   # a short run on a busy machine
    python benchmarks/batch.py --only corpus         # just the corpus dataset against pandoc

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
from inputs import CORPUS, SEED  # noqa: E402  (benchmarks/ is on the path when a script runs)

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


def corpus_dataset(path: Path, count: int) -> int:
    """``count`` records from the corpus pages (markup and metadata), the pages repeated in order; returns count."""
    pages = sorted(p for p in CORPUS.glob("*/expected.html"))
    if not pages:
        raise SystemExit(f"no corpus pages at {CORPUS}")
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(count):
            page = pages[n % len(pages)]
            meta_file = page.parent / "expected-metadata.json"
            meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else {}
            record = {"title": meta.get("title") or page.parent.name, "author": meta.get("byline") or "",
                      "lang": meta.get("lang") or "", "url": f"https://example.org/{page.parent.name}/{n}",
                      "html": page.read_text(encoding="utf-8")}
            fh.write(json.dumps({k: v for k, v in record.items() if v}, ensure_ascii=False) + "\n")
    return count


def exporter_command() -> list[str]:
    script = Path(sys.executable).with_name("exporter")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "exporter"]


def command_rate(data: Path, formats: str, count: int, jobs: int) -> tuple[float, int]:
    """Articles per second of the real command over the dataset, start-up included, and its exit status."""
    out = Path(tempfile.mkdtemp(prefix="bench-corpus-"))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    try:
        start = time.perf_counter()
        done = subprocess.run([*exporter_command(), "export", str(data), "-f", formats, "-j", str(jobs), "-o",
                               str(out), "-q", "--offline"], capture_output=True, env=env)
        return count / (time.perf_counter() - start), done.returncode
    finally:
        shutil.rmtree(out, ignore_errors=True)


def pandoc_pool_rate(pandoc: str, data: Path, targets: list[tuple[str, str, list[str]]], count: int,
                     jobs: int) -> tuple[float, int]:
    """Articles per second of pandoc making the same editions, ``jobs`` processes at a time; and its failures."""
    from concurrent.futures import ThreadPoolExecutor

    work = Path(tempfile.mkdtemp(prefix="bench-pandoc-"))
    records = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines()[:count]]

    def one(n: int) -> int:
        record = records[n]
        source = work / f"{n}.html"
        source.write_text(record["html"], encoding="utf-8")
        meta = ["--metadata", f"title={record['title']}"] + (["--metadata", f"author={record['author']}"]
                                                             if record.get("author") else []) \
            + (["--metadata", f"lang={record['lang']}"] if record.get("lang") else [])
        failed = 0
        for writer, ext, extra in targets:
            done = subprocess.run([pandoc, str(source), "-f", "html", "-t", writer, *extra, *meta,
                                   "-o", str(work / f"{n}.{ext}")], capture_output=True)
            failed += done.returncode != 0
        return failed

    try:
        start = time.perf_counter()
        with ThreadPoolExecutor(jobs) as pool:
            failures = sum(pool.map(one, range(len(records))))
        return len(records) / (time.perf_counter() - start), failures
    finally:
        shutil.rmtree(work, ignore_errors=True)


PANDOC_EPUB_TEXT = [("epub3", "epub", ["--sandbox"]), ("plain", "txt", [])]
PANDOC_PDF = [("html", "pdf", ["--pdf-engine=weasyprint"])]


def corpus_against_pandoc(work: Path, records: int, pdf_records: int, jobs: int = 2) -> None:
    """The corpus dataset through the real command and through pandoc, same processes, ratios side by side."""
    pandoc = pandoc_path()
    if not pandoc:
        print("pandoc: not installed (pip install pypandoc_binary), corpus comparison not run")
        return
    for label, formats, count, targets in (("EPUB+text", "epub,txt", records, PANDOC_EPUB_TEXT),
                                           ("PDF", "pdf", pdf_records, PANDOC_PDF)):
        data = work / f"corpus-{formats.replace(',', '-')}.jsonl"
        corpus_dataset(data, count)
        mine, status = command_rate(data, formats, count, jobs)
        theirs, failures = pandoc_pool_rate(pandoc, data, targets, count, jobs)
        print(f"corpus {label:9} {count:4} records, {jobs} processes, start-up included: exporter {mine:6.2f} "
              f"articles/s (exit {status}), pandoc {theirs:6.2f} articles/s ({failures} failed) = "
              f"{mine / theirs:5.2f}x (target >= 1.0)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1000, help="records exported for the speed runs")
    parser.add_argument("--pdf-records", type=int, default=None, help="records for the PDF runs (default: --records)")
    parser.add_argument("--memory", default="1000,10000", help="dataset sizes for the peak-memory runs")
    parser.add_argument("--memory-formats", default="txt", help="formats of the memory runs (streaming, not "
                        "the writers, is what they measure)")
    parser.add_argument("--pandoc-records", type=int, default=None, help="records for the pandoc loop")
    parser.add_argument("--corpus-records", type=int, default=120, help="records of the corpus dataset (EPUB+text)")
    parser.add_argument("--corpus-pdf-records", type=int, default=60, help="records of the corpus dataset (PDF)")
    parser.add_argument("--only", choices=("seed", "corpus"), help="run one part only")
    args = parser.parse_args()
    if args.only == "corpus":
        work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
        try:
            print(f"cores: {len(os.sched_getaffinity(0))}, load average: {os.getloadavg()[0]:.1f}; exporter and "
                  f"pandoc run one after the other in this run")
            corpus_against_pandoc(work, args.corpus_records, args.corpus_pdf_records)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
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
        if args.only != "seed":
            corpus_against_pandoc(work, args.corpus_records, args.corpus_pdf_records)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
