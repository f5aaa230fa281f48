"""The EPUB 3.3 edition (ebooklib for the package), with an EPUB 2 NCX for older readers.

Every content document (cover, title page, parts, articles, nav) is written here
as complete XHTML, so ``lang``, ``dir``, ``epub:type`` and ARIA roles are exactly
what we say; ebooklib writes the package document, the NCX and the zip, which is
then rewritten with fixed order and timestamps so that the same input gives the
same bytes. Everything the book shows is inside it: images embedded (converted,
scaled, SVG sanitised) or replaced by their alt text, fonts subset to the glyphs
used, a cover generated when none is given. See ``../shared/notes/dependencies.md``
for the ebooklib usages that break epubcheck, all avoided here.

One module a concern: :mod:`.builder` assembles the book (cover, title page, parts,
articles), :mod:`.document` writes each XHTML content document, :mod:`.metadata`
the package metadata, :mod:`.navigation` the toc, nav and NCX, :mod:`.notes` the
EPUB 3 notes, :mod:`.images` and :mod:`.fonts` what is embedded, :mod:`.archive`
the reproducible zip.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Mapping

from ... import themes
from ...document import Book
from ...options import Option, Settings
from ...resources import ResourcePolicy
from .. import Writer

log = logging.getLogger("exporter")
#: Readers (Kindle's Send to Kindle among them) refuse or choke on bigger books.
LARGE_BYTES = 50_000_000


def _cover_option(value: str) -> Path:
    path = Path(value).expanduser()
    if not path.is_file():
        raise ValueError(f"{value}: no such file")
    return path


class EpubWriter(Writer):
    name = "epub"
    extension = "epub"
    description = "EPUB 3 e-book (with EPUB 2 NCX), valid under epubcheck 5.3."
    options: tuple[Option, ...] = (
        Option("cover", "Cover image for the EPUB (JPEG, PNG, WebP…); default: one is drawn from the title, "
               "authors and site.", metavar="FILE", group="export", convert=_cover_option),
        Option("a11y_summary", "Accessibility summary for the EPUB's metadata, in the publisher's words; default: "
               "one written from the content (what the images offer without sight, and whether the book claims "
               "EPUB Accessibility 1.1 / WCAG 2.2 AA, which it does only when it earns it).", metavar="TEXT",
               group="export"),
    )

    def transform_files(self, files: Mapping[str, bytes], settings: Settings) -> Mapping[str, bytes]:
        """The book's files (zip path → bytes) as they go into the one archive: the EPUB's as ebooklib wrote
        them; a writer built on this one (the KEPUB) transforms them here."""
        return files

    def write(self, book: Book, path: Path, settings: Settings, resources: ResourcePolicy) -> None:
        # the engine (ebooklib, Pillow, HarfBuzz) is imported when an EPUB is written, not when the writer is
        # listed: `exporter --help` and text-only exports stay light (tests/test_startup.py)
        from .archive import write_archive
        from .builder import Builder

        theme = themes.load(settings.theme)
        builder = Builder(book, theme, a11y_summary=settings.get("a11y_summary"))
        builder.cover(settings.cover)
        builder.title_page()
        builder.articles(resources)
        builder.finish()
        write_archive(builder.eb, path, builder.modified, lambda files: self.transform_files(files, settings))
        size = path.stat().st_size
        if size > LARGE_BYTES:
            log.warning("%s: the EPUB is %.0f MB; some readers and Send to Kindle refuse books over 50 MB",
                        book.metadata.title, size / 1e6)
