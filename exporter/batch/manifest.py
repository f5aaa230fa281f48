"""``book.toml``: a book described in a file — its metadata, formats, output name and ordered articles.

Example::

    title = "The week in Westminster"
    subtitle = "A digest"
    authors = ["The Desk"]
    language = "en"
    date = "2024-07-12"
    cover = "cover.jpg"
    theme = "default"
    formats = ["epub", "pdf", "txt"]
    output = "week-28"
    image_descriptions = "descriptions.json"   # as --image-descriptions, for every article

    [[parts]]
    title = "Politics"
    [[parts.articles]]
    file = "mp.html"
    title = "An independent MP"     # per-article overrides: title, byline, date, url
    byline = "Jane Doe"

or, without parts, ``[[articles]]`` tables (or plain file names) in reading order.
Relative paths are read from the manifest's folder.
"""
from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from ..options import image_descriptions
from ..read import is_url

#: The kinds of value a key may hold, as a message names them.
TEXT, DATE, NAMES, LIST = "text (in quotes)", "a date or text", "text or a list of text", "a list"

#: The declared shape of ``book.toml``: every key it may hold and the kind of its value.
BOOK_SHAPE: dict[str, str] = {
    "title": TEXT, "subtitle": TEXT, "authors": NAMES, "author": NAMES, "language": TEXT, "date": DATE,
    "cover": TEXT, "theme": TEXT, "formats": NAMES, "output": TEXT, "publisher": TEXT, "description": TEXT,
    "rights": TEXT, "subjects": NAMES, "url": TEXT, "articles": LIST, "parts": LIST, "image_descriptions": TEXT,
}
PART_SHAPE: dict[str, str] = {"title": TEXT, "articles": LIST}
ARTICLE_SHAPE: dict[str, str] = {
    "file": TEXT, "path": TEXT, "title": TEXT, "byline": NAMES, "author": NAMES, "authors": NAMES, "date": DATE,
    "url": TEXT, "subtitle": TEXT,
}

@dataclass
class ArticleEntry:
    """One article of the book: where it is, its overrides (as metadata options), its part."""

    path: Path
    overrides: dict[str, Any] = field(default_factory=dict)
    part: str | None = None


@dataclass
class Manifest:
    """A parsed ``book.toml``."""

    path: Path
    metadata: dict[str, Any]
    articles: list[ArticleEntry]
    parts: list[str] = field(default_factory=list)
    formats: list[str] | None = None
    output: str | None = None
    theme: str | None = None
    cover: Path | None = None


def is_manifest(path: str | Path) -> bool:
    """A local ``book.toml`` by its name (never a web address)."""
    return str(path).lower().endswith(".toml") and not is_url(str(path))


