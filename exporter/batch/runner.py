"""A batch end to end: inputs → tasks → an engine → editions, a summary, a report.

Plans tasks from the inputs (article files, datasets, ``book.toml`` manifests),
names every edition uniquely and deterministically (the same names whichever
engine runs them), skips what ``--resume`` finds up to date, shows progress,
and records every failure with its reason.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..atomic import atomic_path
from ..document import slugify
from ..editions import Failure, Outcome, input_limit, parse_formats
from ..errors import ExporterError, InputError, UsageError
from ..options import METADATA_NAMES, Settings
from ..feeds.kinds import is_feed_file
from ..feeds.options import refuse_feed_options
from ..read import is_url
from ..version import __version__
from .datasets import Record, count_records, field_mapping, group_key, is_dataset, read_records
from .engines import Engine, make_engine
from .manifest import Manifest, is_manifest, load_manifest
from .options import worker_count
from .resume import ResumeState, file_digest, options_fingerprint, task_digest
from .tasks import ArticleSource, Result, Task, prefixed

log = logging.getLogger("exporter")


class Names:
    """Output names handed out once each: a second "same-title" becomes "same-title-2" (or "-N")."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def claim(self, wanted: str, number: int | None = None) -> str:
        stem = wanted
        n = number if number is not None else 2
        while stem in self.used:
            stem = f"{wanted}-{n}"
            n += 1
        self.used.add(stem)
        return stem


