"""The user's cache folder: derived data kept between commands (a decompressed language model).

Everything stored here can be made again from what the package ships, so the cache only ever saves
time: an entry that is missing, unreadable, damaged or written by a racing process is made again,
never an error, and a cache folder that cannot be written is simply not used. Entries are named by a
hash of everything they are made from, so a changed input never meets a stale entry, and each is
written to a temporary file and renamed into place, so a reader sees a whole entry or none.

The folder is ``$XDG_CACHE_HOME/exporter`` (``~/.cache/exporter`` by default); setting
``EXPORTER_NO_CACHE=1`` turns the cache off.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

def folder(kind: str) -> Path | None:
    """``<cache>/exporter/<kind>``, created if needed; None when caching is off or impossible."""
    if os.environ.get("EXPORTER_NO_CACHE", "") not in ("", "0"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):  # the XDG spec says to ignore relative paths
        base = os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "exporter" / kind
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path if os.access(path, os.W_OK | os.X_OK) else None


def key(*parts: bytes | str) -> str:
    """A name for an entry made from ``parts`` (hex SHA-256 of them, length-prefixed so parts cannot run together)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def write_atomically(path: Path, write) -> bool:
    """Call ``write(file)`` on a temporary file beside ``path``, then rename it into place; False if that failed.

    Two processes writing the same entry both succeed: each renames a whole file, the last one wins,
    and both files hold the same bytes.
    """
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
        return True
    except OSError:
        return False
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
