"""KEPUB: the EPUB edition with Kobo's conventions, for Kobo e-readers (``-f kepub`` → ``NAME.kepub.epub``).

Kobo readers give page counts, chapter progress, highlights and faster page turns only to books whose text
is cut into ``span.koboSpan`` sentence spans with ``kobo.P.S`` ids. This writer does what kepubify
(github.com/pgaskin/kepubify, ``kepub/transform.go``) does to an EPUB, measured from its source and tests:
the EPUB writer makes the book, and before it is zipped :mod:`.archive` rewrites its content documents
(:mod:`.content`, :mod:`.spans`) and its package document (:mod:`.package`). The EPUB edition is reused, not
repeated, so whatever improves the EPUB (accessibility, images, fonts) improves the KEPUB alike.
"""
from __future__ import annotations

from typing import Mapping

from ...options import Option, Settings
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

    def transform_files(self, files: Mapping[str, bytes], settings: Settings) -> Mapping[str, bytes]:
        """The EPUB's files made Kobo's way, before the one archive is written."""
        from .archive import kepubify
        from .content import HYPHENATION

        style = HYPHENATION[settings.kobo_hyphenation]
        return kepubify(files, [style] if style else [])
