"""One edition of feeds: read every feed (files, addresses, OPML lists), choose the entries, plan the book.

The batch (:mod:`exporter.batch.runner`) writes the book this plans like any other: each chosen entry is
an :class:`Article` of dataset fields (title, author, date, url, and its markup:
the feed's full content; else none, so the linked page is fetched and its article extracted; with
``--offline``, the summary), grouped in one part per feed, in a lenient book task (a broken entry is
reported and left out). A feed that cannot be read is reported and skipped. After the edition is
written, :meth:`Edition.deliver` records in ``--state`` the entries it holds.

The feeds are read while the run is planned, before any article's clock runs. Each fetch is bounded by
``--fetch-timeout`` and ``--max-input-mb``, but a list may name any number of feeds: the feeds are the
edition's input, and together they have one article's time (``--max-article-seconds``) and the input
limit (:class:`_Allowance`). A feed past either is reported, not read.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from ..clock import time_limit
from ..errors import ExporterError, InputError, LimitError, ResourceDenied
from ..options import Settings
from ..read import fetch, is_url
from ..resources import Page, ResourcePolicy
from .kinds import feed_kind
from .options import since_cutoff
from .parse import Entry, Feed, parse_feed, parse_opml
from .state import DeliveredState, entry_keys

log = logging.getLogger("exporter")


@dataclass
class Problem:
    """A feed or entry left out: where, why, and the error (its class gives the exit status)."""

    origin: str
    error: ExporterError


@dataclass(frozen=True)
class Article:
    """An entry as the batch reads a dataset record: its fields (``title``, ``author``, ``date``, ``url``,
    ``language``, ``html`` or else ``summary``), where it comes from, and its part (the feed's title)."""

    origin: str
    fields: dict
    part: str


@dataclass
class Edition:
    """The planned edition: its title, the chosen entries as articles (each with its feed's title as part),
    what was left out and why, and the state to update once it is written."""

    title: str | None
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    state: DeliveredState | None = None
    feeds: int = 0
    #: entries by their record's origin (what a failed article is reported under)
    entries: dict[str, Entry] = field(default_factory=dict)

    def deliver(self, left_out: Iterable[str]) -> None:
        """Remember in ``--state`` every entry of the written edition but those left out (tried again next time)."""
        if self.state is None:
            return
        failed = set(left_out)
        self.state.add(entry for origin, entry in self.entries.items() if origin not in failed)
        self.state.save()


class _Allowance:
    """What reading one edition's feeds may take in all: one article's time (``--max-article-seconds``) and
    the input limit (``--max-input-mb``), so that a list of a thousand slow or large feeds cannot hold
    the run for hours or fill the memory. A feed is capped at the input limit itself and counted once read, so
    the feeds together stop below twice the limit (capping each at what is left would turn "this feed is too
    large" into "the edition is full" and drop the feeds after it that would fit)."""

    def __init__(self, settings: Settings) -> None:
        from ..editions import input_limit

        self.seconds: float | None = settings.get("max_article_seconds")  # None or 0: no limit
        self.deadline = time.monotonic() + self.seconds if self.seconds else float("inf")
        self.limit = input_limit(settings)
        self.held = 0
        self._late = (f"the feeds of one edition took longer than their time limit of {self.seconds:g} s, "
                      f"one article's (raise it with --max-article-seconds)") if self.seconds else ""

    def spent(self) -> LimitError | None:
        """Why no more feeds are read (None while some time and bytes are left)."""
        if time.monotonic() >= self.deadline:
            return LimitError(self._late)
        if self.limit is not None and self.held >= self.limit:
            return LimitError(self._over())
        return None

    @contextmanager
    def clock(self) -> Iterator[None]:
        """Read (and parse) a feed within the time left."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise LimitError(self._late)
        with time_limit(left if self.seconds else 0, self._late):
            yield

    def hold(self, name: str, size: int) -> None:
        """Count ``size`` bytes read for ``name``; :class:`LimitError` when they bring the feeds over the limit."""
        self.held += size
        if self.limit is not None and self.held > self.limit:
            raise LimitError(f"{name}: {self._over()}")

    def _over(self) -> str:
        return (f"the feeds of one edition are over the input limit of {self.limit / 1e6:g} MB in all "
                f"(raise it with --max-input-mb)")


def plan_edition(inputs: list[str], settings: Settings, prefetched: Mapping[str, Page] | None = None,
                 now: dt.datetime | None = None) -> Edition:
    """Read the feeds ``inputs`` name and choose their entries (see the module's description)."""
    state = DeliveredState.load(settings.state) if settings.get("state") else None
    allowance = _Allowance(settings)
    title, feeds, problems = None, [], []
    for name in inputs:
        spent = allowance.spent()
        if spent is not None:  # named feeds count against the allowance as listed ones do
            problems.append(Problem(name, LimitError(f"{name}: not read: {spent}")))
            continue
        try:
            subscriptions = []
            with allowance.clock():
                data, base, media_type = _read(name, settings, None, allowance, (prefetched or {}).get(name))
                if feed_kind(data) == "opml":
                    listed_title, subscriptions = parse_opml(data, name, base)
                    title = title or listed_title
                else:
                    feeds.append(parse_feed(data, name, base, media_type))
            root = None if is_url(name) else Path(name).resolve().parent
            for n, sub in enumerate(subscriptions):
                spent = allowance.spent()
                if spent is not None:
                    problems.append(Problem(name, LimitError(f"{name}: {len(subscriptions) - n} more feeds it "
                                                             f"lists were not read: {spent}")))
                    break
                try:
                    with allowance.clock():
                        feeds.append(_feed(sub.location, settings, root, allowance, sub.title))
                except ExporterError as exc:
                    problems.append(Problem(sub.location, exc))
        except ExporterError as exc:
            problems.append(Problem(name, exc))
    edition = Edition(title=title or (feeds[0].title if len(feeds) == 1 else None), problems=problems,
                      state=state, feeds=len(feeds))
    if not feeds and len(inputs) == 1 and problems:
        raise problems[0].error  # one input and nothing read: its own error and exit status
    for feed in feeds:
        if feed.warning:
            log.info("%s: read despite: %s", feed.origin, feed.warning)
    _choose(edition, feeds, settings, now)
    return edition


def _read(name: str, settings: Settings, root: Path | None, allowance: _Allowance,
          page: Page | None = None) -> tuple[bytes, str, str | None]:
    """The bytes of a feed or OPML list (held against the ``allowance``), the base of its relative addresses
    and its media type."""
    data, base, media_type = _bytes_of(name, settings, root, allowance.limit, page)
    allowance.hold(name, len(data))
    return data, base, media_type


def _bytes_of(name: str, settings: Settings, root: Path | None, limit: int | None,
              page: Page | None = None) -> tuple[bytes, str, str | None]:
    if is_url(name):
        page = page or fetch(name, ResourcePolicy.from_settings(None, settings), limit)
        return page.data, page.final_url, page.media_type or None
    path = Path(name[7:] if name.startswith("file://") else name)
    if root is not None:  # a feed an OPML file lists: inside the list's folder only, under the policy
        from ..resources import ResourceUnavailable

        try:
            resource = ResourcePolicy.from_settings(root, settings).fetch(name)
        except ResourceUnavailable as exc:
            raise InputError(str(exc)) from None
        return resource.data, Path(path).resolve().as_uri(), None
    if not path.is_file():
        raise InputError(f"{name}: no such file")
    if limit is not None and path.stat().st_size > limit:
        raise LimitError(f"{name}: over the input limit of {limit / 1e6:g} MB (raise it with --max-input-mb)")
    try:
        return path.read_bytes(), path.resolve().as_uri(), None
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from None


def _feed(location: str, settings: Settings, root: Path | None, allowance: _Allowance, title: str | None) -> Feed:
    """A feed an OPML list names (an address, or a file beside a local list)."""
    if not is_url(location) and root is None:
        raise ResourceDenied(f"{location}: a feed list read from the web may only name web addresses")
    data, base, media_type = _read(location, settings, root, allowance)
    if feed_kind(data) == "opml":
        raise InputError(f"{location}: an OPML list inside an OPML list is not read")
    feed = parse_feed(data, location, base, media_type)
    if title and not feed.title:
        feed.title = title
    return feed


def _choose(edition: Edition, feeds: list[Feed], settings: Settings, now: dt.datetime | None) -> None:
    """Fill ``edition.articles``: per feed, entries since ``--since``, not yet delivered, not already in the
    edition from another feed (same id or link), the newest ``--max-per-feed``, in the chosen order."""
    cutoff = since_cutoff(settings.since, now) if settings.get("since") else None
    offline = bool(settings.get("offline"))
    seen: set[str] = set()
    counts = {"old": 0, "delivered": 0, "duplicate": 0, "summary": 0}
    for feed in feeds:
        candidates = []
        for index, entry in enumerate(feed.entries):
            if cutoff is not None and entry.published is not None and entry.published < cutoff:
                counts["old"] += 1
            elif edition.state is not None and edition.state.seen(entry):
                counts["delivered"] += 1
            else:
                candidates.append((index, entry))
        newest_first = sorted(candidates, key=lambda c: c[1].published or dt.datetime.min, reverse=True)
        taken = []
        for index, entry in newest_first:
            keys = entry_keys(entry)
            if any(k in seen for k in keys):
                counts["duplicate"] += 1
                continue
            if settings.get("max_per_feed") and len(taken) >= settings.max_per_feed:
                continue
            seen.update(keys)
            taken.append((index, entry))
        if settings.get("feed_order") != "newest":
            taken.sort(key=lambda c: c[0])
        for index, entry in taken:
            article = _article(feed, index, entry, offline, edition)
            if article is not None:
                counts["summary"] += entry.content is None and "html" in article.fields
                edition.articles.append(article)
    left_out = [f"{n} {why}" for n, why in ((counts["old"], "older than --since"),
                                              (counts["delivered"], "delivered before (--state)"),
                                              (counts["duplicate"], "already in the edition from another feed"))
                if n]
    if left_out:
        edition.notes.append("entries left out: " + ", ".join(left_out))
    if counts["summary"]:
        edition.notes.append(f"{counts['summary']} entries carry only their feed's summary ("
                             + ("--offline: the linked pages were not fetched)" if offline else "no link to fetch)"))


def _article(feed: Feed, index: int, entry: Entry, offline: bool, edition: Edition) -> Article | None:
    """The entry as a record of the edition's book, or None (reported) when it has nothing to read."""
    origin = f"{feed.origin} [{entry.title or entry.link or f'entry {index + 1}'}]"
    fields: dict = {"title": entry.title or entry.link or f"{feed.title} {index + 1}"}
    if entry.authors:
        fields["author"] = list(entry.authors)
    if entry.published is not None:
        fields["date"] = entry.published.date().isoformat()
    if entry.link and is_url(entry.link):
        fields["url"] = entry.link
    if feed.language:
        fields["language"] = feed.language
    if entry.content is not None:
        fields["html"] = entry.content
    elif "url" in fields and not offline:
        if entry.summary:
            fields["summary"] = entry.summary  # the fallback when the page cannot be had
    elif entry.summary:
        fields["html"] = entry.summary
    else:
        why = "--offline, and the feed carries no text for it" if offline else "no text and no link"
        edition.problems.append(Problem(origin, InputError(f"{origin}: {why}")))
        return None
    while origin in edition.entries:
        origin += "*"
    edition.entries[origin] = entry
    return Article(origin=origin, fields=fields, part=feed.title)
