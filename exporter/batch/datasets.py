"""Datasets (JSON Lines, CSV): records streamed one at a time, fields found by name or by ``--map``.

Records are never loaded all at once: a reader yields one :class:`Record` per
line (JSONL) or row (CSV), so a dataset of any size exports in flat memory. A
record that cannot be parsed still comes out, carrying its ``error``, so the
batch can report it and carry on.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..errors import ExporterError, InputError, LimitError, UsageError
from ..read import is_url
from .streams import CHUNK, bounded_lines, csv_records

DATASET_SUFFIXES = (".jsonl", ".ndjson", ".csv")

#: Field → column names understood without ``--map``, first found wins.
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "name"),
    "subtitle": ("subtitle", "dek", "standfirst"),
    "author": ("author", "authors", "byline", "creator"),
    "date": ("date", "published", "published_at", "pubdate", "publishedTime"),
    "url": ("url", "link", "source_url", "permalink"),
    "html": ("html", "body", "content", "text", "markup", "article"),
    "section": ("section", "category", "desk"),
    "language": ("language", "lang"),
    "image_descriptions": ("image_descriptions",),
}


def is_dataset(path: str | Path) -> bool:
    """A local JSON Lines or CSV file by its name (a web address ending ``.csv`` is a page to fetch)."""
    return str(path).lower().endswith(DATASET_SUFFIXES) and not is_url(str(path))


@dataclass
class Record:
    """One article of a dataset: its mapped fields, or why it could not be read."""

    number: int  # 1-based position in the dataset
    origin: str  # "articles.jsonl:17" (line) or "articles.csv:record 17"
    fields: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    #: the record is larger than ``--max-input-mb`` (its error is a limit, not bad input)
    over_limit: bool = False

    def error_class(self) -> type[ExporterError]:
        """A limit when the record was too large to read, else bad input."""
        return LimitError if self.over_limit else InputError

    def refuse_if_unread(self) -> None:
        """Raise the error this record could not be read with (the naming pass and the export agree)."""
        if self.error:
            raise self.error_class()(f"{self.origin}: {self.error}")

    def digest(self) -> str:
        """A hash of what the record says (for --resume)."""
        data = json.dumps([self.fields, self.error], sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()


def field_mapping(pairs: list[str] | tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    """Default field names, with ``FIELD=COLUMN`` pairs from ``--map`` taking precedence."""
    mapping = {k: tuple(v) for k, v in DEFAULT_FIELDS.items()}
    for pair in pairs:
        target, _, column = pair.partition("=")
        target = target.strip().lower()
        aliases = {"headline": "title", "byline": "author", "authors": "author", "link": "url",
                   "body": "html", "content": "html", "text": "html", "lang": "language"}
        target = aliases.get(target, target)
        if target not in DEFAULT_FIELDS:
            raise UsageError(f"--map {pair}: unknown field {target!r} (known: {', '.join(DEFAULT_FIELDS)})")
        mapping[target] = (column.strip(),)
    return mapping


def map_fields(raw: Mapping[str, Any], mapping: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    """The record's known fields; columns are matched exactly, then without regard to case."""
    lowered = {str(k).lower(): k for k in raw}
    found: dict[str, Any] = {}
    for name, columns in mapping.items():
        for column in columns:
            key = column if column in raw else lowered.get(column.lower())
            if key is not None and raw[key] not in (None, "", []):
                found[name] = raw[key]
                break
    return found


