"""SVG sanitising: an SVG image may enter an edition only as static, self-contained drawing.

An allowlist, not a blocklist: the SVG is parsed (no entities, no network, no DTD),
and a new document keeps only known drawing elements and presentation attributes.
Scripts, event handlers, ``foreignObject``, animation, and every reference that is
not to a fragment of the same file (``href="#id"``, ``url(#id)``) are removed.
Anything that does not parse gives None, and the writer keeps the alt text.
"""
from __future__ import annotations

import re

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

ELEMENTS = frozenset({
    "svg", "g", "defs", "symbol", "use", "title", "desc", "path", "rect", "circle", "ellipse", "line",
    "polyline", "polygon", "text", "tspan", "textPath", "linearGradient", "radialGradient", "stop",
    "clipPath", "mask", "pattern", "marker", "filter", "feGaussianBlur", "feOffset", "feBlend",
    "feColorMatrix", "feComposite", "feFlood", "feMerge", "feMergeNode", "feMorphology", "switch",
})
#: Elements replaced by their content: links (an SVG image cannot be followed anyway).
UNWRAPPED = frozenset({"a"})
#: Attributes kept besides presentation attributes (which are matched by :data:`_PRESENTATION`).
ATTRIBUTES = frozenset({
    "id", "class", "viewBox", "preserveAspectRatio", "width", "height", "x", "y", "x1", "y1", "x2", "y2",
    "cx", "cy", "r", "rx", "ry", "d", "points", "transform", "gradientUnits", "gradientTransform",
    "offset", "patternUnits", "patternContentUnits", "patternTransform", "clipPathUnits", "maskUnits",
    "maskContentUnits", "markerWidth", "markerHeight", "refX", "refY", "orient", "markerUnits", "dx", "dy",
    "rotate", "textLength", "lengthAdjust", "startOffset", "stdDeviation", "in", "in2", "result", "mode",
    "type", "values", "operator", "k1", "k2", "k3", "k4", "radius", "fx", "fy", "spreadMethod",
    "filterUnits", "primitiveUnits", "version", "role", "aria-label", "lang", "href",
    "{http://www.w3.org/XML/1998/namespace}lang", "{http://www.w3.org/XML/1998/namespace}space",
    f"{{{XLINK_NS}}}href",
})
_PRESENTATION = re.compile(
    r"^(fill|stroke|opacity|font|text-|letter-|word-|dominant-|alignment-|baseline-|clip-rule|fill-rule|"
    r"stop-|color|display|visibility|marker-(start|mid|end)|vector-effect|shape-rendering|paint-order|"
    r"flood-|lighting-|writing-mode|direction|unicode-bidi|overflow|clip-path|mask|filter|style)")
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE)
_CSS_DANGER = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding", re.IGNORECASE)


def sanitise(data: bytes) -> bytes | None:
    """A safe copy of the SVG in ``data``, or None when it is not SVG."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if etree.QName(root).localname != "svg" or etree.QName(root).namespace not in (SVG_NS, None):
        return None
    clean = _copy(root)
    if clean is None:
        return None
    _drop_dangling_references(clean)
    return etree.tostring(clean, xml_declaration=True, encoding="UTF-8")


def _drop_dangling_references(root: etree._Element) -> None:
    """References to ids that are not in the drawing (removed, or never there) go: readers and epubcheck
    treat them as broken links."""
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    for el in root.iter():
        for name, value in list(el.attrib.items()):
            targets = [m.group(2).strip()[1:] for m in _URL.finditer(value)]
            if name.split("}")[-1] == "href":
                targets.append(value.strip()[1:])
            if any(t not in ids for t in targets):
                del el.attrib[name]


def _copy(el: etree._Element) -> etree._Element | None:
    """A clean copy of ``el`` and its allowed descendants (depth is bounded by the parser's own limit)."""
    if not isinstance(el.tag, str):
        return None
    qname = etree.QName(el)
    if qname.namespace not in (SVG_NS, None) or qname.localname not in ELEMENTS:
        return None
    out = etree.Element(f"{{{SVG_NS}}}{qname.localname}", nsmap={None: SVG_NS, "xlink": XLINK_NS}
                        if qname.localname == "svg" else None)
    for name, value in el.attrib.items():
        kept = _attribute(name, value)
        if kept is not None:
            out.set(name, kept)
    out.text = el.text
    _copy_children(el, out)
    return out


def _copy_children(el: etree._Element, out: etree._Element) -> None:
    for child in el:
        if isinstance(child.tag, str) and etree.QName(child).localname in UNWRAPPED \
                and etree.QName(child).namespace in (SVG_NS, None):
            if child.text:
                _append_text(out, child.text)
            _copy_children(child, out)  # a link's drawing stays; the link goes
        else:
            copied = _copy(child)
            if copied is not None:
                copied.tail = None
                out.append(copied)
        if child.tail:
            _append_text(out, child.tail)


def _attribute(name: str, value: str) -> str | None:
    local = name.split("}")[-1]
    if local.lower().startswith("on"):
        return None
    if name not in ATTRIBUTES and not _PRESENTATION.match(local):
        return None
    if local == "href":
        return value if value.strip().startswith("#") else None
    if _CSS_DANGER.search(value):
        return None
    for match in _URL.finditer(value):
        if not match.group(2).strip().startswith("#"):
            return None
    return value


def _append_text(el: etree._Element, text: str) -> None:
    if len(el):
        el[-1].tail = (el[-1].tail or "") + text
    else:
        el.text = (el.text or "") + text


def size(data: bytes) -> tuple[int, int]:
    """Width and height in CSS pixels from ``width``/``height`` or the ``viewBox`` (0, 0 when unknown)."""
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return 0, 0
    def number(v: str | None) -> float:
        match = re.match(r"\s*([0-9.]+)\s*(px)?\s*$", v or "")
        return float(match.group(1)) if match else 0.0
    width, height = number(root.get("width")), number(root.get("height"))
    if not (width and height) and root.get("viewBox"):
        parts = re.split(r"[\s,]+", root.get("viewBox").strip())
        if len(parts) == 4:
            try:
                width, height = float(parts[2]), float(parts[3])
            except ValueError:
                pass
    return int(width), int(height)
