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
from importlib import import_module
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, NamedTuple, Sequence

from . import writers
from .clock import Strike, open_limits, resumed
from .atomic import atomic_path, ensure_folder, sweep_leftovers
from .document import Book, Document, slugify
from .errors import ExporterError, LimitError, UsageError, WriterError
from .options import DEFAULT_FORMATS, DOCUMENT_OPTIONS, PIPELINE_OPTIONS, Settings, complete, split
from .read import Source, fetch_source, is_url, read_source
from .recursion import deep_recursion
from .resources import ResourcePolicy

if TYPE_CHECKING:
    from .forked import Forked

log = logging.getLogger("exporter")


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


def load_document(source: str | Path | Source, settings: Settings, shared_descriptions: bool = False) -> Document:
    """Read (unless already read) and normalise one input (a URL, a file, ``-`` for stdin) under the settings.
    ``shared_descriptions``: the image descriptions are a whole batch's, so keys matching no image of this
    article are not reported (they name other articles' images)."""
    src = source if isinstance(source, Source) else read_input(source, settings)
    from .normalise import normalise  # after start_editions has forked: the PDF's process does not need it

    doc = normalise(src, **split(settings, {o.name for o in DOCUMENT_OPTIONS}))
    if shared_descriptions:
        from .normalise.descriptions import UNMATCHED

        doc.report.forget(UNMATCHED)
    for line in doc.report.lines():  # -v: what the normaliser did to the text
        log.info("%s: %s", doc.origin, line)
    return doc


def load_title(source: str | Path | Source, settings: Settings) -> str:
    """The title :func:`load_document` would give ``source``, from a read and a parse only."""
    src = source if isinstance(source, Source) else read_input(source, settings)
    from .normalise import find_title

    return find_title(src, settings.get("title"))


def start_editions(formats: Sequence[str]) -> dict[str, Forked]:
    """A process for each edition whose writer wants one of its own, started before the book exists.

    Each imports its engine (``Writer.engine_modules``: WeasyPrint, most of a
    second) while this process reads and normalises the article and writes the
    other editions, then waits for the work :func:`write_book` sends it (an
    :class:`Order`). The first is the one the command forked before it was
    parsed (:mod:`exporter.launch`), if it did; the others are forked now. Only
    beside other editions and where :func:`exporter.forked.can_fork` allows (the
    CLI's single export; a batch has its own worker processes); else none.
    The caller cancels those :func:`write_book` never sent work to (an unreadable input).
    """
    from .forked import Forked, can_fork, take_held

    warm = take_held()  # forked by the command's launch, before it was parsed
    started: dict[str, Forked] = {}
    try:
        classes = {name: writers.get(name) for name in formats}
        wanted = [name for name, cls in classes.items() if cls.separate_process] if len(classes) > 1 else []
        if warm is not None:
            if wanted:
                started[wanted.pop(0)], warm = warm, None
            else:
                warm.release()  # it ends by itself once it sees no work is coming; reaped at the command's end
                warm = None
        for name in wanted:
            if not can_fork():
                break
            try:
                started[name] = Forked(write_sent, waits_for_input=True, prepare=partial(import_engine, [name]))
            except OSError:  # no process to be had (a process limit): written here, in turn
                break
    except BaseException:  # an unknown format, Ctrl-C: no process is left to run on
        for child in ([warm] if warm is not None else []) + list(started.values()):
            child.cancel()
        raise
    return started


def import_engine(formats: Sequence[str]) -> None:
    """Import the engine of the first of ``formats`` whose writer wants a process of its own: what a process of
    :func:`start_editions` does while it waits (an unknown format is left for the command to report)."""
    import warnings

    for name in formats:
        try:
            with warnings.catch_warnings():  # a broken plug-in: the command says so, not this process again
                warnings.simplefilter("ignore")
                cls = writers.get(name)
        except UsageError:
            continue
        if cls.separate_process:
            for module in cls.engine_modules:
                import_module(module)
            return