class Batch:
    """One run of ``export`` over several inputs."""

    def __init__(self, inputs: list[str], formats: list[str], out: Path, settings: Settings,
                 given: dict[str, Any], formats_given: bool,
                 on_written: Callable[[Path], None] | None = None, feeds: dict[str, Any] | None = None) -> None:
        self.inputs, self.formats, self.out, self.settings = inputs, formats, out, settings
        #: inputs known to be feeds (web addresses found to hold one), with what was fetched of them
        self.feeds = feeds or {}
        #: feed editions by output name: their --state is updated once they are written
        self.editions: dict[str, Any] = {}
        #: what the run wants the user to know besides failures (entries left out, summaries used)
        self.notes: list[str] = []
        #: called with each file as it is written; then the files are not kept (memory stays flat)
        self.on_written = on_written
        self.given, self.formats_given = given, formats_given
        self.mapping = field_mapping(settings.map)
        #: a dataset record larger than the input limit fails alone, found while reading
        self.max_record = input_limit(settings)
        self.names = Names()
        self.fingerprint = options_fingerprint(settings, formats)
        self.state = ResumeState(out, load=bool(settings.get("resume")))
        self.outcome = Outcome(batch=True)
        self._stdin: Record | None = None
        # cluster workers do not share our working folder: give them an absolute path (on a shared filesystem)
        self.task_out = str(out.resolve()) if settings.get("engine") == "dask" else str(out)
        if settings.get("group_by") and settings.get("each"):
            raise UsageError("--each and --group-by contradict each other: choose one")
        if settings.get("book") and (settings.get("group_by") or settings.get("each")):
            raise UsageError("--book makes one book of everything; --each and --group-by make several: choose one")
        if settings.get("group_by") and not any(is_dataset(i) for i in inputs):
            raise UsageError("--group-by applies to datasets (.jsonl, .csv)")

    # --- planning ----------------------------------------------------------------------------------

    def where(self, path: str) -> str:
        """An input path as workers must see it (absolute on a cluster; a web address as it is)."""
        return str(Path(path).resolve()) if self.settings.get("engine") == "dask" and not is_url(path) else path

    def source(self, path: str) -> ArticleSource:
        """A file input; ``-`` (standard input) is read here, once: workers have no stdin."""
        if path != "-":
            return ArticleSource(path=self.where(path))
        if self._stdin is None:
            limit = self.max_record
            data = sys.stdin.buffer.read() if limit is None else sys.stdin.buffer.read(limit + 1)
            self._stdin = Record(number=0, origin="<stdin>", fields={"html": data})
            if not data.strip():
                self._stdin.error = "the input is empty"
        base = self.settings.get("base")  # standard input has no folder of its own
        return ArticleSource(record=self._stdin, overrides={"base": base} if base else {})

    def digest_of(self, source: ArticleSource) -> str:
        if source.fetched is not None:  # a web page: what it said when fetched
            return hashlib.sha256(source.fetched.text.encode("utf-8", "surrogatepass")).hexdigest()
        return source.record.digest() if source.record is not None else file_digest(source.path)

    def book_options(self) -> dict[str, Any]:
        """The command's metadata options: in a book they describe the book."""
        return {k: v for k, v in self.settings.items() if k in METADATA_NAMES and v not in (None, "", (), [])}

    def manifest_task(self, manifest: Manifest) -> Task:
        # what the command line says wins over the manifest (checked values, from the settings)
        meta = {**manifest.metadata, **{k: self.settings[k] for k in self.given if k in METADATA_NAMES}}
        settings = self.settings
        if manifest.theme and "theme" not in self.given:
            settings = settings.replace(theme=manifest.theme)
        if manifest.cover is not None and "cover" not in self.given:
            if "cover" in settings:
                settings = settings.replace(cover=str(manifest.cover))
            else:
                log.warning("%s: no installed writer takes a cover image yet; %s is not used",
                            manifest.path.name, manifest.cover.name)
        formats = self.formats if self.formats_given or not manifest.formats else parse_formats(manifest.formats)
        stem = self.names.claim(slugify(manifest.output or meta["title"]))
        sources = [ArticleSource(path=str(a.path), overrides=a.overrides, part=a.part) for a in manifest.articles]
        covers = [file_digest(manifest.cover)] if manifest.cover is not None else []
        digest = task_digest(options_fingerprint(settings, formats), stem,
                             [file_digest(s.path) for s in sources] + covers,
                             [meta, [(s.overrides, s.part) for s in sources]])
        return Task(stem, str(manifest.path), sources, formats, self.task_out, settings, book=meta, digest=digest)

    def book_task(self, sources: list[ArticleSource], meta: dict[str, Any], origin: str,
                  stem: str | None = None) -> Task:
        stem = self.names.claim(stem or slugify(meta.get("title") or "collected-articles"))
        digests = [self.digest_of(s) for s in sources]
        digest = task_digest(self.fingerprint, stem, digests, meta)
        return Task(stem, origin, sources, self.formats, self.task_out, self.settings, book=meta, digest=digest)

    def record_task(self, record: Record, dataset: Path) -> Task:
        title = record.fields.get("title")
        wanted = slugify(str(title)) if title else f"{slugify(dataset.stem, 'record')}-{record.number}"
        stem = self.names.claim(wanted, record.number)
        digest = task_digest(self.fingerprint, stem, [record.digest()])
        return Task(stem, record.origin, [ArticleSource(record=record)], self.formats, self.task_out, self.settings,
                    digest=digest)

    def group_tasks(self, dataset: Path) -> Iterator[Task]:
        by = self.settings.group_by
        groups: OrderedDict[str, list[Record]] = OrderedDict()
        for record in read_records(dataset, self.mapping, self.max_record):
            if record.error:
                self._fail(record.origin, f"{record.origin}: {record.error}", record.error_class().exit_code)
                continue
            groups.setdefault(group_key(record, by), []).append(record)
        keys = sorted(groups) if by == "date" else list(groups)
        base = self.book_options()
        for key in keys:
            meta = dict(base)
            meta["title"] = f"{base['title']}: {key}" if base.get("title") else key
            if by == "author" and not base.get("authors"):
                meta["authors"] = [key]
            if by == "date" and not base.get("date") and key != "Undated":
                meta["date"] = key
            sources = [ArticleSource(record=r) for r in groups[key]]
            task = self.book_task(sources, meta, f"{dataset.name} [{by} = {key}]")
            task.lenient = True  # a broken record is reported and left out; its group's book is still made
            yield task

    def file_tasks(self, files: list[str], engine: Engine) -> Iterator[Task]:
        """Article files and web pages, each its own edition, named from their titles (found first, in parallel;
        a page the naming pass fetched is handed on, not fetched again)."""
        fetched: dict[int, Any] = {}
        if self.settings.get("title"):  # the names are known without reading the files
            titles = {i: self.settings.title for i in range(len(files))}
        else:
            probes = [Task(str(i), f, [self.source(f)], [], self.task_out, self.settings, action="title")
                      for i, f in enumerate(files)]
            titles = {}
            for result in engine.run(probes):
                if result.status == "failed":
                    self._fail(result.origin, result.reason or "failed", result.exit_status)
                else:
                    titles[int(result.stem)] = result.title
                    if result.fetched is not None:
                        fetched[int(result.stem)] = result.fetched
        for i, path in enumerate(files):
            if i not in titles:
                continue
            title = titles[i] or self.settings.get("title") or Path(path).stem
            stem = self.names.claim(slugify(self.settings.get("title") or title))
            source = ArticleSource(fetched=fetched[i]) if i in fetched else self.source(path)
            digest = task_digest(self.fingerprint, stem, [self.digest_of(source)])
            yield Task(stem, source.origin if path == "-" else path, [source], self.formats, self.task_out,
                       self.settings, digest=digest)

    def feed_tasks(self, feeds: list[str]) -> list[Task]:
        """One book of every entry the feeds hold (none when nothing is new); what was left out is reported."""
        from ..feeds.edition import plan_edition

        edition = plan_edition(feeds, self.settings, {k: v for k, v in self.feeds.items() if v is not None})
        for problem in edition.problems:
            self._fail(problem.origin, prefixed(str(problem.error), problem.origin), problem.error.exit_code)
        for note in edition.notes:
            self.note(note)
        if not edition.articles:
            self.note(f"no new entries in {edition.feeds} feed(s): no edition written")
            return []
        meta = self.book_options()
        today = dt.date.today().isoformat()
        meta.setdefault("title", edition.title or "Feeds")
        if "subtitle" in meta:  # the edition's date goes on the title page (and the cover, as subtitle)
            meta.setdefault("date", today)
        else:
            meta["subtitle"] = today
        sources = [ArticleSource(record=Record(number=n, origin=a.origin, fields=a.fields), part=a.part)
                   for n, a in enumerate(edition.articles, 1)]
        task = self.book_task(sources, meta, f"{len(feeds)} feed input(s)", stem=f"{slugify(meta['title'])}-{today}")
        task.lenient = True  # a broken entry is reported and left out; the edition is still made
        self.editions[task.stem] = edition
        return [task]

    def note(self, message: str) -> None:
        self.notes.append(message)
        log.warning("%s", message)

    def plan(self, engine: Engine) -> tuple[Iterator[Task], int | None]:
        """The tasks, lazily, and how many there will be when that is cheap to know (for the ETA)."""
        feeds = [i for i in self.inputs if i in self.feeds or is_feed_file(i)]
        if feeds:  # beside feed files, web addresses are feeds too (a page among them fails as not a feed)
            feeds = [i for i in self.inputs if i in feeds or is_url(i)]
        manifests = [i for i in self.inputs if is_manifest(i)]
        datasets = [Path(i) for i in self.inputs if is_dataset(i)]
        files = [i for i in self.inputs if not is_manifest(i) and not is_dataset(i) and i not in feeds]
        alone = len(self.inputs) == 1  # one input: its own error, with its own exit status
        for d in list(datasets):
            if not d.is_file():
                problem = InputError(f"{d}: no such file" if not d.exists() else f"{d}: not a regular file")
                if alone:
                    raise problem
                self._fail(str(d), str(problem), problem.exit_code)
                datasets.remove(d)
        loaded = []
        for m in manifests:
            try:
                loaded.append(load_manifest(m))
            except ExporterError as exc:
                if alone:
                    raise
                self._fail(m, str(exc), exc.exit_code)
        plans: list[Iterable[Task]] = [[self.manifest_task(m) for m in loaded]]
        total: int | None = len(loaded)
        if feeds:
            plans.append(self.feed_tasks(feeds))
            total += 1
        else:
            refuse_feed_options(self.given, "no input")
        if self.settings.get("book"):
            sources = [self.source(f) for f in files]
            for d in datasets:
                sources += [ArticleSource(record=r) for r in read_records(d, self.mapping, self.max_record)]
            if sources:
                meta = self.book_options()
                plans.append([self.book_task(sources, meta, f"book {meta.get('title') or 'Collected articles'!r}")])
                total += 1
        else:
            if files:
                plans.append(list(self.file_tasks(files, engine)))  # titles first, before the writing starts
                total += len(files)
            for d in datasets:
                if self.settings.get("group_by"):
                    plans.append(self.group_tasks(d))
                    total = None
                else:
                    plans.append(self.record_task(r, d) for r in read_records(d, self.mapping, self.max_record))
                    if total is not None and self.progress_wanted():
                        total += count_records(d)
                    else:
                        total = None
        return (t for plan in plans for t in plan), total

    # --- running -----------------------------------------------------------------------------------

    def progress_wanted(self) -> bool:
        wanted = self.settings.get("progress")
        if wanted is None:
            return sys.stderr.isatty() and logging.getLogger().level < logging.ERROR
        return bool(wanted)

    def fresh(self, tasks: Iterator[Task], bar: Any) -> Iterator[Task]:
        """Tasks minus those ``--resume`` finds up to date."""
        for task in tasks:
            if self.settings.get("resume") and self.state.is_current(task.stem, task.digest):
                self.outcome.skipped.append(task.origin)
                bar.update(1)
                continue
            yield task

    def run(self) -> Outcome:
        from tqdm import tqdm

        engine = make_engine(self.settings.engine, worker_count(self.settings.jobs), self.settings.scheduler)
        try:
            tasks, total = self.plan(engine)
            with tqdm(total=total, unit="article", disable=not self.progress_wanted(), file=sys.stderr,
                      dynamic_ncols=True, desc="exporting") as bar:
                for result in engine.run(self.fresh(tasks, bar)):
                    if self.on_written is not None and result.files:
                        with bar.external_write_mode():  # lines printed above the bar, not through it
                            for f in result.files:
                                self.on_written(Path(f))
                    self._take(result)
                    bar.update(1)
                    bar.set_postfix(failed=len(self.outcome.failed), refresh=False)
        finally:
            engine.close()
            self.state.close()
        if self.settings.get("report"):
            self.write_report(Path(self.settings.report))
        return self.outcome

    def _take(self, result: Result) -> None:
        for failure in result.left_out:
            self._fail(*failure)
        if result.status == "exported":
            if result.stem in self.editions:  # a feed edition: its entries are now delivered
                self.editions[result.stem].deliver(f.origin for f in result.left_out)
            self.outcome.exported += 1
            self.outcome.files += len(result.files)
            if self.on_written is None:
                self.outcome.written += [Path(f) for f in result.files]
            self.state.remember(result.stem, result.digest, result.files)
        else:
            self._fail(result.origin, result.reason or "failed", result.exit_status)

    def _fail(self, origin: str, reason: str, status: int) -> None:
        self.outcome.failed.append(Failure(origin, reason, status))
        log.info("failed: %s", reason)  # the CLI lists every failure at the end, after the progress bar

    def write_report(self, path: Path) -> None:
        """The batch as JSON: counts, every failure with its reason, what was skipped.

        The files themselves are not listed (a nightly run writes a million): they are in the output folder.
        """
        o = self.outcome
        report = {
            "exporter": __version__,
            "output": self.task_out,
            "formats": self.formats,
            "exported": o.exported,
            "skipped": len(o.skipped),
            "failed": len(o.failed),
            "failures": [{"input": f.origin, "reason": f.reason, "status": f.status} for f in o.failed],
            "skipped_inputs": o.skipped,
            "notes": self.notes,
            "files_written": o.files,
        }
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def run_batch(inputs: list[str], formats: list[str], out: Path, settings: Settings, given: dict[str, Any],
              formats_given: bool = True, on_written: Callable[[Path], None] | None = None,
              feeds: dict[str, Any] | None = None) -> Outcome:
    """Export many inputs (files, datasets, manifests, feeds) as :mod:`exporter.batch` describes.

    ``feeds``: inputs already known to be feeds (an address found to hold one), with what was fetched.
    """
    return Batch(inputs, formats, out, settings, given, formats_given, on_written, feeds).run()
