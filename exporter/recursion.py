"""Room for deep recursion only while our own work needs it, never as a side effect of importing us.

The converter and the writers (WeasyPrint's layout above all) recurse once or
more per level of nesting, and an article may nest up to ``--max-depth``
levels: deeper than Python's default limit of 1000 frames allows. Raising the
limit for the whole program would change the interpreter of every program that
embeds the library, so :func:`deep_recursion` raises it only around the work
and restores it after. The limit is one setting of the whole interpreter while
the API runs in threads (and Dask worker threads): the first thread in raises
it, the last one out restores it, so no thread lowers it under another.
"""
from __future__ import annotations

import sys
import threading
from contextlib import contextmanager
from typing import Iterator

#: Frames allowed while normalising or writing: enough for the deepest tree the parser keeps.
DEEP_LIMIT = 20_000

_lock = threading.Lock()
_users = 0
_restore: int | None = None  # the limit to put back when the last user leaves (None: it was not changed)


@contextmanager
def deep_recursion() -> Iterator[None]:
    """Run the body with a recursion limit of at least :data:`DEEP_LIMIT`, then put the program's own back."""
    global _users, _restore
    with _lock:
        if _users == 0:
            before = sys.getrecursionlimit()
            _restore = before if before < DEEP_LIMIT else None
            if _restore is not None:
                sys.setrecursionlimit(DEEP_LIMIT)
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _restore is not None:
                try:
                    sys.setrecursionlimit(_restore)
                except RecursionError:  # this thread entered deeper than the old limit: leave it raised
                    pass
                _restore = None
