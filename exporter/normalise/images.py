"""Images' text alternatives: what is no description goes, maths written for machines becomes readable.

The tree's contract (``exporter/tree.py``): ``alt`` absent means there is no usable
text alternative, ``alt=""`` that the image is decorative, any other ``alt`` a
description. Source pages fill ``alt`` with whatever their CMS had at hand: the
uploaded file's name (``12-IMG_3886.jpg``), its URL, a bare extension, markup, or
the caption over again. Read aloud, none of these tells a reader what the picture
shows, and a book that counted them as descriptions would claim an accessibility
it does not have; so they are removed, and counted in the report.

Maths is different: Wikipedia gives each formula image its TeX as ``alt``
(``{\\displaystyle A^{*}}``), and some pages give MathML. Both say what the image
shows, in a notation for machines: pylatexenc turns TeX into plain text
(``A^*``), and MathML's presentation elements are read out in order. What cannot
be turned into text stays as it is, and is counted as needing a description.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from lxml import etree

from ..tree import INLINES, text_of
from .state import State
from .urls import splits

_EXTENSIONS = r"jpe?g|jfif|png|gif|webp|avif|svg|bmp|tiff?|ico|heic|heif"
#: an image file's name: ``12-IMG_3886.jpg``, ``photo (2).PNG``, ``chart.svg?w=300``
_FILE_NAME = re.compile(rf"[\w.()\[\]~+%-]+(?: [\w.()\[\]~+%-]+)*\.(?:{_EXTENSIONS})(?:[?#]\S*)?", re.I)
#: a camera's or phone's name for a picture, with or without an extension
_CAMERA_NAME = re.compile(r"(?:IMG|DSC[NF]?|DCIM|PXL|MVIMG|Screenshot|Screen Shot)[ _-]?[\d_ .-]+\w*", re.I)
_EXTENSION_ONLY = re.compile(rf"\.?(?:{_EXTENSIONS})", re.I)
_URL = re.compile(r"(?:https?|ftp|file|data|blob):\S*|//\S+|www\.\S+|/\S+", re.I)
_MARKUP = re.compile(r"<\s*/?\s*[a-z][\w:-]*(?:\s[^<>]*)?/?\s*>", re.I)
#: a character reference left in the text by escaping it twice (``Mac &amp; i``)
_ENTITY = re.compile(r"&(?:[a-z]+\d*|#\d+|#x[\da-f]+);", re.I)
#: words that only say "an image is here"
_PLACEHOLDERS = frozenset({"image", "img", "photo", "picture", "pic", "graphic", "untitled", "alt", "null",
                           "undefined", "none", "placeholder", "thumbnail", "thumb", "icon", "logo", "banner"})
#: TeX as formula images carry it: a control word, or a braced group with ^ or _ inside
_TEX = re.compile(r"\\[A-Za-z]+|[\^_]\{|\{\\")
_MATHML = re.compile(r"\s*<(?:\w+:)?math[\s>]", re.I)
#: what is left of TeX that a reader should not have to read
_TEX_LEFTOVER = re.compile(r"\\[A-Za-z]+|[{}]")


def judge_alt_text(state: State) -> None:
    """Alt text that describes nothing goes (the image then has no alternative); TeX and MathML become text."""
    report = state.report
    for img in state.tree.iter("img"):
        alt = img.get("alt")
        if not alt:
            continue
        if _ENTITY.search(alt) and not _MATHML.match(alt):
            alt = " ".join(html.unescape(alt).split())
            img.set("alt", alt)
            report.note("decoded {n} alt text{s} escaped twice")
        verdict = junk_reason(alt, img)
        if verdict:
            del img.attrib["alt"]
            report.note("removed {n} alt text{s} that described nothing (" + verdict + ")")
            continue
        readable = maths_as_text(alt)
        if readable is None:
            continue
        if readable:
            img.set("alt", readable)
            report.note("turned {n} maths alt text{s} into words")
        else:  # kept as it is, for those who read TeX, but no description: writers and claims count it so
            img.set("described", "no")
            report.note("left {n} formula image{s} needing a description (TeX that could not be read)")


def junk_reason(alt: str, img: etree._Element) -> str | None:
    """Why ``alt`` is no description of ``img`` ("file name", "URL", …), or None when it may be one."""
    text = " ".join(alt.split())
    if _EXTENSION_ONLY.fullmatch(text):
        return "bare extensions"
    if _MATHML.match(text):
        return None  # maths, read by maths_as_text
    if _MARKUP.search(text):
        return "markup"
    if _FILE_NAME.fullmatch(text) or _CAMERA_NAME.fullmatch(text) or _is_source_name(text, img.get("src", "")):
        return "file names"
    if _URL.fullmatch(text):
        return "URLs"
    if text.casefold().strip(".:- ") in _PLACEHOLDERS:
        return "placeholders"
    if _repeats_caption(text, img):
        return "caption repeats"
    return None


def _is_source_name(text: str, src: str) -> bool:
    """``alt`` is the image's own file name, with or without its extension (``IMG_3886`` for ``…/IMG_3886.jpg``)."""
    if src.startswith("data:") or " " in text or not splits(src):  # the converter keeps no src urlsplit refuses
        return False
    name = unquote(urlsplit(src).path.rsplit("/", 1)[-1])
    stem = name.rsplit(".", 1)[0]
    if len(stem) < 4 and not re.search(r"[\d_-]", stem):  # "x" for x.svg, "Map" for map.png: words, not names
        return False
    return text.casefold() in (name.casefold(), stem.casefold())


