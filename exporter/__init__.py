"""exporter: turn article markup into editions people read (EPUB, print-ready PDF, plain text).

The pipeline is read → normalise → clean tree → write:

>>> import exporter
>>> doc = exporter.normalise("<p>Hello <i>world</i></p>", title="Greeting")
>>> doc.metadata.title, doc.to_xml(pretty=False)
('Greeting', '<article lang="en" dir="ltr"><p>Hello <em>world</em></p></article>')
>>> exporter.export(["article.html"], formats="epub,txt", out="dist", title="An article")  # doctest: +SKIP
[PosixPath('dist/an-article.epub'), PosixPath('dist/an-article.txt')]

The names below are imported on first use, so ``import exporter`` (and ``exporter --version``)
costs almost nothing until the normaliser or the pipeline is actually needed.
"""
from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import TYPE_CHECKING, Any

from .version import __version__

#: public name → the module that defines it
_LAZY = {"export": ".pipeline", "Document": ".document", "Metadata": ".document",
         "Book": ".document", "Report": ".document", "ExporterError": ".errors"}

if TYPE_CHECKING:  # what type checkers and editors see
    from .document import Book, Document, Metadata, Report
    from .errors import ExporterError
    from .normalise import normalise
    from .pipeline import export


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name], __name__), name)
    globals()[name] = value  # later lookups are plain attribute reads
    return value


class _Package(types.ModuleType):
    """The package's module type: ``exporter.normalise`` stays the function even once its subpackage is imported
    (the import system records each subpackage as an attribute of its parent, which would hide the function)."""

    @property
    def normalise(self):  # type: ignore[override]
        from .normalise import normalise

        return normalise

    @normalise.setter
    def normalise(self, value: Any) -> None:  # the subpackage itself stays reachable through sys.modules
        pass


sys.modules[__name__].__class__ = _Package


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY, "normalise"])


__all__ = ["normalise", "export", "Document", "Metadata", "Book", "Report", "ExporterError", "__version__"]
