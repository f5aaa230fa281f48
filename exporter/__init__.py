"""exporter: turn article markup into editions people read (EPUB, print-ready PDF, plain text).

The pipeline is read → normalise → clean tree → write:

>>> import exporter
>>> doc = exporter.normalise("<p>Hello <i>world</i></p>", title="Greeting")
>>> doc.metadata.title, doc.to_xml(pretty=False)
('Greeting', '<article lang="en" dir="ltr"><p>Hello <em>world</em></p></article>')
>>> exporter.export(["article.html"], formats="epub,txt", out="dist", title="An article")  # doctest: +SKIP
[PosixPath('dist/an-article.epub'), PosixPath('dist/an-article.txt')]
"""
from __future__ import annotations

from .document import Book, Document, Metadata, Report  # noqa: E402
from .errors import ExporterError  # noqa: E402
from .normalise import normalise  # noqa: E402
from .pipeline import export  # noqa: E402
from .version import __version__  # noqa: E402

__all__ = ["normalise", "export", "Document", "Metadata", "Book", "Report", "ExporterError", "__version__"]
