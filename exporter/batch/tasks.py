"""The unit of work of a batch: one task → one set of editions (an article's, or a book's).

Tasks and results are plain picklable data, so the same :func:`run_task` runs
in-process, in a local process pool or on a Dask worker. A task never raises:
whatever goes wrong becomes a failed :class:`Result` with a one-line reason, so
one bad article never sinks the batch.
"""
from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..clock import article_limit
from ..document import Book, Document
from ..editions import Failure, input_limit, load_document, load_title, read_input, write_book
from ..errors import INTERNAL, ExporterError, InputError, as_user_error
from ..normalise import OPTIONS as NORMALISE_OPTIONS
from ..normalise import normalise
from ..normalise.descriptions import UNMATCHED
from ..options import METADATA_NAMES, Settings, merged_descriptions, split
from ..read import Source, fetch_source, is_url
from ..resources import ResourcePolicy
from .book import assemble, book_metadata
from .datasets import Record, record_metadata

NORMALISE_NAMES = frozenset(o.name for o in NORMALISE_OPTIONS)
log = logging.getLogger("exporter")


@dataclass
class ArticleSource:
    """Where one article comes from — a file or web address, a dataset record, or a page already fetched
    (by the naming pass: a page is fetched once) — and its metadata overrides."""

    path: str | None = None
    record: Record | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    part: str | None = None
    fetched: Source | None = None

    @property
    def origin(self) -> str:
        if self.fetched is not None:
            return self.fetched.origin
        return self.record.origin if self.record is not None else str(self.path)


@dataclass
class Task:
    """Write ``formats`` of one article, or of a book (``book`` holds its metadata options), as ``stem``."""

    stem: str
    origin: str
    sources: list[ArticleSource]
    formats: list[str]
    out: str
    settings: Settings
    book: dict[str, Any] | None = None
    digest: str = ""
    #: "write" exports; "title" only normalises and reports the title (to name files before writing)
    action: str = "write"
    #: in a book: leave out (and report) articles that fail instead of failing the book
    lenient: bool = False


@dataclass
class Result:
    stem: str
    origin: str
    status: str  # "exported", "failed", "skipped", "title"
    files: list[str] = field(default_factory=list)
    reason: str | None = None
    digest: str = ""
    title: str | None = None
    #: articles of a lenient book that failed
    left_out: list[Failure] = field(default_factory=list)
    #: the exit status the failure's error class maps to (:data:`exporter.errors.EXIT_STATUSES`)
    exit_status: int = 0
    #: the naming pass of a web page: the page it fetched, so that writing it does not fetch it again
    fetched: Source | None = None


def run_task(task: Task) -> Result:
    """Do one task within its time budget; every failure comes back as a failed result with its reason."""
    try:
        with article_limit(task.settings.get("max_article_seconds"), len(task.sources)):
            return _run_task(task)
    except Exception as exc:  # noqa: BLE001 - a task never raises; its failure is a result
        problem = as_user_error(exc)
        if problem is not None:
            return Result(task.stem, task.origin, "failed", reason=prefixed(str(problem), task.origin),
                          exit_status=problem.exit_code)
        where = traceback.extract_tb(exc.__traceback__)[-1]  # a bug: where it happened, and the batch goes on
        return Result(task.stem, task.origin, "failed",
                      reason=f"{task.origin}: internal error: {type(exc).__name__}: {exc} "
                             f"({Path(where.filename).name}:{where.lineno})", exit_status=INTERNAL)


