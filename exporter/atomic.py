"""Atomic output: an edition appears complete or not at all.

Writers write to a temporary file in the target folder; only a finished file is
renamed over the final name (``os.replace`` is atomic on one filesystem), so a
crash, a kill or a full disk never leaves a truncated edition or destroys the
previous one. A temporary file's name carries its writer's process id and host,
so the first export into the folder can sweep the ones a killed run left behind
(``SIGKILL`` gives no chance to clean up) without touching a live writer's.
"""
from __future__ import annotations

import errno
import os
import re
import socket
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

from .errors import OutputError


def ensure_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{folder}: exists and is not a folder") from None
    except PermissionError:
        raise OutputError(f"{folder}: permission denied") from None
    except OSError as exc:
        raise OutputError(f"{folder}: cannot be created ({exc.strerror or exc})") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{folder}: output folder is not writable")


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every file system lets a folder be synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _host() -> str:
    """This host's name as it appears in temporary files' names (letters, digits and hyphens)."""
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname()) or "host"


def _owner_tag() -> str:
    """``pid@host`` of this writer, as it appears in its temporary files' names."""
    return f"{os.getpid()}@{_host()}"


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this host (on Windows, assume so: signal 0 there is Ctrl-C)."""
    if os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists and belongs to someone else
        return True
    return True


@lru_cache(maxsize=1024)
def sweep_leftovers(folder: Path) -> tuple[Path, ...]:
    """Remove the temporary files in ``folder`` whose writer on this host is gone; return them.

    Files from another host, or from a process still running, are left alone.
    Once per folder and process: a batch writing thousands of editions into one
    folder lists it once, not once per edition.
    """
    here = _host()
    pattern = re.compile(r"\..+\.(\d+)@([A-Za-z0-9-]+)\.[^/]*\.part")
    removed = []
    for candidate in folder.glob(".*.part"):
        match = pattern.fullmatch(candidate.name)
        if match and match.group(2) == here and not _alive(int(match.group(1))):
            try:
                candidate.unlink()
            except OSError:
                continue
            removed.append(candidate)
    return tuple(removed)


@contextmanager
def atomic_path(final: Path, before_rename: Callable[[], None] | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it into place if the block succeeds.

    ``before_rename`` is called right before the rename: an error it raises keeps the file out of place
    (and removes it), as a forked writer's :func:`exporter.forked.check_wanted` does once its command is gone.
    """
    final = Path(final)
    ensure_folder(final.parent)
    sweep_leftovers(final.parent.resolve())
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{final.name}.{_owner_tag()}.", suffix=".part", dir=final.parent)
    except OSError as exc:
        raise OutputError(f"{final.parent}: cannot write there ({exc.strerror or exc})") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise OutputError(f"{final}: the writer produced nothing")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        if before_rename is not None:
            before_rename()
        os.replace(tmp, final)
        _sync_folder(final.parent)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise OutputError(f"{final}: no space left on the device; nothing was written") from None
        raise OutputError(f"{final}: cannot be written ({exc.strerror or exc})") from None
    finally:
        if tmp.exists():
            tmp.unlink()
