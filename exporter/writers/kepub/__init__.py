"""KEPUB: the EPUB edition with Kobo's conventions, for Kobo e-readers (``-f kepub`` → ``NAME.kepub.epub``).

Kobo readers give page counts, chapter progress, highlights and faster page turns only to books whose text
is cut into ``span.koboSpan`` sentence spans with ``kobo.P.S`` ids. This writer does what kepubify
(github.com/pgaskin/kepubify, ``kepub/transform.go``) does to an EPUB, measured from its source and tests:
the EPUB writer makes the book, then :mod:`.archive` rewrites its content documents (:mod:`.content`,
:mod:`.spans`) and its package document (:mod:`.package`). The EPUB edition is reused, not repeated, so
whatever improves the EPUB (accessibility, images, fonts) improves the KEPUB alike.
"""
from __future__ import annotations

from pathlib import Path

from ...document import Book
from ...options import Option, Settings
from ...resources import ResourcePolicy
from ..epub import EpubWriter


class KepubWriter(EpubWriter):
    name = "kepub"
    extension = "kepub.epub"
    description = "Kobo KEPUB: the EPUB edition with Kobo's sentence spans (as kepubify makes it)."
    #: the EPUB's options (--cover) apply as they are (the KEPUB is that edition, transformed), and kepubify's one
    #: style choice (the names of exporter.writers.kepub.content.HYPHENATION)
    options = EpubWriter.options + (
        Option("kobo_hyphenation", "KEPUB: hyphenation at line ends on a Kobo: on, off, or auto (the book sets "
               "nothing, as kepubify by default).", kind="choice", default="auto", choices=("auto", "on", "off"),
               group="kepub"),
    )

    def write(self, book: Book, path: Path, settings: Settings, resources: ResourcePolicy) -> None:
        from .archive import kepubify
        from .content import HYPHENATION

        # the EPUB beside the final file (same folder, same disk); its name matches the temporary files
        # the next export sweeps away (exporter.atomic) should a kill leave it behind
        epub_path = path.with_suffix(".epub.part")
        try:
            super().write(book, epub_path, settings, resources)
            style = HYPHENATION[settings.kobo_hyphenation]
            kepubify(epub_path, path, [style] if style else [])
        finally:
            epub_path.unlink(missing_ok=True)
