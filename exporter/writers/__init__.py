"""Writers: a clean :class:`~exporter.document.Book` in, one edition out.

A writer is a class with a ``name`` (the format, as given to ``-f``), a file
``extension``, a one-line ``description``, the :class:`~exporter.options.Option`
list it understands, and ``write(book, path, settings, resources)``. Writers are
found through the ``exporter.writers`` entry-point group, so another package
can add a format by declaring, in its own ``pyproject.toml``::

    [project.entry-points."exporter.writers"]
    docx = "my_package.docx:DocxWriter"
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import ClassVar

from ..document import Book
from ..errors import UsageError
from ..options import Option, Settings
from ..resources import ResourcePolicy

GROUP = "exporter.writers"


class Writer(ABC):
    """Turns a book into one edition. Subclasses set the class attributes and ``write``."""

    name: ClassVar[str]
    extension: ClassVar[str]
    description: ClassVar[str] = ""
    #: options of this format (shown by ``exporter export --help``, accepted by ``exporter.export``)
    options: ClassVar[tuple[Option, ...]] = ()
    #: the edition costs most of a second of imports and layout: written beside other editions of one
    #: export, it gets a process of its own on a second core (:func:`exporter.editions.start_editions`)
    separate_process: ClassVar[bool] = False
    #: modules ``write`` imports, imported ahead in that process while the book is being made
    engine_modules: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def write(self, book: Book, path: Path, settings: Settings, resources: ResourcePolicy) -> None:
        """Write the edition of ``book`` to ``path`` (a temporary file the caller renames into place).

        ``settings`` holds every option this writer and the pipeline declare, defaults filled in
        (:func:`exporter.editions.write_book` sees to it): read them, never restate a default.
        """


@lru_cache(maxsize=1)
def registry() -> dict[str, type[Writer]]:
    """Every installed writer, by format name, read from the entry-point group."""
    found: dict[str, type[Writer]] = {}
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            cls = ep.load()
        except Exception as exc:  # a broken plug-in must not take the others down
            import warnings

            warnings.warn(f"writer {ep.name!r} ({ep.value}) could not be loaded: {exc}", stacklevel=2)
            continue
        if isinstance(cls, type) and issubclass(cls, Writer):
            found.setdefault(ep.name, cls)
    return found


def get(name: str) -> type[Writer]:
    writers = registry()
    try:
        return writers[name]
    except KeyError:
        known = ", ".join(sorted(writers)) or "none installed"
        raise UsageError(f"unknown format {name!r} (available: {known})") from None


def all_options() -> tuple[Option, ...]:
    """Options of every installed writer, each name once."""
    seen: dict[str, Option] = {}
    for cls in registry().values():
        for opt in cls.options:
            seen.setdefault(opt.name, opt)
    return tuple(seen.values())
