"""The pipeline end to end: read → normalise → tree → write, for the CLI and the Python API alike."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from . import writers
from .atomic import atomic_path, ensure_folder
from .batch import BATCH_NAMES, BATCH_OPTIONS
from .document import Book, Document, slugify
from .errors import BatchError, OutputError, UsageError
from .normalise import OPTIONS as NORMALISE_OPTIONS
from .normalise import normalise
from .options import PIPELINE_OPTIONS, Option, Settings, resolve, split
from .read import read_source
from .resources import ResourcePolicy
from .themes import PACKAGE

log = logging.getLogger("exporter")
DEFAULT_FORMATS = ("epub", "pdf", "txt")
DEFAULT_OUTPUT = Path("dist")
SAMPLE = PACKAGE / "sample" / "article.html"


def all_options() -> tuple[Option, ...]:
    """Every option ``export`` takes: the pipeline's, the batch's and every installed writer's."""
    own = PIPELINE_OPTIONS + BATCH_OPTIONS
    names = {o.name for o in own}
    return own + tuple(o for o in writers.all_options() if o.name not in names)


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


@dataclass
class Outcome:
    """What one export run did: files written, inputs that failed with their reasons, inputs skipped."""

    written: list[Path] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: sets of editions written (an article's or a book's)
    exported: int = 0
    #: files written (also those handed to ``on_written`` instead of kept in ``written``)
    files: int = 0
    #: True when the run went through the batch machinery (several inputs, a dataset, a book)
    batch: bool = False

    def summary(self) -> str:
        return f"{self.exported} exported, {len(self.skipped)} skipped, {len(self.failed)} failed"


def load_document(source: str | Path, settings: Settings) -> Document:
    """Read and normalise one input file (``-`` for stdin) under the given settings."""
    max_bytes = int(settings.max_input_mb * 1_000_000) if settings.get("max_input_mb") else None
    src = read_source(source, max_bytes=max_bytes)
    doc = normalise(src, **split(settings, {o.name for o in NORMALISE_OPTIONS}))
    for line in doc.report.lines():  # -v: what the normaliser did to the text
        log.info("%s: %s", doc.origin, line)
    return doc


def load_title(source: str | Path, settings: Settings) -> str:
    """The title :func:`load_document` would give ``source``, from a read and a parse only."""
    from .normalise import find_title

    max_bytes = int(settings.max_input_mb * 1_000_000) if settings.get("max_input_mb") else None
    return find_title(read_source(source, max_bytes=max_bytes), settings.get("title"))


def write_book(book: Book, formats: Sequence[str], out: Path, settings: Settings, stem: str | None = None) -> list[Path]:
    """Write every requested edition of ``book`` into ``out``, each atomically."""
    ensure_folder(out)
    policy = ResourcePolicy.from_settings(book.articles[0].base if book.articles else None, settings)
    stem = stem or slugify(book.metadata.title)
    written = []
    for name in formats:
        writer_cls = writers.get(name)
        target = out / f"{stem}.{writer_cls.extension}"
        with atomic_path(target) as tmp:
            try:
                writer_cls().write(book, tmp, settings, policy)
            except RecursionError:
                raise OutputError(f"{target.name}: the document is nested too deeply for the {name} writer") from None
        log.info("wrote %s", target)
        written.append(target)
    return written


def export(inputs: Iterable[str | Path] | str | Path | None = None, formats: str | Iterable[str] | None = None,
           out: str | Path = DEFAULT_OUTPUT, **options: Any) -> list[Path]:
    """Export article files to editions; returns the files written.

    ``inputs``: paths (``-`` for stdin); none exports the bundled sample article.
    ``formats``: ``"epub,pdf,txt"`` (the default) or a list. ``out``: the output
    folder. ``options``: metadata (``title``, ``authors``, ``language``…) and any
    pipeline or writer option, the same ones the CLI takes. Raises
    :class:`~exporter.errors.ExporterError` subclasses; when several inputs are
    given, every one is tried and :class:`~exporter.errors.BatchError` reports
    those that failed.
    """
    outcome = run_export(inputs, formats, out, **options)
    if outcome.failed:
        tried = len(outcome.failed) + outcome.exported
        raise BatchError(f"{len(outcome.failed)} of {tried} inputs failed: "
                         + "; ".join(why if why.startswith(name) else f"{name}: {why}"
                                     for name, why in outcome.failed[:20])
                         + (f"; and {len(outcome.failed) - 20} more" if len(outcome.failed) > 20 else ""))
    return outcome.written


def run_export(inputs, formats, out, *, on_written: Callable[[Path], None] | None = None,
               **options: Any) -> Outcome:
    """Like :func:`export`, but one bad input among several is recorded in the outcome, not raised.

    ``on_written`` (the CLI's printer) is called with each file as it is written;
    then ``Outcome.written`` stays empty, so a batch of any size runs in flat memory.

    One plain article file is exported here and its error raised as is. Several
    inputs, a dataset (``.jsonl``, ``.csv``), a ``book.toml`` or a batch option
    (``book``, ``report``, ``resume``, ``engine``…) go to :mod:`exporter.batch`.
    """
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    inputs = [str(i) for i in (inputs or [])] or [str(SAMPLE)]
    names = parse_formats(formats)
    settings = resolve(all_options(), options)
    out = Path(out)
    if _is_batch(inputs, options):
        from .batch.runner import run_batch

        return run_batch(inputs, names, out, settings, dict(options), formats_given=formats is not None,
                         on_written=on_written)
    doc = load_document(inputs[0], settings)  # one input: its own error, with its own exit status
    written = write_book(Book.of(doc), names, out, settings)
    if on_written is not None:
        for path in written:
            on_written(path)
        return Outcome(exported=1, files=len(written))
    return Outcome(written=written, exported=1, files=len(written))


def _is_batch(inputs: list[str], options: dict[str, Any]) -> bool:
    from .batch.datasets import is_dataset
    from .batch.manifest import is_manifest

    run_options = BATCH_NAMES - {"jobs", "progress", "map"}
    return (len(inputs) > 1 or any(is_dataset(i) or is_manifest(i) for i in inputs)
            or any(options.get(name) not in (None, False, "local") for name in run_options))