def _run_task(task: Task) -> Result:
    """The work of :func:`run_task`, which turns its errors into a failed result."""
    if task.action == "title":  # naming pass: a read and a parse, not a whole normalisation
        source = task.sources[0]
        settings = Settings({**task.settings, **source.overrides})
        if source.record is not None:
            return Result(task.stem, task.origin, "title", title=record_title(source.record, settings),
                          digest=task.digest)
        read = read_input(str(source.path), settings)
        return Result(task.stem, task.origin, "title", title=load_title(read, settings), digest=task.digest,
                      fetched=read if read.url else None)
    in_book = task.book is not None
    docs, parts, left_out = [], [], []
    for src in task.sources:
        try:
            docs.append(load_article(src, task.settings, in_book=in_book))
            parts.append(src.part)
        except ExporterError as exc:
            if not task.lenient:
                raise
            left_out.append(Failure(src.origin, prefixed(str(exc), src.origin), exc.exit_code))
    if not docs:
        raise InputError(f"{task.origin}: none of its articles could be read")
    if in_book:
        book = assemble(docs, book_metadata(task.book or {}, docs), parts)
    else:
        book = Book.of(docs[0])
    files = write_book(book, task.formats, Path(task.out), task.settings, stem=task.stem)
    return Result(task.stem, task.origin, "exported", [str(f) for f in files], digest=task.digest,
                  left_out=left_out)


def run_partition(tasks: list[Task]) -> list[Result]:
    """Several tasks in one go (a Dask partition)."""
    return [run_task(t) for t in tasks]


def load_article(source: ArticleSource, settings: Settings, in_book: bool) -> Document:
    """Read and normalise one article. In a book the command's metadata is the book's, not the article's."""
    options = split(settings, NORMALISE_NAMES)
    if in_book:
        for name in METADATA_NAMES & NORMALISE_NAMES:
            options[name] = None
    if source.record is not None:
        record = source.record
        record.refuse_if_unread()
        options.update(record_metadata(record))
        try:  # the record's own image descriptions win over the command's
            options["image_descriptions"] = merged_descriptions(options.get("image_descriptions"),
                                                                record.fields.get("image_descriptions"))
        except ValueError as exc:
            raise InputError(f"{record.origin}: {exc}") from None
        with_overrides(options, source.overrides)
        markup = record.fields.get("html")
        if markup is None:  # a record with a url and no markup: the page is fetched
            markup = fetch_record(record, settings)
        elif not isinstance(markup, (str, bytes)):
            markup = str(markup)
        doc = normalise(markup, origin=record.origin, **options)
        if not record.fields.get("image_descriptions"):  # only the command's, which every record shares
            doc.report.forget(UNMATCHED)
        return doc
    with_overrides(options, source.overrides)
    return load_document(source.fetched or str(source.path), Settings({**settings, **options}),
                         shared_descriptions=True)


def with_overrides(options: dict[str, Any], overrides: dict[str, Any]) -> None:
    """An article's own options (a manifest's) over the command's; image descriptions merge, its own winning."""
    for name, value in overrides.items():
        options[name] = merged_descriptions(options.get(name), value) if name == "image_descriptions" else value


def fetch_record(record: Record, settings: Settings) -> Source | str:
    """The page a record without markup links to; when it cannot be had, the record's ``summary`` (a feed
    entry's) stands in, saying so."""
    try:
        return fetch_source(record_url(record), ResourcePolicy.from_settings(None, settings), input_limit(settings))
    except ExporterError as exc:
        summary = record.fields.get("summary")
        if not summary:
            raise
        log.warning("%s: the feed's summary stands in for the page (%s)", record.origin, exc)
        return str(summary)


def record_url(record: Record) -> str:
    """The web address of a record that has no markup (an http(s) ``url`` field), or an input error."""
    url = str(record.fields.get("url") or "").strip()
    if not is_url(url):
        raise InputError(f"{record.origin}: no markup, and its url {url[:80]!r} is not an http(s) address")
    return url


def record_title(record: Record, settings: Settings) -> str:
    """The title a record (standard input in a batch of files) would get, from a read and a parse only."""
    from ..normalise import find_title
    from ..read import decode_source

    record.refuse_if_unread()  # the naming pass fails a record with the status its export would
    markup = record.fields["html"]
    return find_title(decode_source(markup if isinstance(markup, (str, bytes)) else str(markup),
                                    origin=record.origin), settings.get("title"))


def prefixed(reason: str, origin: str) -> str:
    return reason if reason.startswith(origin) else f"{origin}: {reason}"
