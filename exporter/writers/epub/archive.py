"""The EPUB container: ebooklib writes the zip, which is rewritten so that the same input gives the same bytes.

Between the two, a writer built on the EPUB one (the KEPUB) may transform the book's files, so that a
book is compressed once, whatever its format.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Callable, Mapping

from ebooklib import epub
from lxml import etree

from ... import dates
from ...errors import WriterError
from .document import XML_LANG


class _Writer(epub.EpubWriter):
    """ebooklib's writer, with the book's language on the package document's root (``xml:lang``): the
    metadata's words (title, summary…) are in it, and DAISY Ace calls its absence serious (epub-lang)."""

    def _write_opf_file(self, root: etree._Element) -> None:
        root.set(XML_LANG, self.book.language)
        super()._write_opf_file(root)


#: the book's files: zip path → bytes
Files = Mapping[str, bytes]


def write_archive(eb: epub.EpubBook, path: Path, modified: dt.datetime,
                  transform: Callable[[Files], Files] | None = None) -> None:
    """Write ``eb`` to ``path`` as a reproducible zip (``modified`` is ``dcterms:modified`` and every entry's time);
    ``transform`` gets the book's files as ebooklib wrote them and returns those to archive instead."""
    buffer = io.BytesIO()
    try:
        # compresslevel 0: this zip is only read back by reproducible_zip, which compresses once for good
        writer = _Writer(buffer, eb, {"epub3_pages": False, "epub3_landmark": False, "compresslevel": 0,
                                      "mtime": modified, "raise_exceptions": True})
        writer.process()
        writer.write()
    except OSError:
        raise
    except Exception as exc:  # ebooklib raises bare exceptions for bad content
        raise WriterError(f"EPUB could not be written: {exc}") from exc
    with zipfile.ZipFile(buffer) as written:
        files: Files = {name: written.read(name) for name in written.namelist()}
    reproducible_zip(transform(files) if transform else files, path, modified)


def reproducible_zip(files: Files, path: Path, when: dt.datetime) -> None:
    """Zip ``files``: ``mimetype`` first and stored, then every entry in a fixed order with a fixed
    timestamp and permissions, so two exports of the same input are byte-identical."""
    stamp = dates.zip_time(when)  # a zip entry holds 1980-2107 only
    first = ("mimetype", "META-INF/container.xml")
    order = [*first, *sorted(name for name in files if name not in first)]
    with zipfile.ZipFile(path, "w") as out:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            out.writestr(info, files[name], compresslevel=9 if name != "mimetype" else None)