#: the first word of a credit after a caption's own words
_CREDIT_WORDS = frozenset({"photo", "photograph", "photos", "credit", "copyright", "image", "picture", "source",
                           "foto", "bild", "illustration", "graphic"})


def _comparable(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold().replace("©", " copyright ")).split())


def _repeats_caption(text: str, img: etree._Element) -> bool:
    """The figure's caption says the same again (or says it and adds only a credit)."""
    figure = img.getparent()
    caption = next(figure.iterchildren("figcaption"), None) if figure is not None and figure.tag == "figure" else None
    if caption is None:
        return False
    said, alt = _comparable(text_of(caption)), _comparable(text)
    if not alt or not said.startswith(alt):
        return False
    rest = said[len(alt):].split()
    return not rest or rest[0] in _CREDIT_WORDS or len(alt) >= 0.6 * len(said)


def maths_as_text(alt: str) -> str | None:
    """Readable text for a TeX or MathML alternative; ``""`` when it is maths that could not be read;
    None when ``alt`` is not maths."""
    if _MATHML.match(alt):
        return mathml_as_text(alt)
    if not _TEX.search(alt):
        return None
    try:
        text = _latex_to_text()(alt)
    except Exception:  # pylatexenc raises its own errors, and others, on TeX it cannot parse
        return ""
    text = re.sub(r"([(\[])\s+", r"\1", re.sub(r"\s+([\^_)\],;])", r"\1", " ".join(text.split())))
    return "" if not text or _TEX_LEFTOVER.search(text) else text


#: operators TeX sets upright by name, which pylatexenc would drop (``\det A`` read as ``A``)
_NAMED_OPERATORS = ("det", "log", "ln", "lg", "exp", "sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh",
                    "tanh", "arcsin", "arccos", "arctan", "lim", "liminf", "limsup", "max", "min", "sup", "inf",
                    "gcd", "arg", "dim", "ker", "deg", "hom", "Pr")
#: accents over a formula, as combining marks over each of its characters
_ACCENTS = {"overline": "\u0305", "bar": "\u0304", "hat": "\u0302", "widehat": "\u0302", "tilde": "\u0303",
            "widetilde": "\u0303", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308"}


@lru_cache(maxsize=1)
def _latex_to_text():
    """pylatexenc's converter (imported on the first formula: most articles have none), taught the
    operator names and accents formulas use."""
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    def accent(mark: str):
        def repl(node, l2tobj) -> str:
            inner = l2tobj.nodelist_to_text([node.nodeargd.argnlist[-1]]).strip()
            return "".join(char + (mark if char.isalnum() else "") for char in inner)
        return repl

    context = get_default_latex_context_db()  # a new one each call: pylatexenc's own stays as it is
    context.add_context_category(
        "exporter-maths", prepend=True,
        macros=[MacroTextSpec(name, name + " ") for name in _NAMED_OPERATORS]
        + [MacroTextSpec(name, simplify_repl=accent(mark)) for name, mark in _ACCENTS.items()])
    return LatexNodes2Text(latex_context=context, math_mode="text", strict_latex_spaces=True).latex_to_text


#: how MathML's layout elements read in a line of text
_MATHML_JOIN = {"msup": "{}^{}", "msub": "{}_{}", "msubsup": "{}_{}^{}", "mfrac": "({})/({})", "msqrt": "√({})",
                "mroot": "root {1} of ({0})", "munder": "{}_{}", "mover": "{}^{}", "munderover": "{}_{}^{}"}


def mathml_as_text(markup: str) -> str:
    """MathML read out in order (``<msup><mi>A</mi><mo>*</mo></msup>`` → ``A^*``); ``""`` when it does not parse."""
    try:
        root = etree.fromstring(markup.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True,
                                                                        recover=False))
    except etree.XMLSyntaxError:
        return ""
    return " ".join(_read_mathml(root).split())


