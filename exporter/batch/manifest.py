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

BOOK_KEYS = {"title", "subtitle", "authors", "author", "language", "date", "cover", "theme", "formats", "output",
             "publisher", "description", "rights", "subjects", "url", "articles", "parts"}
ARTICLE_KEYS = {"file", "path", "title", "byline", "author", "authors", "date", "url", "subtitle"}


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
    return str(path).lower().endswith(".toml")


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
    _check_keys(data, BOOK_KEYS, where)
    if not data.get("title"):
        raise UsageError(f"{where}: the book needs a title")
    folder = p.resolve().parent
    metadata: dict[str, Any] = {"title": _str(data, "title", where)}
    for key in ("subtitle", "language", "date", "publisher", "description", "rights"):
        if key in data:
            metadata[key] = _str(data, key, where)
    authors = data.get("authors", data.get("author"))
    if authors:
        metadata["authors"] = [authors] if isinstance(authors, str) else [str(a) for a in authors]
    if data.get("subjects"):
        metadata["subjects"] = [str(s) for s in data["subjects"]]
    if data.get("url"):
        metadata["source_url"] = _str(data, "url", where)

    articles: list[ArticleEntry] = []
    parts: list[str] = []
    if "parts" in data:
        if "articles" in data:
            raise UsageError(f"{where}: give either [[parts]] (each with its articles) or [[articles]], not both")
        for n, part in enumerate(_list(data, "parts", where), 1):
            if not isinstance(part, dict):
                raise UsageError(f"{where}: part {n} must be a table with a title and articles")
            _check_keys(part, {"title", "articles"}, f"{where} part {n}")
            title = str(part.get("title") or f"Part {n}")
            parts.append(title)
            for i, entry in enumerate(_list(part, "articles", f"{where} part {n}"), 1):
                articles.append(_article(entry, folder, f"{where} part {n} article {i}", title))
    else:
        for i, entry in enumerate(_list(data, "articles", where), 1):
            articles.append(_article(entry, folder, f"{where} article {i}", None))
    if not articles:
        raise UsageError(f"{where}: the book lists no articles")

    formats = data.get("formats")
    if isinstance(formats, str):
        formats = [formats]
    cover = folder / _str(data, "cover", where) if data.get("cover") else None
    if cover is not None and not cover.is_file():
        raise InputError(f"{where}: cover {cover} not found")
    theme = _str(data, "theme", where) if data.get("theme") else None
    if theme and (folder / theme).is_dir():
        theme = str(folder / theme)
    return Manifest(path=p, metadata=metadata, articles=articles, parts=parts,
                    formats=[str(f) for f in formats] if formats else None,
                    output=_str(data, "output", where) if data.get("output") else None, theme=theme, cover=cover)


def _article(entry: Any, folder: Path, where: str, part: str | None) -> ArticleEntry:
    if isinstance(entry, str):
        entry = {"file": entry}
    if not isinstance(entry, dict):
        raise UsageError(f"{where}: must be a file name or a table with file = \"…\"")
    _check_keys(entry, ARTICLE_KEYS, where)
    name = entry.get("file") or entry.get("path")
    if not name:
        raise UsageError(f"{where}: says no file")
    overrides: dict[str, Any] = {}
    for key, option in (("title", "title"), ("subtitle", "subtitle"), ("date", "date"), ("url", "source_url")):
        if entry.get(key):
            overrides[option] = str(entry[key])
    byline = entry.get("byline", entry.get("authors", entry.get("author")))
    if byline:
        overrides["authors"] = [byline] if isinstance(byline, str) else [str(a) for a in byline]
    return ArticleEntry(path=folder / str(name), overrides=overrides, part=part)


def _check_keys(table: dict, known: set[str], where: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")


def _str(table: dict, key: str, where: str) -> str:
    value = table[key]
    if isinstance(value, (dt.date, dt.datetime)):  # TOML dates are dates, not text
        return value.isoformat()
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise UsageError(f"{where}: {key} must be text")
    return str(value)


def _list(table: dict, key: str, where: str) -> list:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise UsageError(f"{where}: {key} must be a list")
    return value