def load_manifest(path: str | Path) -> Manifest:
    """Read and check a ``book.toml``; every mistake is one clear :class:`UsageError` or :class:`InputError`."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{p}: not valid TOML ({exc})") from None
    where = p.name
    _check_shape(data, BOOK_SHAPE, where)
    if not data.get("title"):
        raise UsageError(f"{where}: the book needs a title")
    folder = p.resolve().parent
    metadata: dict[str, Any] = {"title": _str(data, "title")}
    for key in ("subtitle", "language", "date", "publisher", "description", "rights"):
        if key in data:
            metadata[key] = _str(data, key)
    authors = data.get("authors", data.get("author"))
    if authors:
        metadata["authors"] = _names(authors)
    if data.get("subjects"):
        metadata["subjects"] = _names(data["subjects"])
    if data.get("url"):
        metadata["source_url"] = _str(data, "url")

    articles: list[ArticleEntry] = []
    parts: list[str] = []
    if "parts" in data:
        if "articles" in data:
            raise UsageError(f"{where}: give either [[parts]] (each with its articles) or [[articles]], not both")
        for n, part in enumerate(_list(data, "parts", where), 1):
            if not isinstance(part, dict):
                raise UsageError(f"{where}: part {n} must be a table with a title and articles")
            _check_shape(part, PART_SHAPE, f"{where} part {n}")
            title = str(part.get("title") or f"Part {n}")
            parts.append(title)
            for i, entry in enumerate(_list(part, "articles", f"{where} part {n}"), 1):
                articles.append(_article(entry, folder, f"{where} part {n} article {i}", title))
    else:
        for i, entry in enumerate(_list(data, "articles", where), 1):
            articles.append(_article(entry, folder, f"{where} article {i}", None))
    if not articles:
        raise UsageError(f"{where}: the book lists no articles")
    if data.get("image_descriptions"):
        try:  # read once; each article's options carry it (merged over the command's --image-descriptions)
            descriptions = image_descriptions(str(folder / _str(data, "image_descriptions")))
        except ValueError as exc:
            raise UsageError(f"{where}: image_descriptions: {exc}") from None
        for article in articles:
            article.overrides["image_descriptions"] = descriptions

    formats = _names(data["formats"]) if data.get("formats") else None
    cover = folder / _str(data, "cover") if data.get("cover") else None
    if cover is not None and not cover.is_file():
        raise InputError(f"{where}: cover {cover} not found")
    theme = _str(data, "theme") if data.get("theme") else None
    if theme and (folder / theme).is_dir():
        theme = str(folder / theme)
    return Manifest(path=p, metadata=metadata, articles=articles, parts=parts,
                    formats=formats,
                    output=_str(data, "output") if data.get("output") else None, theme=theme, cover=cover)


def _article(entry: Any, folder: Path, where: str, part: str | None) -> ArticleEntry:
    if isinstance(entry, str):
        entry = {"file": entry}
    if not isinstance(entry, dict):
        raise UsageError(f"{where}: must be a file name or a table with file = \"…\"")
    _check_shape(entry, ARTICLE_SHAPE, where)
    name = entry.get("file") or entry.get("path")
    if not name:
        raise UsageError(f"{where}: says no file")
    overrides: dict[str, Any] = {}
    for key, option in (("title", "title"), ("subtitle", "subtitle"), ("date", "date"), ("url", "source_url")):
        if entry.get(key):
            overrides[option] = _str(entry, key)
    byline = entry.get("byline", entry.get("authors", entry.get("author")))
    if byline:
        overrides["authors"] = _names(byline)
    return ArticleEntry(path=folder / str(name), overrides=overrides, part=part)


def _check_shape(table: dict, shape: dict[str, str], where: str) -> None:
    """Every key known and every value of its declared kind, else one line naming the key."""
    unknown = sorted(set(table) - set(shape))
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(shape))})")
    for key, kind in shape.items():
        if key in table and not _fits(table[key], kind):
            raise UsageError(f"{where}: {key} must be {kind}, not {_kind_of(table[key])}")


def _fits(value: Any, kind: str) -> bool:
    if kind == TEXT:
        return isinstance(value, str)
    if kind == DATE:
        return isinstance(value, (str, dt.date, dt.datetime))
    if kind == NAMES:
        return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    return isinstance(value, list)


def _kind_of(value: Any) -> str:
    kinds = {bool: "a boolean", int: "a number", float: "a number", dict: "a table", list: "a list",
             dt.datetime: "a date", dt.date: "a date", dt.time: "a time"}
    if isinstance(value, list):
        return "a list of " + ", ".join(sorted({_kind_of(v) for v in value if not isinstance(v, str)} or {"text"}))
    return next((name for cls, name in kinds.items() if isinstance(value, cls)), type(value).__name__)


def _names(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _str(table: dict, key: str) -> str:
    """A key already checked against its shape, as text (a TOML date as YYYY-MM-DD)."""
    value = table[key]
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _list(table: dict, key: str, where: str) -> list:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise UsageError(f"{where}: {key} must be a list")
    return value
