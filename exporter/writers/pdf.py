"""The PDF edition (WeasyPrint): the theme's print stylesheet, bundled fonts, a title block per article.

WeasyPrint reads nothing except through :class:`~exporter.writers._weasyprint.PolicyFetcher`:
images are read by the resource policy beforehand and handed over as ``data:``
URIs, and the only files it opens itself are the theme's fonts.
"""
from __future__ import annotations

import base64
from pathlib import Path

from lxml import etree

from .. import __version__, themes
from ..document import Book
from ..images import prepare
from ..options import Option, Settings
from ..resources import ResourcePolicy
from . import Writer
from ._weasyprint import PolicyFetcher
from .html import article_prefixes, article_section, byline


class PdfWriter(Writer):
    name = "pdf"
    extension = "pdf"
    description = "Print-ready PDF (WeasyPrint), tagged, with bookmarks and page numbers."
    options: tuple[Option, ...] = ()

    def write(self, book: Book, path: Path, settings: Settings, resources: ResourcePolicy) -> None:
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration

        theme = themes.load(settings.get("theme") or "default")
        html = build_html(book, theme, resources)
        fetcher = PolicyFetcher(resources, trusted=(themes.data_dir("fonts"), theme.folder))
        fonts = FontConfiguration()
        css = CSS(string=font_faces(theme) + theme.stylesheet("print"), url_fetcher=fetcher, font_config=fonts)
        document = HTML(string=html, url_fetcher=fetcher, base_url=None)
        document.write_pdf(target=str(path), stylesheets=[css], font_config=fonts, pdf_tags=True)


def font_faces(theme: themes.Theme) -> str:
    return "\n".join(
        f'@font-face {{ font-family: "{f.family}"; src: url("{f.path.resolve().as_uri()}"); '
        f"font-weight: {f.weight}; font-style: {f.style}; }}" for f in theme.faces) + "\n"


def build_html(book: Book, theme: themes.Theme, resources: ResourcePolicy) -> str:
    """The whole book as one HTML document for WeasyPrint (serialised as HTML, not XML)."""
    meta = book.metadata
    html = etree.Element("html", lang=meta.language, dir=meta.direction)
    head = etree.SubElement(html, "head")
    etree.SubElement(head, "meta", charset="utf-8")
    etree.SubElement(head, "title").text = meta.title
    for name, value in (("author", byline(meta)), ("description", meta.description),
                        ("keywords", ", ".join(meta.subjects)), ("generator", f"exporter {__version__}"),
                        ("dcterms.created", meta.date)):
        if value:
            etree.SubElement(head, "meta", name=name, content=value)
    body = etree.SubElement(html, "body")
    if theme.setting("print", "justify", False):
        body.set("class", "justify")
    for doc, prefix in zip(book.articles, article_prefixes(book)):
        policy = resources.for_root(doc.base)
        body.append(article_section(doc, lambda src: _data_uri(policy, src), id_prefix=prefix))
    return "<!DOCTYPE html>\n" + etree.tostring(html, encoding="unicode", method="html")


def _data_uri(policy: ResourcePolicy, src: str) -> str | None:
    resource = policy.try_fetch(src)
    if resource is None:
        return None
    image = prepare(resource, max_px=2400)
    if image is None:
        return None
    return f"data:{image.media_type};base64,{base64.b64encode(image.data).decode('ascii')}"
