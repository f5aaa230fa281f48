"""EPUB in, KEPUB out (kepubify's ``Convert``): the package document and every XHTML content document of the
manifest transformed, everything else copied, written as reproducibly as the EPUB itself."""
from __future__ import annotations

import datetime as dt
import io
import posixpath
from urllib.parse import unquote
import zipfile
from pathlib import Path
from typing import Sequence

from lxml import etree

from ..epub.archive import reproducible_zip
from .content import kobo_document
from .package import OPF_NS, kobo_package

CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def kepubify(epub: Path, kepub: Path, styles: Sequence[tuple[str, str]] = ()) -> None:
    """Write the KEPUB of the EPUB at ``epub`` to ``kepub`` (``styles``: more ``(class, css)`` for every document)."""
    with zipfile.ZipFile(epub) as source:
        opf = package_path(source)
        documents = content_documents(source, opf)
        when = dt.datetime(*source.getinfo(opf).date_time)  # the EPUB's own fixed entry time
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as staged:  # compressed once, by reproducible_zip
            for name in source.namelist():
                data = source.read(name)
                if name == opf:
                    data = kobo_package(data)
                elif name in documents:
                    data = kobo_document(data, styles)
                staged.writestr(name, data)
    reproducible_zip(buffer.getvalue(), kepub, when)


def package_path(epub: zipfile.ZipFile) -> str:
    """The package document's path inside the zip (the container's first rootfile)."""
    container = etree.fromstring(epub.read("META-INF/container.xml"), _PARSER)
    return container.find(f"{{{CONTAINER_NS}}}rootfiles/{{{CONTAINER_NS}}}rootfile").get("full-path")


def content_documents(epub: zipfile.ZipFile, opf: str) -> set[str]:
    """Zip paths of the manifest's XHTML content documents (the nav among them, as kepubify does)."""
    package = etree.fromstring(epub.read(opf), _PARSER)
    folder = posixpath.dirname(opf)
    return {posixpath.normpath(posixpath.join(folder, unquote(item.get("href"))))
            for item in package.iterfind(f"{{{OPF_NS}}}manifest/{{{OPF_NS}}}item")
            if item.get("media-type") == "application/xhtml+xml"}
