"""The public API end to end: one article, or many through :mod:`exporter.batch`, for the CLI and Python alike.

The reading and writing themselves are :mod:`exporter.editions`, which the batch shares.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

from . import writers
from .clock import article_limit
from .batch import BATCH_NAMES, BATCH_OPTIONS
from .batch.datasets import is_dataset
from .batch.manifest import is_manifest
from .document import Book
from .editions import Outcome, load_document, parse_formats, start_editions, stop_apart, write_book
from .errors import BatchError
from .feeds import FEED_OPTIONS
from .feeds.options import refuse_feed_options
from .feeds.kinds import is_feed_file
from .read import NotAPage
from .options import PIPELINE_OPTIONS, Option, resolve
from .themes import PACKAGE

DEFAULT_OUTPUT = Path("dist")
SAMPLE = PACKAGE / "sample" / "article.html"


def all_options() -> tuple[Option, ...]:
    """Every option ``export`` takes: the pipeline's, the batch's, the feeds' and every installed writer's."""
    own = PIPELINE_OPTIONS + BATCH_OPTIONS + FEED_OPTIONS
    names = {o.name for o in own}
    return own + tuple(o for o in writers.all_options() if o.name not in names)


def export(inputs: Iterable[str | Path] | str | Path | None = None, formats: str | Iterable[str] | None = None,
           out: str | Path = DEFAULT_OUTPUT, **options: Any) -> list[Path]:
    """Export article files to editions; returns the files written.

    ``inputs``: paths (``-`` for stdin) or http(s) addresses; none exports the bundled sample article.
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
                                     for name, why, _ in outcome.failed[:20])
                         + (f"; and {len(outcome.failed) - 20} more" if len(outcome.failed) > 20 else ""))
    return outcome.written


def run_export(inputs, formats, out, *, on_written: Callable[[Path], None] | None = None,
               concurrent: bool = False, **options: Any) -> Outcome:
    """Like :func:`export`, but one bad input among several is recorded in the outcome, not raised.

    ``on_written`` (the CLI's printer) is called with each file as it is written;
    then ``Outcome.written`` stays empty, so a batch of any size runs in flat memory.

    ``concurrent`` (the CLI's choice: the command owns its process, a program
    calling the API keeps its own unforked): one article's PDF is laid out in a
    process forked at the start, which imports WeasyPrint while the article is
    read and its other editions written (:func:`start_editions`).

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
        from .batch.runner import run_batch  # the process pool's machinery loads only when a batch runs

        from .forked import discard_held

        discard_held()  # the process the command's launch forked for a PDF: the workers lay out their own

        return run_batch(inputs, names, out, settings, dict(options), formats_given=formats is not None,
                         on_written=on_written)
    apart = {}
    try:
        with article_limit(settings.get("max_article_seconds")):
            # the PDF's process imports WeasyPrint while this one reads the article (start_editions)
            apart = start_editions(names) if concurrent else {}
            doc = load_document(inputs[0], settings)  # one input: its own error, with its own exit status
            refuse_feed_options(options, inputs[0])
            written = write_book(Book.of(doc), names, out, settings, apart=apart)
    except NotAPage as found:  # an address that holds a feed: a feed edition of it
        from .batch.runner import run_batch

        stop_apart(apart, out)
        return run_batch(inputs, names, out, settings, dict(options), formats_given=formats is not None,
                         on_written=on_written, feeds={inputs[0]: found.page})
    finally:
        stop_apart(apart, out)  # outside the time limit; and forked for an article that never became a book
    if on_written is not None:
        for path in written:
            on_written(path)
        return Outcome(exported=1, files=len(written))
    return Outcome(written=written, exported=1, files=len(written))


def _is_batch(inputs: list[str], options: dict[str, Any]) -> bool:
    run_options = BATCH_NAMES - {"jobs", "progress", "map"}
    return (len(inputs) > 1 or any(is_dataset(i) or is_manifest(i) or is_feed_file(i) for i in inputs)
            or any(options.get(name) not in (None, False, "local") for name in run_options))
