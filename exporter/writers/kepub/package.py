"""The package document for Kobo (kepubify's ``TransformOPF``): Kobo finds the cover only by the EPUB 3
``properties="cover-image"`` on its manifest item, not by the EPUB 2 ``<meta name="cover">``."""
from __future__ import annotations

from lxml import etree

OPF_NS = "http://www.idpf.org/2007/opf"


def kobo_package(data: bytes) -> bytes:
    """``data`` (the OPF) with ``cover-image`` among the properties of the item ``<meta name="cover">`` names;
    the very same bytes when it is there already."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    meta = root.find(f"{{{OPF_NS}}}metadata/{{{OPF_NS}}}meta[@name='cover']")
    cover_id = meta.get("content", "cover") if meta is not None else "cover"
    for item in root.iterfind(f"{{{OPF_NS}}}manifest/{{{OPF_NS}}}item"):
        if item.get("id") == cover_id:
            properties = (item.get("properties") or "").split()
            if "cover-image" in properties:
                return data
            item.set("properties", " ".join([*properties, "cover-image"]))
            return etree.tostring(root.getroottree(), xml_declaration=True, encoding="utf-8")
    return data
