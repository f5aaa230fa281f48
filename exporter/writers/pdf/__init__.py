"""The PDF edition (WeasyPrint): print-grade pages from the theme's ``print.css`` and the bundled fonts.

Writing is two steps so each can be measured and tested alone: :meth:`PdfWriter.prepare`
builds the final HTML and CSS (:mod:`.markup`, :mod:`.pages`), :func:`render` hands
them to WeasyPrint. WeasyPrint reads nothing except through
:class:`~exporter.writers._weasyprint.PolicyFetcher`: images are read by the
resource policy beforehand and passed as ``data:`` URIs, and the only files it
opens itself are the theme's fonts. Scripts Charis SIL lacks are set in the
theme's bundled Noto faces, declared only where a book has their script
(:mod:`exporter.fontfinder`); CJK in the system's, found through fontconfig.
Characters no font has fail the edition unless ``--missing-glyphs warn`` (:mod:`.glyphs`).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from ... import themes
from ...document import Book
from ...options import Option, Settings
from ...resources import ResourcePolicy
from .. import Writer
from . import glyphs
from .markup import LINK_MODES, build_document, build_html, serialise, undescribed_images
from .pages import Layout, Margins, check_length, check_size, default_size, length_mm, page_css, parse_size

log = logging.getLogger("exporter")

#: ``--pdf-variant`` values and the WeasyPrint options each means (every one is tagged).
VARIANTS: dict[str, dict] = {
    "tagged": {"pdf_tags": True},
    "pdf/ua-1": {"pdf_variant": "pdf/ua-1", "pdf_tags": True},
    "pdf/a-3b": {"pdf_variant": "pdf/a-3b", "pdf_tags": True},
}
MARKS = ("none", "crop", "cross", "both")


@dataclass
class Prepared:
    """The final input of WeasyPrint for one edition: HTML, CSS and render options."""

    html: str
    css: str
    options: dict = field(default_factory=dict)
    trusted: tuple[Path, ...] = ()
    #: images shown without a text alternative: a PDF/UA variant with any is not declared PDF/UA
    undescribed: int = 0

    @property
    def asks_ua(self) -> bool:
        """A PDF/UA variant was asked for (WeasyPrint declares it in the XMP metadata)."""
        return str(self.options.get("pdf_variant", "")).startswith("pdf/ua")

    @property
    def declares_ua(self) -> bool:
        """Whether the PDF says it conforms to PDF/UA: asked for, and every image has a text alternative
        (PDF/UA-1 7.3 wants one on every figure; none is invented, as the EPUB's claim is decided)."""
        return self.asks_ua and not self.undescribed


class PdfWriter(Writer):
    name = "pdf"
    extension = "pdf"
    description = "Print-ready PDF (WeasyPrint), tagged, with bookmarks, running heads and page numbers."
    separate_process = True  # WeasyPrint's import and layout: most of a second
    engine_modules = ("exporter.writers._weasyprint", "weasyprint", "pikepdf", "exporter.writers.pdf.structure",
                      "exporter.writers.pdf.finish")
    options: tuple[Option, ...] = (
        Option("page_size", "PDF: page size: A4, Letter, A5, 6x9in or any WIDTHxHEIGHT with units (mm, cm, in, pt), "
               "optionally followed by 'landscape'; auto takes Letter where your locale (else the article's "
               "language tag) uses it, else the theme's size.", default="auto", metavar="SIZE", group="pdf",
               convert=check_size),
        Option("duplex", "PDF: printed on both sides: mirrored margins, page numbers and running heads on the "
               "outer edges, collections' articles opening on a right-hand page.", kind="flag", default=False,
               group="pdf"),
        Option("links", "PDF: where a link's URL is printed: as a footnote on the page of the link, inline after "
               "it, or not at all (links stay clickable).", kind="choice", default="footnotes",
               choices=LINK_MODES, group="pdf"),
        Option("pdf_variant", "PDF: flavour: tagged (accessible structure), pdf/ua-1 (accessible, declared) "
               "or pdf/a-3b (archival).", kind="choice", default="tagged", choices=tuple(VARIANTS),
               group="pdf"),
        Option("bleed", "PDF: bleed added around each page for a printer, e.g. 3mm.", default="0", metavar="LENGTH",
               group="pdf", convert=check_length),
        Option("marks", "PDF: printer's marks drawn in the bleed: crop, cross or both.", kind="choice",
               default="none", choices=MARKS, group="pdf"),
        glyphs.OPTION,
    )

    def write(self, book: Book, path: Path, settings: Settings, resources: ResourcePolicy) -> None:
        prepared = self.prepare(book, settings, resources)
        if prepared.asks_ua and not prepared.declares_ua:
            log.warning("%s edition of %r is not declared PDF/UA: %d image(s) have no text alternative (give "
                        "descriptions with --image-descriptions FILE)", settings.pdf_variant.upper(),
                        book.metadata.title, prepared.undescribed)
        missing = render(prepared, resources, path)
        glyphs.check(book.metadata.title, missing, settings.missing_glyphs)  # boxes fail the edition by default

    def prepare(self, book: Book, settings: Settings, resources: ResourcePolicy) -> Prepared:
        """The final HTML, CSS and WeasyPrint options for ``book`` under ``settings``."""
        theme = themes.load(settings.theme)
        layout = layout_for(book, settings, theme)
        classes = [c for c, on in (("duplex", layout.duplex), ("justify", theme.setting("print", "justify", False)))
                   if on]
        document = build_document(book, resources, links=settings.links, classes=classes)
        html = serialise(document)
        css = font_faces(theme, html) + page_css(layout) + theme.stylesheet("print")
        return Prepared(html=html, css=css, options=dict(VARIANTS[settings.pdf_variant]),
                        trusted=(themes.data_dir("fonts"), theme.folder), undescribed=undescribed_images(document))


def layout_for(book: Book, settings: Settings, theme: themes.Theme) -> Layout:
    """Page geometry from the options, the reader's locale and the theme."""
    given = str(settings.page_size)
    if given.lower() == "auto":
        size = default_size(book.metadata.language, theme.setting("print", "page_size"))
    else:
        size = parse_size(given)
    margins = Margins.from_theme(theme.settings.get("print", {})).scaled_for(size)
    return Layout(size=size, margins=margins, duplex=bool(settings.duplex), bleed_mm=length_mm(str(settings.bleed)),
                  marks=settings.marks)


def font_faces(theme: themes.Theme, text: str = "") -> str:
    """``@font-face`` rules for the theme's bundled fonts that a book with ``text`` needs (read by WeasyPrint
    through the trusted folders): body and mono faces always, script faces where ``text`` has their script."""
    from ...fontfinder import css_unicode_range, faces_for

    rules = []
    for face in faces_for(theme, text):
        limited = css_unicode_range(face)
        rules.append(f'@font-face {{ font-family: "{face.family}"; src: url("{face.path.resolve().as_uri()}"); '
                     f"font-weight: {face.weight}; font-style: {face.style};"
                     + (f" unicode-range: {limited};" if limited else "") + " }")
    return "\n".join(rules) + "\n"


def lay_out(prepared: Prepared, resources: ResourcePolicy, fonts=None):  # noqa: ANN001 - a FontConfiguration
    """WeasyPrint's paginated layout of ``prepared`` (a ``weasyprint.Document``), ready to write, with the
    font files it needs written by ``fonts`` (a ``FontConfiguration``; a new one by default)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from .._weasyprint import PolicyFetcher  # WeasyPrint is imported only when a PDF is laid out

    fetcher = PolicyFetcher(resources, trusted=prepared.trusted)
    fonts = FontConfiguration() if fonts is None else fonts
    css = CSS(string=prepared.css, url_fetcher=fetcher, font_config=fonts)
    html = HTML(string=prepared.html, url_fetcher=fetcher, base_url=None)
    return html.render(font_config=fonts, stylesheets=[css], **prepared.options)  # RecursionError: see write_book


def render(prepared: Prepared, resources: ResourcePolicy, path: Path) -> list[str]:
    """Lay out ``prepared``, write the PDF to ``path``; return the characters no font had (drawn as boxes)."""
    from .._weasyprint import record_structure_boxes, remove_font_folder, render_limit, untouched_structure
    from .finish import finish
    from .structure import capture, restructure

    # after _weasyprint, which imports WeasyPrint without its warning on a machine without fonts
    from weasyprint.text.fonts import FontConfiguration  # noqa: E402, I001

    recording = prepared.options.get("pdf_tags") and record_structure_boxes()
    nodes: dict = {}

    def keep_nodes(document, pdf) -> None:  # WeasyPrint's finisher: the boxes are alive only until the PDF is written
        if not recording:
            return
        try:
            nodes.update(capture(pdf.__dict__.get("exporter_boxes", {})))
        except (ImportError, AttributeError, TypeError) as exc:  # boxes of a WeasyPrint capture does not know
            untouched_structure(f"its boxes cannot be read ({type(exc).__name__}: {exc})")
        if not nodes:
            untouched_structure("its structure builder recorded no box")

    fonts = FontConfiguration()
    try:
        with _MissingGlyphs() as missing, render_limit(getattr(resources, "render_timeout", 0.0)):
            data = lay_out(prepared, resources, fonts).write_pdf(finisher=keep_nodes, **prepared.options)
            finish(data, path, structure=(lambda pdf: restructure(pdf, nodes)) if nodes else None,
                   withdraw_ua=prepared.asks_ua and not prepared.declares_ua)
    finally:
        remove_font_folder(fonts)
    return missing.characters


class _MissingGlyphs(logging.Handler):
    """Collects the characters WeasyPrint had to draw as boxes (it logs each as a warning)."""

    PATTERN = re.compile(r"\.notdef glyph rendered .*\(U\+([0-9A-F]+)\)")

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.characters: list[str] = []
        self._logger = logging.getLogger("weasyprint")
        self._level = self._logger.level

    def emit(self, record: logging.LogRecord) -> None:
        match = self.PATTERN.search(record.getMessage())
        if match and chr(int(match.group(1), 16)) not in self.characters:
            self.characters.append(chr(int(match.group(1), 16)))

    def __enter__(self) -> "_MissingGlyphs":
        self._logger.addHandler(self)
        if self._logger.getEffectiveLevel() > logging.WARNING:  # the CLI quietens WeasyPrint
            self._logger.setLevel(logging.WARNING)
            self._logger.propagate, self._propagate = False, self._logger.propagate
        return self

    def __exit__(self, *exc: object) -> None:
        self._logger.removeHandler(self)
        if hasattr(self, "_propagate"):
            self._logger.setLevel(self._level)
            self._logger.propagate = self._propagate


__all__ = ["PdfWriter", "Prepared", "render", "lay_out", "build_html", "font_faces", "layout_for"]
