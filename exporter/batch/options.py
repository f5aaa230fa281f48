"""Options of books and batches, declared once for the CLI and the Python API."""
from __future__ import annotations

import os

from ..options import Option


def _mapping(pairs: list[str]) -> list[str]:
    """Check ``--map field=column`` pairs early, so a typo is a usage error, not 1,000 failed records."""
    for pair in pairs:
        target, sep, column = pair.partition("=")
        if not sep or not target.strip() or not column.strip():
            raise ValueError(f"{pair!r} is not FIELD=COLUMN (e.g. title=headline)")
    return pairs


#: the most ``--jobs`` accepted at all, and the most worker processes per core ever started
MAX_JOBS = 256
JOBS_PER_CORE = 4


def cores() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def worker_count(jobs: int | None) -> int:
    """Worker processes for ``--jobs``: the cores by default, never more than ``JOBS_PER_CORE`` per core
    (each worker holds a layout engine; past that they only compete for memory)."""
    return max(1, min(jobs or cores(), JOBS_PER_CORE * cores()))


BATCH_OPTIONS: tuple[Option, ...] = (
    Option("book", "Make one book of all the inputs (book metadata from --title, --author…; each article keeps "
           "its own).", kind="flag", default=False, group="batch"),
    Option("map", "Dataset field mapping, FIELD=COLUMN (fields: title, author, date, url, html, section, "
           "subtitle, language, image_descriptions); repeat for several.", kind="multi", default=(),
           metavar="FIELD=COLUMN",
           group="batch", convert=_mapping),
    Option("each", "Datasets: one set of editions per record (the default).", kind="flag", default=False,
           group="batch"),
    Option("group_by", "Datasets: one book per value of this field instead of one edition per record.",
           kind="choice", choices=("date", "section", "author"), group="batch"),
    Option("jobs", "Articles exported at once, each in its own process (default: the number of cores; never "
           f"more processes than articles, nor than {JOBS_PER_CORE} per core).",
           kind="int", flags=("-j", "--jobs"), metavar="N", group="batch", minimum=1, maximum=MAX_JOBS),
    Option("report", "Write a JSON report of the batch (every failure with its reason) to FILE.",
           metavar="FILE", group="batch"),
    Option("resume", "Skip records whose editions are already up to date (same input, same options).",
           kind="flag", default=False, group="batch"),
    Option("engine", "Where per-article work runs: local processes, or a Dask distributed cluster.",
           kind="choice", choices=("local", "dask"), default="local", group="batch"),
    Option("scheduler", "Dask scheduler address for --engine dask (default: $EXPORTER_DASK_SCHEDULER).",
           metavar="tcp://HOST:PORT", group="batch"),
    Option("progress", "Show a progress bar (default: when standard error is a terminal and not -q).",
           kind="flag", flags=("--progress/--no-progress",), group="batch"),
)

BATCH_NAMES: frozenset[str] = frozenset(o.name for o in BATCH_OPTIONS)
