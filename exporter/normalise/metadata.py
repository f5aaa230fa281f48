"""Metadata found in the markup: ``<title>``, ``<meta>``, Open Graph, JSON-LD, ``<html lang>``, bylines.

Only finding lives here; :func:`exporter.normalise.normalise` decides what wins
(the user's options, then the markup, then fallbacks).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Iterable, Iterator, NamedTuple

from lxml import etree

from .. import dates
from .text import clean_lang, clean_text, collapse_space
from .urls import splits

_BYLINE_PREFIX = re.compile(r"^\s*(by|von|par|por|di|door|av|af)\s+", re.IGNORECASE)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = collapse_space(clean_text(str(value))).strip()
    return text or None


#: The page's ``<meta>`` elements in document order, each with its key (name/property/itemprop, lower case)
Metas = list[tuple[str, etree._Element]]


def _metas(metas: Iterable[etree._Element]) -> Metas:
    """The page's ``<meta>`` elements with their keys, read once for all the look-ups of :func:`_meta`."""
    return [((meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower(), meta)
            for meta in metas]


#: The elements :func:`extract` reads, found in one walk of the page (:func:`_read_page`)
_PAGE_TAGS = ("script", "meta", "title", "h1", "time", "link", "base")


class _Page(NamedTuple):
    """What :func:`extract` reads of a page: its elements of :data:`_PAGE_TAGS` in document order."""

    scripts: list[etree._Element]
    metas: list[etree._Element]
    #: the first ``<title>`` below the root (``root.find(".//title")``)
    title: etree._Element | None
    #: the first ``<h1>``, the root included (``next(root.iter("h1"))``)
    h1: etree._Element | None
    times: list[etree._Element]
    links: list[etree._Element]
    #: the first ``<base>`` below the root with an ``href`` (``root.find(".//base[@href]")``)
    base: etree._Element | None


def _read_page(root: etree._Element) -> _Page:
    """The elements :func:`extract` reads, found in one walk in C: a walk for each (and ElementPath's ``find``)
    cost ~3 us each on a one-paragraph article, and read a whole page seven times."""
    found: dict[str, list[etree._Element]] = {tag: [] for tag in _PAGE_TAGS}
    for el in root.iter(_PAGE_TAGS):
        found[el.tag].append(el)
    return _Page(scripts=found["script"], metas=found["meta"],
                 title=next((el for el in found["title"] if el is not root), None),
                 h1=found["h1"][0] if found["h1"] else None, times=found["time"], links=found["link"],
                 base=next((el for el in found["base"] if el is not root and el.get("href") is not None), None))


@lru_cache(maxsize=64)
def _wanted(keys: tuple[str, ...]) -> frozenset[str]:
    """``keys`` in lower case, as a set: made once for each of the look-ups :func:`extract` makes."""
    return frozenset(k.lower() for k in keys)


def _meta(metas: Metas, *keys: str) -> str | None:
    """First non-empty ``<meta>`` content whose name/property/itemprop is one of ``keys``."""
    if not metas:
        return None  # an article or fragment: no <meta> at all
    wanted = _wanted(keys)
    for key, meta in metas:
        if key in wanted:
            value = _text(meta.get("content"))
            if value:
                return value
    return None


def _json_ld(scripts: Iterable[etree._Element]) -> Iterator[dict]:
    """Every JSON-LD object of the page's ``<script>`` elements, flattening ``@graph`` and lists."""
    for script in scripts:
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = prune_deep(json.loads(script.text), MAX_JSON_DEPTH)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.append(item["@graph"])
                yield item


#: JSON-LD is a few levels deep (an article, its author, the author's organisation): deeper values are
#: not metadata, and every walk over them (names, ``str()``) would recurse once per level.
MAX_JSON_DEPTH = 32


def prune_deep(data: Any, limit: int) -> Any:
    """``data`` (parsed JSON) with every list or object nested deeper than ``limit`` replaced by None,
    walked without recursion."""
    if not isinstance(data, (list, dict)):
        return data
    if limit <= 0:
        return None
    stack = [(data, 1)]
    while stack:
        container, depth = stack.pop()
        keys = range(len(container)) if isinstance(container, list) else list(container)
        for key in keys:
            value = container[key]
            if isinstance(value, (list, dict)):
                if depth >= limit:
                    container[key] = None
                else:
                    stack.append((value, depth + 1))
    return data


def _ld_names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [n for v in value for n in _ld_names(v)]
    if isinstance(value, dict):
        name = _text(value.get("name"))
        return [name] if name else []
    name = _text(value)
    return [name] if name and not name.startswith("http") else []


ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle", "scholarlyarticle",
                 "techarticle", "webpage", "analysisnewsarticle", "opinionnewsarticle", "report"}


def normalise_date(value: str | None) -> str | None:
    """An ISO 8601 date or date-time naming a real moment (see :mod:`exporter.dates`), or None."""
    return dates.normalise_date(_text(value))


