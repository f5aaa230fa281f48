"""The EPUB's files in, the KEPUB's out (kepubify's ``Convert``): the package document and every XHTML content
document of the manifest transformed, everything else as it is. The EPUB writer zips the result
(:func:`exporter.writers.epub.archive.write_archive`), once and as reproducibly as an EPUB."""
from __future__ import annotations

import posixpath
from typing import Mapping, Sequence
from urllib.parse import unquote

from lxml import etree

from .content import kobo_document
from .package import OPF_NS, kobo_package

CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def kepubify(files: Mapping[str, bytes], styles: Sequence[tuple[str, str]] = ()) -> dict[str, bytes]:
    """The KEPUB's files made from the EPUB's ``files`` (zip path → bytes; ``styles``: more ``(class, css)``
    for every content document)."""
    opf = package_path(files)
    documents = content_documents(files, opf)
    kepub = dict(files)
    kepub[opf] = kobo_package(files[opf])
    for name in documents & kepub.keys():
        kepub[name] = kobo_document(files[name], styles)
    return kepub


def package_path(files: Mapping[str, bytes]) -> str:
    """The package document's path inside the book (the container's first rootfile)."""
    container = etree.fromstring(files["META-INF/container.xml"], _PARSER)
    return container.find(f"{{{CONTAINER_NS}}}rootfiles/{{{CONTAINER_NS}}}rootfile").get("full-path")


def content_documents(files: Mapping[str, bytes], opf: str) -> set[str]:
    """Paths of the manifest's XHTML content documents (the nav among them, as kepubify does)."""
    package = etree.fromstring(files[opf], _PARSER)
    folder = posixpath.dirname(opf)
    return {posixpath.normpath(posixpath.join(folder, unquote(item.get("href"))))
            for item in package.iterfind(f"{{{OPF_NS}}}manifest/{{{OPF_NS}}}item")
            if item.get("media-type") == "application/xhtml+xml"}
