"""``--state FILE``: the entries earlier editions delivered, so the next holds only new ones.

A small JSON file: each delivered entry's keys (its id and its canonical link, see
:func:`entry_keys`) with the day it was delivered. It is saved atomically (:mod:`exporter.atomic`)
and only after the edition was written, and only for the entries in it: an entry that failed is
tried again next time. Keys older than :data:`KEEP_DAYS` are forgotten (feeds do not carry
entries that long), so the file stays small.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Iterable

from ..atomic import atomic_path
from ..errors import InputError
from ..plan import url_key
from .parse import Entry

FORMAT = "exporter feed state 1"
KEEP_DAYS = 400


def entry_keys(entry: Entry) -> tuple[str, ...]:
    """What identifies an entry across feeds and runs: its id and its canonical link (either matching
    is the same entry); without both, a hash of its title and text."""
    keys = []
    if entry.id:
        keys.append("id:" + entry.id)
    if entry.link:
        keys.append("link:" + url_key(entry.link))
    if not keys:
        text = f"{entry.title}\n{entry.content or entry.summary or ''}"
        keys.append("text:" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:32])
    return tuple(keys)


class DeliveredState:
    """The keys of delivered entries, read from and saved to one file."""

    def __init__(self, path: Path, delivered: dict[str, str] | None = None) -> None:
        self.path = path
        self.delivered = delivered or {}

    @classmethod
    def load(cls, path: str | Path) -> "DeliveredState":
        """The state in ``path``; none yet when the file does not exist. A file that is not a state file
        is an input error (it is never overwritten: it may be something else the user keeps)."""
        p = Path(path)
        if not p.exists():
            return cls(p)
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise InputError(f"{p}: not a feed state file ({exc})") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("delivered"), dict):
            raise InputError(f"{p}: not a feed state file (expected {FORMAT!r}); delete it to start afresh")
        return cls(p, {str(k): str(v) for k, v in doc["delivered"].items()})

    def seen(self, entry: Entry) -> bool:
        return any(key in self.delivered for key in entry_keys(entry))

    def add(self, entries: Iterable[Entry], today: dt.date | None = None) -> None:
        day = (today or dt.date.today()).isoformat()
        for entry in entries:
            for key in entry_keys(entry):
                self.delivered[key] = day

    def save(self, today: dt.date | None = None) -> None:
        """Write the state atomically, forgetting keys delivered more than :data:`KEEP_DAYS` ago."""
        oldest = ((today or dt.date.today()) - dt.timedelta(days=KEEP_DAYS)).isoformat()
        kept = {k: v for k, v in sorted(self.delivered.items()) if v >= oldest}
        text = json.dumps({"format": FORMAT, "delivered": kept}, indent=1, ensure_ascii=False) + "\n"
        with atomic_path(self.path) as tmp:
            tmp.write_text(text, encoding="utf-8")