def extract(root: etree._Element) -> dict[str, Any]:
    """Metadata the markup states, as a dict of :class:`~exporter.document.Metadata` fields."""
    found: dict[str, Any] = {}
    page = _read_page(root)
    ld = [item for item in _json_ld(page.scripts)
          if str(item.get("@type", "")).lower() in ARTICLE_TYPES
          or any(str(t).lower() in ARTICLE_TYPES for t in item.get("@type", []) if isinstance(item.get("@type"), list))]
    first = ld[0] if ld else {}
    metas = _metas(page.metas)

    title = (_meta(metas, "og:title", "twitter:title", "dc.title", "citation_title")
             or _text(first.get("headline")) or _text(first.get("name")))
    if not title:
        title = _text(page.title.text) if page.title is not None else None
    if not title:
        title = _text("".join(page.h1.itertext())) if page.h1 is not None else None
    found["title"] = title

    authors = _ld_names(first.get("author"))
    if not authors:
        for key in ("author", "article:author", "dc.creator", "citation_author", "parsely-author", "sailthru.author"):
            value = _meta(metas, key)
            if value and not value.startswith("http"):
                authors = [a.strip() for a in re.split(r"\s*(?:;|\band\b|&)\s*", value) if a.strip()]
                break
    if not authors:
        byline = _byline(root)
        if byline:
            authors = [byline]
    found["authors"] = authors

    html = root if root.tag == "html" else root.getroottree().getroot()
    lang = (clean_lang(html.get("lang") or html.get("xml:lang"))
            or clean_lang(_meta(metas, "content-language", "dc.language", "language"))
            or clean_lang(_http_equiv(metas, "content-language"))
            or clean_lang(_text(first.get("inLanguage")))
            or clean_lang(_meta(metas, "og:locale")))
    found["language"] = lang
    body = next(html.iterchildren("body"), None)  # as html.find("body"), without ElementPath (read.child_named)
    direction = (html.get("dir") or (body.get("dir") if body is not None else None) or "").strip().lower()
    found["direction"] = direction if direction in ("ltr", "rtl") else None

    found["date"] = (normalise_date(_meta(metas, "article:published_time", "og:article:published_time",
                                          "datepublished", "date", "dc.date", "dc.date.issued", "pubdate",
                                          "publishdate", "citation_publication_date", "sailthru.date"))
                     or normalise_date(first.get("datePublished"))
                     or _first_time(page.times))
    publisher = _meta(metas, "og:site_name", "application-name", "dc.publisher", "citation_publisher")
    if not publisher:
        names = _ld_names(first.get("publisher"))
        publisher = names[0] if names else None
    found["publisher"] = publisher

    url = None
    for link in page.links:
        if "canonical" in (link.get("rel") or "").lower().split():
            url = _text(link.get("href"))
            break
    url = url or _meta(metas, "og:url", "twitter:url") or _text(first.get("url"))
    # an address urlsplit cannot read ("http://[x/") would stop every writer that splits it (review-s9 H2)
    found["source_url"] = url if url and re.match(r"https?://[^\s/]+", url) and splits(url) else None
    found["base_href"] = page.base.get("href") if page.base is not None else None  # a fetched page's base for links
    found["description"] = (_meta(metas, "description", "og:description", "twitter:description", "dc.description")
                            or _text(first.get("description")))
    keywords = _meta(metas, "keywords", "news_keywords")
    tags = [_text(m.get("content")) for _, m in metas if (m.get("property") or "") == "article:tag"]
    subjects = [k.strip() for k in (keywords or "").split(",") if k.strip()] + [t for t in tags if t]
    found["subjects"] = list(dict.fromkeys(subjects))[:20]
    return found


def _http_equiv(metas: Metas, name: str) -> str | None:
    for _, meta in metas:
        if (meta.get("http-equiv") or "").strip().lower() == name:
            return meta.get("content")
    return None


def _first_time(times: Iterable[etree._Element]) -> str | None:
    for time in times:
        value = normalise_date(time.get("datetime"))
        if value:
            return value
    return None


#: The attributes that may make their element a byline: a class that contains "byline" or "author"
#: (:func:`_names_author` then compares the class's tokens; XPath's normalize-space over every element's class cost
#: as much as the rest of the metadata), ``rel=author``, ``itemprop=author``. Found from the attributes (a third of
#: the time of a predicate asked of every element), of elements only (``//@class`` asked every text node for its
#: attributes too); three paths, neither a union ``|`` nor a parent step ``/..``: libxml2 merges those in time
#: quadratic in their size (40,000 bylines: 5 s)
_BYLINE_ATTRIBUTES = (etree.XPath("//*/@class[contains(., 'byline') or contains(., 'author')]"),
                      etree.XPath("//*/@rel[. = 'author']"), etree.XPath("//*/@itemprop[. = 'author']"))


def _byline_candidates(root: etree._Element) -> list[etree._Element]:
    """The elements that may be a byline (see :data:`_BYLINE_ATTRIBUTES`), in document order, each once."""
    found = [values for values in (path(root) for path in _BYLINE_ATTRIBUTES) if values]
    if not found:
        return []
    if len(found) == 1:  # the usual page: none, or only classes
        return list(dict.fromkeys(value.getparent() for value in found[0]))
    elements = {value.getparent() for values in found for value in values}
    return [el for el in root.getroottree().iter() if el in elements]
#: XPath's white space, which normalize-space collapses
_XML_SPACE = re.compile("[ \t\r\n]+")
_BYLINE_CLASSES = frozenset({"byline", "author", "byline__name"})


def _names_author(el: etree._Element) -> bool:
    if el.get("rel") == "author" or el.get("itemprop") == "author":
        return True
    return not _BYLINE_CLASSES.isdisjoint(_XML_SPACE.split(el.get("class", "").strip(" \t\r\n")))


def _byline(root: etree._Element) -> str | None:
    """A byline in the page: ``rel=author``, ``itemprop=author`` or a ``byline``/``author`` class."""
    for el in filter(_names_author, _byline_candidates(root)):
        text = _text("".join(el.itertext()))
        if text and 2 < len(text) <= 80:
            return _BYLINE_PREFIX.sub("", text).strip() or None
    return None
