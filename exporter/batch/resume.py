"""``--resume``: which editions are already up to date, by a hash of their input and options.

The state is a JSON Lines file in the output folder, appended to (and flushed)
as each set of editions is finished, so a run killed half-way keeps what it did
and a torn last line is simply ignored.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..version import __version__

STATE_NAME = ".exporter-state.jsonl"
#: Options that change how a batch runs, not what it writes.
RUN_ONLY = frozenset({"jobs", "report", "resume", "engine", "scheduler", "progress", "each"})


def options_fingerprint(settings: Mapping[str, Any], formats: Iterable[str]) -> str:
    """What, besides the input, decides the editions' bytes."""
    wanted = {k: v for k, v in settings.items() if k not in RUN_ONLY}
    data = json.dumps([__version__, list(formats), wanted], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def task_digest(fingerprint: str, stem: str, inputs: Iterable[str], extra: Any = None) -> str:
    h = hashlib.sha256(fingerprint.encode())
    h.update(stem.encode("utf-8"))
    for item in inputs:
        h.update(b"\0" + item.encode("utf-8"))
    if extra is not None:
        h.update(json.dumps(extra, sort_keys=True, default=str).encode("utf-8"))
    return h.hexdigest()


def file_digest(path: str | Path) -> str:
    """Hash of a file's bytes; a file that cannot be read hashes to its name (its task will fail anyway)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        h.update(str(path).encode("utf-8", "replace"))
    return h.hexdigest()


class ResumeState:
    """Finished editions of earlier runs, by output name."""

    def __init__(self, out: Path, load: bool) -> None:
        self.path = out / STATE_NAME
        self.done: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._fh = None
        lines = 0
        if load and self.path.is_file():
            with open(self.path, encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    lines += 1
                    try:
                        item = json.loads(line)
                        self.done[item["stem"]] = (item["digest"], tuple(item["files"]))
                    except (ValueError, KeyError, TypeError):
                        continue  # a torn line from a crash
        # nightly re-runs append: keep only the latest state of each edition
        if self.done and lines > 2 * len(self.done) + 100:
            self._compact()

    def _compact(self) -> None:
        from ..atomic import atomic_path

        with atomic_path(self.path) as tmp:
            with open(tmp, "w", encoding="utf-8") as fh:
                for stem, (digest, files) in self.done.items():
                    fh.write(json.dumps({"stem": stem, "digest": digest, "files": list(files)},
                                        ensure_ascii=False) + "\n")

    def is_current(self, stem: str, digest: str) -> bool:
        """True when ``stem`` was written from this very input and options, and its files are all there."""
        found = self.done.get(stem)
        return found is not None and found[0] == digest and all(Path(f).is_file() for f in found[1])

    def remember(self, stem: str, digest: str, files: list[str]) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "a", encoding="utf-8")
        self._fh.write(json.dumps({"stem": stem, "digest": digest, "files": files}, ensure_ascii=False) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