def write_book(book: Book, formats: Sequence[str], out: Path, settings: Settings, stem: str | None = None,
               apart: Mapping[str, Forked] | None = None) -> list[Path]:
    """Write every requested edition of ``book`` into ``out``, each atomically.

    An edition its writer cannot make (a PDF whose characters no font draws, a
    tree too deep for one layout engine) does not stop the others: they are
    written, and then the first such error is raised. Anything else (a time
    limit, a full disk) stops at once.

    ``apart``: processes :func:`start_editions` forked for some of the editions;
    they are sent the book and write those while this process writes the
    others. Same files, same errors, same exit status as one after the other;
    an error here stops them (and leaves no temporary file of theirs). The
    book's images are read here first (:func:`read_images`) and sent with the
    book, so every edition shares one read per image and one count against the
    limits, as in one process.
    """
    apart = dict(apart or {})
    ensure_folder(out)
    stem = stem or slugify(book.metadata.title)
    def new_policy() -> ResourcePolicy:
        return ResourcePolicy.from_settings(book.articles[0].base if book.articles else None, settings)

    policy = new_policy()
    if apart:
        try:
            read_images(book, policy)  # here, once: the editions written apart get them with their work
        except LimitError as exc:  # too many images: as in one process, the editions before the first
            if isinstance(exc, Strike):  # that reads them are written, and then it fails (a time limit: now)
                raise
            stop_apart(apart, out)
            apart = {}
            policy = new_policy()  # counted afresh by the writers, in turn
        limits, level = open_limits(), logging.getLogger().level
        for name, child in apart.items():
            child.send(Order(name, out, stem, settings, book, policy, limits, level))
    results: dict[str, Path | ExporterError] = {}
    try:
        for name in formats:
            if name not in apart:
                results[name] = _write_edition(book, name, out, stem, settings, policy)
        for name, child in apart.items():
            results[name] = child.result()
    finally:
        stop_apart(apart, out)  # after an error here: stop the children (no-op once their results are in)
    failed = [r for r in (results[name] for name in formats) if isinstance(r, ExporterError)]
    if failed:
        raise failed[0]
    return [results[name] for name in formats]


def stop_apart(apart: Mapping[str, Forked], out: Path) -> None:
    """Stop and reap the processes of :func:`start_editions` (no-op for those done), then remove the temporary
    files in ``out`` of any that was killed or crashed. Called again by the caller outside the article's time
    limit: past it, the limit strikes again every few hundredths of a second, and may cut this short."""
    if not apart:
        return
    for child in apart.values():
        child.cancel()
    sweep_leftovers.__wrapped__(out)


def read_images(book: Book, policy: ResourcePolicy) -> None:
    """Read every image of ``book`` under ``policy`` (its budget keeps them), in the order the writers read
    them: so that editions written in other processes, sent the policy, share one read per image and one
    count against the limits with those written here. A limit passed is raised here, as the first writer
    would have raised it."""
    for doc in book.articles:
        resources = policy.for_root(doc.base)
        for img in doc.tree.iter("img"):
            if img.get("src"):
                resources.try_fetch(img.get("src"))


def _write_edition(book: Book, name: str, out: Path, stem: str, settings: Settings,
                   policy: ResourcePolicy, before_rename: Callable[[], None] | None = None) -> Path | ExporterError:
    """The edition ``name`` of ``book``, written to ``out``/``stem`` + its extension; or the error that lets
    the other editions go on (a writer's own, a tree too deep for it). ``before_rename``: see ``atomic_path``."""
    writer_cls = writers.get(name)
    target = out / f"{stem}.{writer_cls.extension}"
    # every option the writer or the pipeline declares is there, defaults included: no writer restates one
    complete_settings = complete(writer_cls.options + PIPELINE_OPTIONS, settings)
    try:
        with atomic_path(target, before_rename) as tmp, deep_recursion():  # layout recurses per level of nesting
            writer_cls().write(book, tmp, complete_settings, policy)
    except RecursionError:  # any writer's; the one place it becomes a status (depth is a limit)
        return LimitError(f"{target.name}: the document is nested too deeply for the {name} writer")
    except WriterError as exc:
        return exc
    log.info("wrote %s", target)
    return target


class Order(NamedTuple):
    """What a process of :func:`start_editions` is sent: the edition to write and everything it is written under
    (the process may have been forked before the command was parsed, the limits opened or logging set up)."""

    name: str
    out: Path
    stem: str
    settings: Settings
    book: Book
    #: the policy of the editions written by the command itself, with the images it has read for them
    resources: ResourcePolicy
    limits: list[tuple[float, str]]
    log_level: int


def write_sent(order: Order) -> Path | ExporterError:
    """In a process of :func:`start_editions`: the edition ``order`` names, written under its limits."""
    from .forked import check_wanted  # the edition goes in place only while its command still wants it
    from .logs import configure

    configure(order.log_level)
    with resumed(order.limits):
        return _write_edition(order.book, order.name, order.out, order.stem, order.settings, order.resources,
                              check_wanted)