def _read_mathml(el: etree._Element) -> str:
    tag = etree.QName(el).localname if isinstance(el.tag, str) else ""
    if tag in ("annotation", "annotation-xml"):
        return ""
    if tag == "semantics":
        return _read_mathml(el[0]) if len(el) else ""
    parts = [_read_mathml(child) for child in el if isinstance(child.tag, str)]
    if tag in _MATHML_JOIN and len(parts) == _MATHML_JOIN[tag].count("{"):
        return _MATHML_JOIN[tag].format(*parts)
    if not len(el):
        return (el.text or "").strip()
    return "".join(parts) if tag == "mrow" else " ".join(p for p in parts if p)


#: An image no larger than this (CSS pixels, each side the source gives) is an icon, an emoji or a symbol.
SMALL_PX = 48
#: An image larger than this on a side the source gives is a picture, even in the middle of a sentence.
LARGE_PX = 300
#: Blocks whose text an image can stay inline in (headings and captions give way to alt text: surgery).
_RUNNING_TEXT = frozenset({"p", "li", "td", "th"})
#: Where a sentence ends: a full stop, question or exclamation mark (any script), then closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?\u2026\u3002\uff01\uff1f\u061f\u0964][\"'\u2019\u201d\u00bb)\]]*\s*$")


class InlineImages:
    """Tells which images are part of running text: small beside words, or within a sentence.

    Within a sentence means the words before the image do not end a sentence (or,
    at a sentence's start, the words after it go on in lower case or with
    punctuation): ``the conjugate transpose <img alt="A^*"/> of a matrix``. An image
    with no words around it, or between two sentences, stands alone and becomes a
    figure. Other images beside it are looked past (``Let <A/><B/> be``), and a line
    break ends the words around it.

    One instance serves one unchanged tree: it reads each block's text once, so a
    paragraph of thousands of formulas costs linear time, not quadratic.
    """

    def __init__(self) -> None:
        #: block → (its text pieces, images and breaks in reading order; each image's place; any words at all)
        self._blocks: dict[etree._Element, tuple[list, dict[etree._Element, int], bool]] = {}

    def __call__(self, img: etree._Element) -> bool:
        block = img.getparent()
        while block is not None:  # (each .tag read makes a new string: read once a step)
            tag = block.tag
            if tag in _RUNNING_TEXT:
                break
            if tag not in INLINES:
                return False
            block = block.getparent()
        else:
            return False
        width, height = _size(img.get("width")), _size(img.get("height"))  # 0: not given
        if width > LARGE_PX or height > LARGE_PX:
            return False
        small = bool(width or height) and width <= SMALL_PX and height <= SMALL_PX  # each side given, that is
        pieces, places, has_words = self._read(block)
        if not has_words:  # images only: a row of pictures, not a sentence
            return small and tag != "p"
        if small:
            return True
        place = places[img]
        before = _nearest_words(pieces, place, -1).rstrip()
        after = _nearest_words(pieces, place, 1).lstrip()
        if before and not _SENTENCE_END.search(before):
            return True
        return bool(after) and (after[0].islower() or after[0] in ",.;:)]}\u2019\u201d%")

    def _read(self, block: etree._Element) -> tuple[list, dict[etree._Element, int], bool]:
        known = self._blocks.get(block)
        if known is None:
            pieces: list = []  # str for text, an element for an image, None for a line break
            places: dict[etree._Element, int] = {}
            has_words = _read_pieces(block, pieces, places)
            known = self._blocks[block] = (pieces, places, has_words)
        return known


def _read_pieces(el: etree._Element, pieces: list, places: dict[etree._Element, int]) -> bool:
    """Append to ``pieces`` the text of ``el``, then each child's content (an image as itself, its index in
    ``places``; a line break as None; an element's own pieces; a comment's nothing) and tail, in reading order;
    true when a text or tail has words (as ``any(piece.strip() for the texts)``, found as they are read: a text
    of white space only is all spaces; each tag read once, each a new string)."""
    text = el.text
    pieces.append(text or "")
    has_words = bool(text) and not text.isspace()
    for child in el:
        tag = child.tag
        if tag == "img":
            places[child] = len(pieces)
            pieces.append(child)
        elif tag == "br":
            pieces.append(None)
        elif isinstance(tag, str):
            if _read_pieces(child, pieces, places):
                has_words = True
        tail = child.tail
        if tail:
            pieces.append(tail)
            if not has_words and not tail.isspace():
                has_words = True
        else:
            pieces.append("")
    return has_words


def _nearest_words(pieces: list, place: int, step: int) -> str:
    """The nearest text with words from ``place`` on in the direction ``step`` (images looked past), or ""
    at a line break or the block's edge."""
    for index in range(place + step, len(pieces) if step > 0 else -1, step):
        piece = pieces[index]
        if piece is None:
            return ""
        if isinstance(piece, str) and piece.strip():
            return piece
    return ""


def _size(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0
