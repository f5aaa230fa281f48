"""What kind of feed some bytes are, from a look at their start (no parser, nothing heavy imported)."""
from __future__ import annotations

import re
from pathlib import Path

#: Names of local files that may be feeds (their content decides).
FEED_SUFFIXES = (".opml", ".rss", ".atom", ".xml", ".rdf", ".json", ".feed")
_PROLOGUE = re.compile(rb"^(?:\xef\xbb\xbf)?(?:\s+|<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*", re.DOTALL)
_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?(rss|feed|RDF|opml)[\s>/]")


def feed_kind(data: bytes) -> str | None:
    """``"rss"``, ``"atom"``, ``"rdf"`` (RSS 1.0), ``"opml"``, ``"json"`` (JSON Feed) or None."""
    head = data[:4096]
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "json" if re.search(rb'"version"\s*:\s*"https?://jsonfeed\.org/version/', data[:65536]) else None
    start = _PROLOGUE.match(head)
    match = _ROOT.match(head, start.end() if start else 0)
    if match is None:
        return None
    return {"rss": "rss", "feed": "atom", "RDF": "rdf", "opml": "opml"}[match.group(2).decode()]


def is_feed_file(path: str | Path) -> bool:
    """A local file whose name may be a feed's and whose start is one."""
    p = Path(path)
    if not str(path).lower().endswith(FEED_SUFFIXES) or not p.is_file():
        return False
    try:
        with open(p, "rb") as fh:
            head = fh.read(65536)
    except OSError:
        return False
    return feed_kind(head) is not None
