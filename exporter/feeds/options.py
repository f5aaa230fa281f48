"""Options of feed editions, declared once for the CLI and the Python API."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Mapping

from ..errors import UsageError
from ..options import Option

_SPAN = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def since_cutoff(value: str, now: dt.datetime | None = None) -> dt.datetime:
    """The moment ``--since`` names, in UTC without a zone: a span back from ``now`` (``24h``, ``90m``,
    ``7d``, ``2w``) or an ISO date or date-time (``2026-11-27``, ``2026-11-27T06:00+01:00``)."""
    from ..dates import normalise_date, utc

    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    span = _SPAN.match(value)
    if span:
        return now - dt.timedelta(seconds=float(span.group(1)) * _UNITS[span.group(2).lower()])
    moment = utc(normalise_date(value.strip()) or "")
    if moment is None:
        raise ValueError(f"{value!r} is neither a span such as 24h, 7d nor a date YYYY-MM-DD[Thh:mm]")
    return moment


def _since(value: str) -> str:
    since_cutoff(value)  # checked now, worked out when the feeds are read
    return value.strip()


FEED_OPTIONS: tuple[Option, ...] = (
    Option("since", "Feeds: only entries published since then: a span back from now (24h, 7d) or a date "
           "(YYYY-MM-DD[Thh:mm]); entries without a date are kept.", metavar="SPAN|DATE", group="feeds",
           convert=_since),
    Option("max_per_feed", "Feeds: at most N entries of each feed (the newest).", kind="int", metavar="N",
           group="feeds", minimum=1, maximum=1_000_000),
    Option("state", "Feeds: remember the entries delivered in FILE, and leave them out of the next edition "
           "(a morning edition holds only what is new).", metavar="FILE", group="feeds"),
    Option("feed_order", "Feeds: entries in each feed's own order, or newest first.", kind="choice",
           choices=("feed", "newest"), default="feed", group="feeds"),
)

FEED_NAMES: frozenset[str] = frozenset(o.name for o in FEED_OPTIONS)


def refuse_feed_options(options: Mapping[str, Any], what: str) -> None:
    """Feed options (``--since``, ``--state``…) without a feed say nothing: a usage error, not silence."""
    given = sorted(o.cli_flags[0] for o in FEED_OPTIONS if options.get(o.name) is not None)
    if given:
        raise UsageError(f"{', '.join(given)}: for feeds, and {what} is not one")
