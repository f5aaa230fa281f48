"""SVG sanitising: an SVG image may enter an edition only as static, self-contained drawing.

An allowlist, not a blocklist: the SVG is parsed (no entities, no network, no DTD),
and a new document keeps only known drawing elements and presentation attributes.
Scripts, event handlers, ``foreignObject``, animation, and every reference that is
not to an element of the same file (``href="#id"``, ``url(#id)``) are removed.
CSS (``style`` attributes, presentation attributes, ``<style>`` elements) is parsed
with tinycss2, the parser WeasyPrint uses, and written back from its tokens: escapes
(``u\\72l(``) cannot hide a reference, and only functions on a list survive.
A drawing whose ``<use>`` and ``url(#id)`` references would expand past
:data:`MAX_EXPANDED` elements (a "billion laughs" of nested ``<use>``), or loop, is
refused. Anything refused gives None, and the writer keeps the alt text.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Iterator

import tinycss2
from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

ELEMENTS = frozenset({
    "svg", "g", "defs", "symbol", "use", "title", "desc", "path", "rect", "circle", "ellipse", "line",
    "polyline", "polygon", "text", "tspan", "textPath", "linearGradient", "radialGradient", "stop",
    "clipPath", "mask", "pattern", "marker", "filter", "feGaussianBlur", "feOffset", "feBlend",
    "feColorMatrix", "feComposite", "feFlood", "feMerge", "feMergeNode", "feMorphology", "switch", "style",
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
#: Attributes whose value is CSS (presentation attributes), and the CSS properties a drawing may set.
_PRESENTATION = re.compile(
    r"^(fill|stroke|opacity|font|text-|letter-|word-|dominant-|alignment-|baseline-|clip-rule|fill-rule|"
    r"stop-|color|display|visibility|marker|vector-effect|shape-rendering|paint-order|"
    r"flood-|lighting-|writing-mode|direction|unicode-bidi|overflow|clip-path|mask|filter|transform|"
    r"mix-blend-mode|isolation|image-rendering)")
#: CSS functions that draw nothing from outside: colours, arithmetic, transforms, filters, selectors.
#: ``url()`` is handled apart (fragments only); anything else (``image()``, ``image-set()``,
#: ``cross-fade()``, ``element()``, ``expression()``…) makes the declaration go.
FUNCTIONS = frozenset({
    "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color", "color-mix", "device-cmyk",
    "calc", "min", "max", "clamp", "var", "matrix", "translate", "translatex", "translatey", "scale", "scalex",
    "scaley", "rotate", "skew", "skewx", "skewy", "blur", "brightness", "contrast", "drop-shadow", "grayscale",
    "hue-rotate", "invert", "opacity", "saturate", "sepia", "not", "is", "where", "nth-child", "nth-last-child",
    "nth-of-type", "nth-last-of-type", "lang", "dir",
})
#: Elements a drawing may draw after ``<use>`` and ``url(#id)`` references are expanded.
MAX_EXPANDED = 100_000
#: References from these properties are drawn once per vertex of the shape.
_PER_VERTEX = frozenset({"marker", "marker-start", "marker-mid", "marker-end"})
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def sanitise(data: bytes) -> bytes | None:
    """A safe copy of the SVG in ``data``, or None when it is not SVG or would expand too far."""
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
    _clean_css(clean)
    if expanded_size(clean) > MAX_EXPANDED:
        return None
    return etree.tostring(clean, xml_declaration=True, encoding="UTF-8")


def _copy(el: etree._Element) -> etree._Element | None:
    """A clean copy of ``el`` and its allowed descendants (depth is bounded by the parser's own limit)."""
    if not isinstance(el.tag, str):
        return None
    qname = etree.QName(el)
    if qname.namespace not in (SVG_NS, None) or qname.localname not in ELEMENTS:
        return None
    out = etree.Element(f"{{{SVG_NS}}}{qname.localname}", nsmap={None: SVG_NS, "xlink": XLINK_NS}
                        if qname.localname == "svg" else None)
    if qname.localname == "style":  # CSS text only, checked by _clean_css
        out.text = "".join(el.itertext())
        return out
    for name, value in el.attrib.items():
        local = name.split("}")[-1]
        if not local.lower().startswith("on") and (name in ATTRIBUTES or _PRESENTATION.match(local)
                                                   or local == "style"):
            out.set(name, value)
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


def _append_text(el: etree._Element, text: str) -> None:
    if len(el):
        el[-1].tail = (el[-1].tail or "") + text
    else:
        el.text = (el.text or "") + text


# --- CSS: parsed, checked and written back from its tokens ---------------------------------------------

#: A CSS value as written back, the ids its ``url(#id)`` tokens name, and the property it sets ("" for a
#: presentation attribute's own value).
Declaration = tuple[str, str, tuple[str, ...]]


def _clean_css(root: etree._Element) -> None:
    """Every CSS value, ``href`` and ``<style>`` of the copy, checked against the ids the drawing has: a
    reference to anything else goes (readers and epubcheck treat it as a broken link)."""
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    for el in list(root.iter()):
        if etree.QName(el).localname == "style":
            el.text = _stylesheet(el.text or "", ids)
            if not el.text:
                el.getparent().remove(el)
            continue
        for name, value in list(el.attrib.items()):
            local = name.split("}")[-1]
            if local == "href":
                kept = value if value.strip().startswith("#") and value.strip()[1:] in ids else None
            elif local == "style":
                kept = _written(_declarations(value), ids)
            elif name not in ATTRIBUTES or local == "transform":  # a presentation attribute: CSS
                parsed = _css_value(value)
                kept = parsed[0] if parsed is not None and set(parsed[1]) <= ids else None
            else:  # not CSS, but nothing in it may look like a function call to a reader
                parsed = _css_value(value) if "(" in value else (value, ())
                kept = value if parsed is not None and set(parsed[1]) <= ids else None
            if kept:
                el.set(name, kept)
            else:
                del el.attrib[name]


@lru_cache(maxsize=4096)
def _css_value(value: str) -> tuple[str, tuple[str, ...]] | None:
    """A CSS value written back from its tokens with the ids it references, or None when it is not safe."""
    tokens = tinycss2.parse_component_value_list(value, skip_comments=True)
    targets = _check(tokens)
    return None if targets is None else (tinycss2.serialize(tokens).strip(), targets)


@lru_cache(maxsize=1024)
def _declarations(text: str) -> tuple[Declaration, ...]:
    """The safe declarations of a declaration list (a ``style`` attribute, a rule's body): a property a
    drawing may set, a value without anything from outside."""
    kept = []
    for item in tinycss2.parse_blocks_contents(text, skip_comments=True, skip_whitespace=True):
        if item.type != "declaration" or not _PRESENTATION.match(item.lower_name):
            continue
        targets = _check(item.value)
        value = tinycss2.serialize(item.value).strip()
        if targets is not None and value:
            kept.append((item.lower_name, value + (" !important" if item.important else ""), targets))
    return tuple(kept)


def _written(declarations: Iterable[Declaration], ids: set[str]) -> str:
    return "; ".join(f"{name}: {value}" for name, value, targets in declarations if set(targets) <= ids)


def _rules(text: str) -> Iterator[tuple[str, tuple[Declaration, ...]]]:
    """The rules of a style sheet whose selector is safe, with their safe declarations; every at-rule
    (``@import``, ``@font-face``, ``@media``…) goes."""
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule" and _check(rule.prelude) == ():
            yield tinycss2.serialize(rule.prelude).strip(), _declarations(tinycss2.serialize(rule.content))


def _stylesheet(text: str, ids: set[str]) -> str:
    """A ``<style>`` element's text, its safe rules written back."""
    kept = []
    for selector, declarations in _rules(text):
        body = _written(declarations, ids)
        if selector and body:
            kept.append(f"{selector} {{ {body} }}")
    return "\n".join(kept)


def _check(tokens: Iterable) -> tuple[str, ...] | None:
    """The ids ``tokens`` reference with ``url(#id)``; None when they reference anything else, call a
    function off the list, hold an at-keyword or a ``{}`` block, or do not parse."""
    targets: list[str] = []
    stack = [iter(tokens)]
    while stack:
        token = next(stack[-1], None)
        if token is None:
            stack.pop()
            continue
        kind = token.type
        if kind in ("error", "at-keyword", "{} block"):
            return None
        if kind == "url" or (kind == "function" and token.lower_name == "url"):
            target = _url_target(token)
            if target is None:
                return None
            targets.append(target)
        elif kind == "function":
            if token.lower_name not in FUNCTIONS:
                return None
            stack.append(iter(token.arguments))
        elif kind in ("() block", "[] block"):
            stack.append(iter(token.content))
    return tuple(targets)


def _url_target(token) -> str | None:
    """The id a ``url(#id)`` token points to, or None when it points anywhere else."""
    if token.type == "url":
        value = token.value
    else:
        args = [a for a in token.arguments if a.type not in ("whitespace", "comment")]
        if len(args) != 1 or args[0].type != "string":
            return None
        value = args[0].value
    value = value.strip()
    return value[1:] if value.startswith("#") and len(value) > 1 else None


# --- expansion: how much a reader draws once references are followed -----------------------------------

def expanded_size(root: etree._Element) -> int:
    """Elements drawn once every ``<use>``/``href`` and ``url(#id)`` reference of a clean drawing is expanded
    (each element's expansion counted once, memoised); past :data:`MAX_EXPANDED` the count stops growing.
    A reference loop counts as too many."""
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    refs: dict[etree._Element, list[tuple[etree._Element, int]]] = {}
    sheet: list[etree._Element] = []
    count = 0
    for el in root.iter():
        count += 1
        refs[el] = [(by_id[t], weight) for t, weight in _references(el) if t in by_id]
        if etree.QName(el).localname == "style":
            sheet += [by_id[t] for _, declarations in _rules(el.text or "")
                      for _, _, targets in declarations for t in targets if t in by_id]
    limit = MAX_EXPANDED + 1
    size: dict[etree._Element, int] = {}
    open_: set[etree._Element] = set()
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        el, done = stack.pop()
        if done:
            total = 1 + sum(size[c] for c in el) + sum(size[t] * w for t, w in refs[el])
            size[el] = min(total, limit)
            open_.discard(el)
            continue
        if el in size:
            continue
        open_.add(el)
        stack.append((el, True))
        for dep in [*el, *(t for t, _ in refs[el])]:
            if dep in open_:
                return limit  # a loop: a reader would expand it forever or refuse it
            if dep not in size:
                stack.append((dep, False))
    rules = sum(size[t] for t in sheet) * count  # a rule may apply to every element
    return min(size[root] + rules, limit)


def _references(el: etree._Element) -> Iterator[tuple[str, int]]:
    """``(id, times drawn)`` of each reference a clean element makes: ``href``, and ``url(#id)`` in its CSS
    (markers are drawn once per vertex)."""
    vertices = max(1, len(_NUMBER.findall(el.get("d") or el.get("points") or "")) // 2)
    for name, value in el.attrib.items():
        local = name.split("}")[-1]
        if local == "href":
            yield value.strip()[1:], 1
        elif local == "style":
            for prop, _, targets in _declarations(value):
                yield from ((t, vertices if prop in _PER_VERTEX else 1) for t in targets)
        elif "(" in value:
            parsed = _css_value(value)
            yield from ((t, vertices if local in _PER_VERTEX else 1) for t in (parsed[1] if parsed else ()))


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
