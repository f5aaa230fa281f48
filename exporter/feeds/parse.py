"""Feeds and OPML lists as data: bytes → :class:`Feed` (title, entries) or the feeds an OPML file lists.

RSS 0.9x/1.0/2.0 and Atom are read by feedparser (BSD-2-Clause; imported here, when a feed is read):
it copes with the malformed feeds the web is full of, decodes them, resolves relative addresses against
the feed's own and sanitises entry markup. feedparser 6.0 does not read JSON Feed, so
:func:`parse_json_feed` reads it (the format is a small JSON object). OPML is parsed by lxml with
entities and network access off.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from ..dates import normalise_date, utc
from ..errors import InputError
from ..normalise.urls import joined_url, splits
from .kinds import feed_kind


@dataclass
class Entry:
    """One entry of a feed, as the edition needs it."""

    title: str | None
    link: str | None
    id: str | None
    authors: list[str] = field(default_factory=list)
    #: when it was published (else updated), in UTC without a zone; None when the feed does not say
    published: dt.datetime | None = None
    #: the entry's full content as markup (RSS content:encoded, Atom content, JSON Feed content_html/text)
    content: str | None = None
    #: its summary or description, as markup
    summary: str | None = None


@dataclass
class Feed:
    title: str
    #: where the feed was read from (a file or an address), for messages
    origin: str
    language: str | None = None
    entries: list[Entry] = field(default_factory=list)
    #: what was wrong but still readable (feedparser's "bozo" reason), for the report
    warning: str | None = None


@dataclass(frozen=True)
class Subscription:
    """A feed an OPML file lists: its title there and where to read it (an address or a path)."""

    title: str | None
    location: str


def parse_feed(data: bytes, origin: str, base_url: str | None = None, media_type: str | None = None) -> Feed:
    """The feed in ``data`` (RSS, Atom or JSON Feed); :class:`InputError` when it is not one at all."""
    kind = feed_kind(data)
    if kind == "json":
        return parse_json_feed(data, origin)
    if kind == "opml":
        raise InputError(f"{origin}: an OPML list of feeds, not a feed")
    import feedparser

    headers = {"content-location": base_url} if base_url else {}
    if media_type:
        headers["content-type"] = media_type
    parsed = feedparser.parse(data, response_headers=headers, sanitize_html=True, resolve_relative_uris=True)
    readable = parsed.feed.get("title") or any(e.get("title") or e.get("link") or e.get("summary") or e.get("content")
                                               for e in parsed.entries)
    if kind is None or (parsed.bozo and not readable):
        reason = parsed.get("bozo_exception") if parsed.bozo else None
        raise InputError(f"{origin}: not a readable RSS, Atom or JSON feed" + (f" ({_short(reason)})" if reason else ""))
    feed_authors = _names(parsed.feed)
    feed = Feed(title=_plain(parsed.feed.get("title")) or _default_title(origin), origin=origin,
                language=parsed.feed.get("language") or None,
                warning=_short(parsed.get("bozo_exception")) if parsed.bozo else None)
    for item in parsed.entries:
        content = _best_content(item.get("content") or [])
        summary = item.get("summary") or None
        if summary and item.get("summary_detail", {}).get("type") == "text/plain":
            summary = _paragraphs(summary)
        if content is not None and summary and content.strip() == summary.strip():
            summary = None
        feed.entries.append(Entry(
            title=_plain(item.get("title")), link=(item.get("link") or "").strip() or None,
            id=(item.get("id") or "").strip() or None, authors=_names(item) or feed_authors,
            published=_moment(item.get("published_parsed") or item.get("updated_parsed")),
            content=content, summary=summary))
    return feed


def parse_json_feed(data: bytes, origin: str) -> Feed:
    """A JSON Feed (https://jsonfeed.org, versions 1 and 1.1)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError(f"{origin}: not a readable JSON feed ({_short(exc)})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("items", []), list):
        raise InputError(f"{origin}: not a readable JSON feed (no list of items)")
    base = doc.get("feed_url") or doc.get("home_page_url")
    feed_authors = _json_authors(doc)
    feed = Feed(title=_plain(_text(doc.get("title"))) or _default_title(origin), origin=origin,
                language=_text(doc.get("language")) or None)
    for item in doc.get("items") or []:
        if not isinstance(item, dict):
            continue
        link = _text(item.get("url")) or _text(item.get("external_url"))
        if link and base:
            link = joined_url(str(base), link)
        if link and not splits(link):
            link = None  # an address urlsplit refuses ("http://[x/a") links to nothing; the item's text stays
        content = _text(item.get("content_html")) or None
        if content is None and _text(item.get("content_text")):
            content = _paragraphs(_text(item.get("content_text")))
        summary = _text(item.get("summary"))
        published = utc(normalise_date(_text(item.get("date_published")) or _text(item.get("date_modified")))
                        or "")
        feed.entries.append(Entry(
            title=_plain(_text(item.get("title"))), link=link or None, id=_text(item.get("id")) or None,
            authors=_json_authors(item) or feed_authors, published=published, content=content,
            summary=_paragraphs(summary) if summary else None))
    return feed


def parse_opml(data: bytes, origin: str, base: str) -> tuple[str | None, list[Subscription]]:
    """The title of an OPML file and the feeds it lists (every ``outline`` with an ``xmlUrl``, nested
    ones too, in document order), each location resolved against ``base`` (the list's own address, or
    its folder as ``file:`` URL)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             recover=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{origin}: not a readable OPML file ({_short(exc)})") from None
    if root is None or etree.QName(root).localname.lower() != "opml":
        raise InputError(f"{origin}: not an OPML file")
    title = root.findtext("head/title")
    subscriptions = []
    for outline in root.iter("outline"):
        location = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        location = joined_url(base, location) if location else None  # None: an address urlsplit refuses
        if location:
            subscriptions.append(Subscription(title=_plain(outline.get("title") or outline.get("text")),
                                              location=location))
    if not subscriptions:
        raise InputError(f"{origin}: the OPML file lists no feeds (no outline with an xmlUrl)")
    return _plain(title), subscriptions


# --- helpers -----------------------------------------------------------------------------------------
def _best_content(contents: list[dict[str, Any]]) -> str | None:
    """The richest full content an entry carries: markup over plain text, the longest of a kind."""
    best, best_rank = None, (-1, 0)
    for item in contents:
        value = item.get("value") or ""
        if not value.strip():
            continue
        kind = (item.get("type") or "text/html").lower()
        markup = kind in ("text/html", "application/xhtml+xml", "html", "xhtml")
        rank = (1 if markup else 0, len(value))
        if rank > best_rank:
            best, best_rank = (value if markup else _paragraphs(value)), rank
    return best


def _paragraphs(text: str) -> str:
    """Plain text as markup: blank lines part paragraphs."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return "".join(f"<p>{html.escape(b)}</p>" for b in blocks)


def _names(item: Any) -> list[str]:
    names = [_plain(a.get("name")) for a in item.get("authors") or [] if isinstance(a, dict)]
    names = [n for n in names if n]
    if not names and item.get("author"):
        names = [_plain(item.get("author"))]
    return [n for n in names if n]


def _json_authors(item: dict) -> list[str]:
    people = item.get("authors") if isinstance(item.get("authors"), list) else [item.get("author")]
    return [_text(p.get("name")) for p in people if isinstance(p, dict) and _text(p.get("name"))]


def _moment(value: time.struct_time | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime(*value[:6])
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _plain(value: Any) -> str | None:
    """Text for a title or a name: entities decoded, tags and runs of white space gone."""
    if not isinstance(value, str):
        return None
    text = " ".join(html.unescape(re.sub(r"<[^>]*>", " ", value)).split())
    return text or None


def _default_title(origin: str) -> str:
    return origin.rstrip("/").rsplit("/", 1)[-1] or origin


def _short(value: object, limit: int = 160) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