def read_records(path: str | Path, mapping: Mapping[str, tuple[str, ...]],
                 max_bytes: int | None = None) -> Iterator[Record]:
    """Stream the records of a JSONL or CSV file, one at a time; one over ``max_bytes`` fails alone."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file")
    reader = _jsonl if p.suffix.lower() in (".jsonl", ".ndjson") else _csv
    number = 0
    for origin, raw, error in reader(p, max_bytes):
        number += 1
        if error is None and raw is None:
            record = Record(number=number, origin=origin, over_limit=True,
                            error=f"the record is over the input limit of {max_bytes / 1_000_000:g} MB "
                                  "(raise it with --max-input-mb)")
            yield record
            continue
        if error is None and not isinstance(raw, dict):
            error = f"a record must be an object with fields, not {type(raw).__name__}"
        record = Record(number=number, origin=origin, error=error)
        if error is None:
            record.fields = map_fields(raw, mapping)
            if "html" not in record.fields and "url" not in record.fields:  # a url alone: the page is fetched
                record.error = ("no markup field (looked for " + ", ".join(mapping["html"]) + "; use --map "
                                "html=COLUMN) and no url to fetch it from")
        yield record
    if number == 0:
        yield Record(number=0, origin=p.name, error="the dataset holds no records")


def count_records(path: str | Path) -> int:
    """How many records a dataset holds, read in a streaming pass that keeps none (for the progress bar's ETA)."""
    p = Path(path)
    if p.suffix.lower() in (".jsonl", ".ndjson"):
        with open(p, "rb") as fh:  # a limit of 0: every line is "over" and none is kept; blank lines are not
            return sum(1 for _, line in bounded_lines(fh, 0) if line is None)
    with open(p, newline="", encoding=_csv_encoding(p), errors="replace") as fh:
        return max(0, sum(1 for _ in csv_records(iter(lambda: fh.read(CHUNK), ""), 0)) - 1)  # less the header


#: What a reader yields per record: its origin, its parsed value (None: over the limit) and its error.
Raw = tuple[str, Any, "str | None"]


def _jsonl(path: Path, max_bytes: int | None) -> Iterator[Raw]:
    with open(path, "rb") as fh:
        for line_no, line in bounded_lines(fh, max_bytes):
            origin = f"{path.name}:{line_no}"
            if line is None:
                yield origin, None, None
                continue
            if not line.strip():
                continue
            try:
                yield origin, json.loads(line), None
            except json.JSONDecodeError as exc:
                yield origin, None, f"not valid JSON ({exc.msg} at character {exc.pos + 1})"
            except (ValueError, RecursionError) as exc:
                yield origin, None, f"not valid JSON ({str(exc).splitlines()[0][:120]})"


def _csv(path: Path, max_bytes: int | None) -> Iterator[Raw]:
    """Rows as dicts by the header's column names; a malformed or oversized row fails alone."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # the record's size is bounded by max_bytes instead
    with open(path, newline="", encoding=_csv_encoding(path), errors="replace") as fh:
        records = csv_records(iter(lambda: fh.read(CHUNK), ""), max_bytes)
        header: list[str] | None = None
        number = 0
        for line, text, error in records:
            if header is None:
                if error is not None or text is None:
                    yield f"{path.name}:line {line}", None, f"the header row cannot be read ({error or 'too long'})"
                    return
                header = _cells(text) or []
                continue
            number += 1
            origin = f"{path.name}:record {number}"
            if error is not None:
                yield origin, None, f"not valid CSV: {error}"
                continue
            if text is None:
                yield origin, None, None
                continue
            cells = _cells(text)
            if cells is None:
                yield origin, None, f"not valid CSV on line {line}"
            elif len(cells) > len(header):
                yield origin, None, f"{len(cells) - len(header)} cell(s) more than the header has columns"
            else:
                yield origin, dict(zip(header, cells + [None] * (len(header) - len(cells)))), None


def _cells(text: str) -> list[str] | None:
    """The cells of one CSV record (the text :func:`csv_records` gave), or None when it is not CSV."""
    try:
        return next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:
        return None


def _csv_encoding(path: Path) -> str:
    """The CSV's encoding, from its first 256 KB: UTF-8 (with or without BOM) when it decodes, else detected."""
    with open(path, "rb") as fh:
        head = fh.read(262_144)
    try:
        head.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        if len(head) == 262_144 and exc.start >= len(head) - 4:  # a character cut by the sample's end
            return "utf-8-sig"
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    return best.encoding if best is not None else "cp1252"


def record_metadata(record: Record) -> dict[str, Any]:
    """The record's fields as metadata options of :func:`exporter.normalise.normalise`."""
    f = record.fields
    meta: dict[str, Any] = {}
    if f.get("title"):
        meta["title"] = str(f["title"])
    if f.get("subtitle"):
        meta["subtitle"] = str(f["subtitle"])
    if f.get("author"):
        meta["authors"] = _names(f["author"])
    if f.get("date"):
        from ..normalise.metadata import normalise_date

        date = normalise_date(str(f["date"]).strip())
        if date is None:
            raise InputError(f"{record.origin}: date {str(f['date'])[:40]!r} is not a date (YYYY[-MM[-DD]])")
        meta["date"] = date
    if f.get("url"):
        meta["source_url"] = str(f["url"])
    if f.get("language"):
        meta["language"] = str(f["language"])
    return meta


def _names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    if text.lower().startswith("by "):
        text = text[3:]
    # "Jane Doe and John Roe", "Doe, Jane; Roe, John": several people (a comma alone may be "Surname, Name")
    return [name.strip() for name in re.split(r"\s*(?:;|&|\band\b)\s*", text) if name.strip()]


def group_key(record: Record, by: str) -> str:
    """The value a record is grouped under for ``--group-by`` (``date`` groups by day)."""
    name = {"author": "author", "date": "date", "section": "section"}[by]
    value = record.fields.get(name)
    if by == "author":
        names = _names(value) if value else []
        return names[0] if names else "Unknown author"
    if by == "date":
        return str(value)[:10] if value else "Undated"
    return str(value).strip() if value else "Unsorted"
