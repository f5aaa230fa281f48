"""One article read, one book written: the work a single export and every batch task share.

The public API (:mod:`exporter.pipeline`) and the batch (:mod:`exporter.batch`)
both build on this module; it imports neither, so the batch depends on the core
and never the other way round.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from functools import partial
from typing import TYPE_CHECKING, Iterable, NamedTuple, Sequence

from . import writers
from .atomic import atomic_path, ensure_folder
from .document import Book, Document, slugify
from .errors import ExporterError, LimitError, UsageError, WriterError
from .normalise import OPTIONS as NORMALISE_OPTIONS
from .normalise import find_title, normalise
from .options import PIPELINE_OPTIONS, Settings, complete, split
from .read import Source, fetch_source, is_url, read_source
from .recursion import deep_recursion
from .resources import ResourcePolicy

if TYPE_CHECKING:
    from .forked import Forked

log = logging.getLogger("exporter")
DEFAULT_FORMATS = ("epub", "pdf", "txt")


def parse_formats(formats: str | Iterable[str] | None) -> list[str]:
    """``"epub,pdf"`` or ``["epub", "pdf"]`` → checked format names, in order, once each."""
    if formats is None:
        return list(DEFAULT_FORMATS)
    items = formats.split(",") if isinstance(formats, str) else [p for f in formats for p in str(f).split(",")]
    names = list(dict.fromkeys(i.strip().lower() for i in items if i.strip()))
    if not names:
        raise UsageError("no format given (use -f epub,pdf,txt)")
    for name in names:
        writers.get(name)
    return names


class Failure(NamedTuple):
    """One input that failed: where, why (one line), and the exit status its error class maps to."""

    origin: str
    reason: str
    status: int


@dataclass
class Outcome:
    """What one export run did: files written, inputs that failed with their reasons, inputs skipped."""

    written: list[Path] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: sets of editions written (an article's or a book's)
    exported: int = 0
    #: files written (also those handed to ``on_written`` instead of kept in ``written``)
    files: int = 0
    #: True when the run went through the batch machinery (several inputs, a dataset, a book)
    batch: bool = False

    def summary(self) -> str:
        return f"{self.exported} exported, {len(self.skipped)} skipped, {len(self.failed)} failed"


def input_limit(settings: Settings) -> int | None:
    """``--max-input-mb`` in bytes (None: no limit)."""
    return int(settings.max_input_mb * 1_000_000) if settings.get("max_input_mb") else None


def read_input(source: str | Path, settings: Settings) -> Source:
    """One input read and decoded: a web page (fetched under the resource policy), a file or ``-`` (stdin)."""
    if is_url(source):
        return fetch_source(str(source).strip(), ResourcePolicy.from_settings(None, settings), input_limit(settings))
    return read_source(source, max_bytes=input_limit(settings), stdin_base=settings.get("base"))


def load_document(source: str | Path | Source, settings: Settings) -> Document:
    """Read (unless already read) and normalise one input (a URL, a file, ``-`` for stdin) under the settings."""
    src = source if isinstance(source, Source) else read_input(source, settings)
    doc = normalise(src, **split(settings, {o.name for o in NORMALISE_OPTIONS}))
    for line in doc.report.lines():  # -v: what the normaliser did to the text
        log.info("%s: %s", doc.origin, line)
    return doc


def load_title(source: str | Path | Source, settings: Settings) -> str:
    """The title :func:`load_document` would give ``source``, from a read and a parse only."""
    src = source if isinstance(source, Source) else read_input(source, settings)
    return find_title(src, settings.get("title"))


def write_book(book: Book, formats: Sequence[str], out: Path, settings: Settings, stem: str | None = None,
               concurrent: bool = False) -> list[Path]:
    """Write every requested edition of ``book`` into ``out``, each atomically.

    An edition its writer cannot make (a PDF whose characters no font draws, a
    tree too deep for one layout engine) does not stop the others: they are
    written, and then the first such error is raised. Anything else (a time
    limit, a full disk) stops at once.

    ``concurrent``: an edition whose writer wants a process of its own
    (``Writer.separate_process``) is written in a forked child while this
    process writes the others, where :func:`exporter.forked.can_fork` allows
    (the CLI's single export; a batch has its own worker processes).
    Same files, same errors, same exit status as one after the other.
    """
    ensure_folder(out)
    policy = ResourcePolicy.from_settings(book.articles[0].base if book.articles else None, settings)
    stem = stem or slugify(book.metadata.title)
    writer_classes = {name: writers.get(name) for name in formats}

    def write_one(name: str) -> Path | ExporterError:
        """The edition ``name``, written; or the error that lets the other editions go on."""
        writer_cls = writer_classes[name]
        target = out / f"{stem}.{writer_cls.extension}"
        # every option the writer or the pipeline declares is there, defaults included: no writer restates one
        complete_settings = complete(writer_cls.options + PIPELINE_OPTIONS, settings)
        try:
            with atomic_path(target) as tmp, deep_recursion():  # layout recurses per level of nesting
                writer_cls().write(book, tmp, complete_settings, policy)
        except RecursionError:  # any writer's; the one place it becomes a status (depth is a limit)
            return LimitError(f"{target.name}: the document is nested too deeply for the {name} writer")
        except WriterError as exc:
            return exc
        log.info("wrote %s", target)
        return target

    apart: dict[str, Forked] = {}
    results: dict[str, Path | ExporterError] = {}
    try:
        if concurrent and len(formats) > 1 and any(cls.separate_process for cls in writer_classes.values()):
            from .forked import Forked, can_fork

            for name in formats:
                if writer_classes[name].separate_process and can_fork():
                    try:
                        apart[name] = Forked(partial(write_one, name))
                    except OSError:  # no process to be had (a process limit): written here, in turn
                        break
        for name in formats:
            if name not in apart:
                results[name] = write_one(name)
        for name, child in apart.items():
            results[name] = child.result()
    finally:
        for child in apart.values():
            child.cancel()  # after an error here: stop the child (no-op once its result is in)
    failed = [r for r in (results[name] for name in formats) if isinstance(r, ExporterError)]
    if failed:
        raise failed[0]
    return [results[name] for name in formats]

