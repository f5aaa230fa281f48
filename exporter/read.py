"""Reading: bytes from a file, stdin, a web address or the API → decoded text → an lxml HTML tree.

The first stage of the pipeline. It knows about encodings, binary look-alikes
and lxml's parser limits, and nothing about the clean tree or any format. Web
pages are fetched through the one resource policy (:mod:`exporter.resources`).
"""
from __future__ import annotations

import codecs
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import lxml.html
from lxml import etree

from .errors import InputError, LimitError, ResourceDenied

if TYPE_CHECKING:
    from .resources import Page, ResourcePolicy

#: Magic numbers of files people pass by mistake.
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF file"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"RIFF", "a RIFF file (WebP, WAV, AVI)"),
    (b"PK\x03\x04", "a zip archive (EPUB, DOCX, ODT, …)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"\x7fELF", "a program (ELF)"),
    (b"\xd0\xcf\x11\xe0", "an MS Office file"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
)
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""",
    re.IGNORECASE,
)
_LATIN_SINGLE_BYTE = frozenset({"cp1250", "cp1252", "cp1254", "cp1257", "cp1258", "latin_1", "iso8859_2",
                                "iso8859_4", "iso8859_9", "iso8859_13", "iso8859_15", "mac_latin2", "mac_roman"})
#: Control characters lxml would turn into U+FFFD (tab, newline and carriage return are kept).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
#: XML declarations at the start (every one: lxml refuses a text that starts with one naming an encoding, and
#: parse_html hands libxml2 text or UTF-8, so a second one left would be refused on one path and read on the other)
_XML_DECLARATION = re.compile(r"^(?:\s*<\?xml[^>]*\?>)+", re.IGNORECASE)


@dataclass
class Source:
    """Decoded input and where it came from."""

    text: str
    origin: str
    base: Path | None = None
    #: file stem, the title of last resort
    stem: str | None = None
    encoding: str = "utf-8"
    #: the web address the markup was fetched from (after redirects): the base of its relative links and
    #: images and its source URL of last resort; None for files and strings
    url: str | None = None


#: Media types a fetched page may have: markup, or text the normaliser reads as a fragment.
PAGE_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})


def is_url(name: str | Path) -> bool:
    """True when an input names a web page (``http://`` or ``https://``) rather than a file."""
    return isinstance(name, str) and re.match(r"https?://", name.strip(), re.IGNORECASE) is not None


class NotAPage(InputError):
    """A fetched address that holds a feed, not a page: the pipeline makes a feed edition of it."""

    def __init__(self, message: str, page: "Page") -> None:
        super().__init__(message)
        self.page = page


def fetch(url: str, policy: "ResourcePolicy", max_bytes: int | None) -> "Page":
    """The bytes at ``url`` fetched under ``policy`` as an input (a page or a feed), capped at ``max_bytes``.

    Every failure is a one-line user error: refused (:class:`ResourceDenied`, exit 8: a private address,
    a redirect off the web, ``--offline``), too large or too slow (:class:`LimitError`, 4), not there
    (:class:`InputError`, 3).
    """
    from .resources import FetchTimedOut, ResourceUnavailable, TooLarge

    if policy.offline:
        raise ResourceDenied(f"{url}: cannot be fetched with --offline")
    try:
        return policy.fetch_page(url, max_bytes)
    except TooLarge as exc:
        raise LimitError(f"{exc} (raise it with --max-input-mb)") from None
    except FetchTimedOut as exc:
        raise LimitError(f"{exc} (raise it with --fetch-timeout)") from None
    except ResourceUnavailable as exc:
        raise InputError(str(exc)) from None


def fetch_source(url: str, policy: "ResourcePolicy", max_bytes: int | None) -> Source:
    """Fetch the web page ``url`` (see :func:`fetch`) and decode it: charset the server's, then the markup's.

    Content that is not a page is an :class:`InputError`; a feed is :class:`NotAPage`, carrying what was fetched.
    """
    from .feeds.kinds import feed_kind

    page = fetch(url, policy, max_bytes)
    if feed_kind(page.data):  # whatever the server calls it (feeds are often sent as text/html or text/xml)
        raise NotAPage(f"{url}: a feed, not a web page: export it alone, with other feeds, or list it in an "
                       f"OPML file", page)
    if page.media_type and page.media_type not in PAGE_MEDIA_TYPES:
        raise InputError(f"{url}: the server sent {page.media_type[:60]}, not a web page")
    stem = _url_stem(page.final_url)
    source = decode_source(page.data, origin=url, base=None, stem=stem, transport=page.charset)
    source.url = page.final_url
    return source


def _url_stem(url: str) -> str | None:
    """The last named segment of a URL's path, without extension (``/2026/05/my-story.html`` → ``my-story``)."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    segments = [s for s in unquote(parts.path).split("/") if s and s.lower() not in ("index.html", "index.htm")]
    if segments:
        return Path(segments[-1]).stem or segments[-1]
    return parts.hostname


def read_source(path: str | Path, max_bytes: int | None = None, stdin_base: str | Path | None = None) -> Source:
    """Read one input: a file path, or ``-`` for standard input.

    A file's local images are read from its own folder. Standard input has no
    folder: it reads local files only from ``stdin_base`` when the user names one
    (``--base``), never from the working directory (``curl … | exporter export -``
    run in a home folder must not embed ``Pictures/``).
    """
    if str(path) == "-":
        data = sys.stdin.buffer.read() if max_bytes is None else sys.stdin.buffer.read(max_bytes + 1)
        _check_size(data, max_bytes, "<stdin>")
        return decode_source(data, origin="<stdin>", base=Path(stdin_base) if stdin_base else None, stem=None)
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a folder, not an article file")
    if not p.is_file():
        raise InputError(f"{p}: not a regular file")
    try:
        size = p.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise LimitError(f"{p}: {size / 1e6:.1f} MB is over the input limit of {max_bytes / 1e6:.0f} MB "
                             f"(raise it with --max-input-mb)")
        data = p.read_bytes()
    except PermissionError:
        raise InputError(f"{p}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    return decode_source(data, origin=str(p), base=p.resolve().parent, stem=p.stem)


def _check_size(data: bytes, max_bytes: int | None, origin: str) -> None:
    if max_bytes is not None and len(data) > max_bytes:
        raise LimitError(f"{origin}: input is over the limit of {max_bytes / 1e6:.0f} MB (raise it with --max-input-mb)")


def decode_source(data: bytes | str, origin: str = "<string>", base: Path | None = None,
                  stem: str | None = None, transport: str | None = None) -> Source:
    """Decode markup given as bytes or text, refusing what is not text.

    ``transport`` is the charset the bytes came with (a server's ``Content-Type``), which wins over the
    markup's own declaration, as in browsers.
    """
    if isinstance(data, str):
        return Source(text=data, origin=origin, base=base, stem=stem, encoding="unicode")
    if not data or data.isspace():  # as ``not data.strip()``, without copying the input
        raise InputError(f"{origin}: the input is empty")
    text, encoding = decode(data, origin, transport)
    return Source(text=text, origin=origin, base=base, stem=stem, encoding=encoding)


def decode(data: bytes, origin: str = "<input>", transport: str | None = None) -> tuple[str, str]:
    """Decode bytes: a BOM first, then the transport's charset (a server's header), then the document's
    declared charset, then UTF-8, then detection."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    for magic, what in BINARY_SIGNATURES:
        if data.startswith(magic):
            raise InputError(f"{origin}: this is {what}, not article markup")
    if _looks_binary(data[:8192]):
        raise InputError(f"{origin}: this is binary data, not article markup")
    declared = (_web_encoding(transport) if transport else None) or _declared_encoding(data[:4096])
    if declared and declared.replace("_", "-") not in ("utf-8", "utf8") and not data.isascii():
        # A saved page re-encoded as UTF-8 keeps its old <meta charset>: bytes that are valid
        # multi-byte UTF-8 practically never occur in legacy encodings, so the bytes win.
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    if declared:
        try:
            return data.decode(declared, errors="replace"), declared
        except (LookupError, UnicodeError, ValueError):
            pass  # cannot happen for a WHATWG encoding; detection then decides
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Mostly UTF-8 with a few broken bytes stays UTF-8; anything else goes to detection.
    replaced = data.decode("utf-8", errors="replace")
    if replaced.count("\ufffd") <= max(1, len(replaced) // 1000) and re.search("[^\x00-\x7f]", replaced):
        return replaced, "utf-8"
    guess = _detect(data)
    if data.count(b"\x00") > len(data) // 10:
        # Text in UTF-16/32 without a BOM is full of NULs; anything else with as many is binary.
        if not guess or not guess.replace("_", "-").startswith(("utf-16", "utf-32")):
            raise InputError(f"{origin}: this is binary data, not article markup")
    if guess:
        try:
            return data.decode(guess, errors="replace"), guess
        except (LookupError, UnicodeError, ValueError):
            pass
    return data.decode("cp1252", errors="replace"), "cp1252"


#: Bytes no text encoding but UTF-16/32 uses (ESC is left out: ISO-2022 uses it).
_BINARY_BYTES = bytes([*range(0, 9), *range(0x0e, 0x1b), *range(0x1c, 0x20), 0x7f])


def _looks_binary(head: bytes) -> bool:
    """Control bytes in more than 5% of the head: binary (random bytes have ~10%, text ~0%).

    UTF-16/32 without a BOM (NULs everywhere) is left to detection.
    """
    if head.count(b"\x00") > len(head) // 10:
        return False
    controls = len(head) - len(head.translate(None, _BINARY_BYTES))  # all of them counted in one pass in C
    return controls >= 16 and controls > len(head) * 0.05


def _declared_encoding(head: bytes) -> str | None:
    """The Python codec for the charset the markup declares, or None.

    Only the WHATWG Encoding Standard's labels count (the ``webencodings``
    table, as browsers read them), never Python's codec names: ``undefined``
    raises on every byte, ``idna`` fails on long lines, ``punycode``,
    ``rot13`` or ``base64`` turn the page into something else. The
    ``replacement`` encoding (labels such as ``iso-2022-kr``, which browsers
    decode to a single U+FFFD) and UTF-16 declared in bytes that are
    ASCII-compatible are lies about the bytes: detection decides.
    """
    match = _DECLARED.search(head)
    if not match:
        return None
    return _web_encoding((match.group(1) or match.group(2)).decode("ascii", "ignore"))


def _web_encoding(label: str) -> str | None:
    """The Python codec for a WHATWG encoding label (see :func:`_declared_encoding`), or None."""
    import webencodings

    encoding = webencodings.lookup(label)
    if encoding is None or encoding.name == "replacement" or encoding.name.startswith("utf-16"):
        return None
    if encoding.name == "x-user-defined":  # the Encoding Standard reads it as windows-1252 in a declaration
        encoding = webencodings.lookup("windows-1252")
    return encoding.codec_info.name


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    results = from_bytes(data[:200_000])
    best = results.best()
    if best is None:
        return None
    # Short Latin text fits several single-byte code pages equally well; the web's default wins the tie.
    if best.encoding in _LATIN_SINGLE_BYTE and any(m.encoding == "cp1252" for m in results):
        return "cp1252"
    return best.encoding


#: Characters XML cannot carry (and so no edition can): C0 controls but tab/newline/CR, lone surrogates,
#: and the non-characters U+FFFE/U+FFFF. They are never text a reader sees, so they go before parsing.
_UNCARRIABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: A DOCTYPE with an internal subset (entity declarations, XHTML bombs): never expanded, just removed,
#: so that its ``]>`` does not leak into the text (the definition: :func:`doctype_subset` finds its first match).
_DOCTYPE_SUBSET = re.compile(r"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.IGNORECASE | re.DOTALL)
#: Nesting the HTML parser is asked to take: lxml stops with "Excessive depth" at 2048 (huge_tree) and
#: drops everything after; past this depth the markup is pre-flattened (tags go, text stays).
PARSER_DEPTH = 512
#: The parser may keep fewer visible characters than a rough count of the source (entities, stray
#: ``<``); below this share, with this many characters missing, text was lost and we say so.
_KEPT_RATIO = 0.9
_KEPT_SLACK = 500


#: Most attributes one element may carry. libxml2's HTML parser checks each attribute against every
#: earlier one of its element, so its time grows with the square of the count and cannot be interrupted
#: (100,000 attributes took two minutes; one 14 MB element, hours). Real elements carry a few dozen.
MAX_ATTRIBUTES = 256
#: A start tag as an HTML 5 tokeniser reads it: a quote opens a value only after ``=``; names may hold
#: quotes and ``<``; attributes are separated by white space or ``/`` (or nothing, after a quoted value).
#: (White space is the characters ``\s`` stands for in a text pattern, those of ``str.isspace``, listed: a class of
#: them is read from a table, where ``\s`` costs a call a character, and every tag is read ~15% faster.)
_SPACE = "\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ATTRIBUTE = (rf"""[^{_SPACE}/>][^{_SPACE}/>=]*+(?:[{_SPACE}]*+=[{_SPACE}]*+(?:"[^"]*+"?|'[^']*+'?|"""
              rf"""[^{_SPACE}>]*+))?+""")
_START_TAG = re.compile(rf"<[A-Za-z][^{_SPACE}/>]*+(?:[{_SPACE}/]++|{_ATTRIBUTE})*+")
_ATTRIBUTES = re.compile(_ATTRIBUTE)


@lru_cache(maxsize=4)
def _uncrowded(limit: int) -> re.Pattern[str]:
    """Markup read from its start as :func:`crowded_element`'s loop reads it, each start tag as :data:`_START_TAG`
    reads it (white space and ``/``, then an attribute, at most ``limit`` times, then only white space and ``/``
    before its ``>`` or the end), text and lone ``<`` between: it stops at the first tag with more attributes.

    One match in C, every possessive (nothing read twice, no match object a tag); a tag is found where the loop
    finds one: at each ``<`` + letter outside the tags before it."""
    return re.compile(rf"(?:[^<]++|<(?![A-Za-z])|<[A-Za-z][^{_SPACE}/>]*+(?:[{_SPACE}/]*+{_ATTRIBUTE}){{0,{limit}}}+"
                      rf"[{_SPACE}/]*+(?![^>]))*+")


def crowded_element(text: str, limit: int = MAX_ATTRIBUTES) -> tuple[str, int] | None:
    """The first start tag in ``text`` with more than ``limit`` attributes (its name and count), or None.

    Only tags long enough to hold that many (two characters an attribute at least) are counted.
    """
    start = _uncrowded(limit).match(text).end()
    if start == len(text):
        return None  # the usual page: read to its end, no tag has more (the loop below read each tag in Python)
    for match in _START_TAG.finditer(text, start):  # one pass: each tag is read once (a search for a crowded tag
        # retried at every "<" inside the tags it had read, and "<a" * 60,000 took 24 s)
        if match.end() - match.start() <= 2 * limit:
            continue
        tag = match.group(0)
        name = re.match(r"<[^\s/>]*", tag).group(0)
        count = sum(1 for _ in _ATTRIBUTES.finditer(tag, len(name)))
        if count > limit:
            return name[1:].lower(), count
    return None


def check_attributes(text: str, origin: str) -> None:
    """Refuse markup with an element the HTML parser would spend quadratic time on (see :data:`MAX_ATTRIBUTES`)."""
    crowded = crowded_element(text)
    if crowded is not None:
        name, count = crowded
        raise LimitError(f"{origin}: a <{name[:40]}> element has {count:,} attributes, over the limit of "
                         f"{MAX_ATTRIBUTES}; nothing was exported (parsing it would take hours)")


#: The bytes of the C0 controls :data:`_UNCARRIABLE` removes (never part of a longer UTF-8 sequence).
_UNCARRIABLE_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
#: Each of them alone: ``in`` finds one with memchr (~0.2 instructions a byte; deleting them all with translate,
#: ~12 a byte, cost twice as much for the 29 of them)
_UNCARRIABLE_SINGLE_BYTES = tuple(bytes([b]) for b in _UNCARRIABLE_BYTES)


def carriable(text: str) -> bool:
    """True when ``text`` holds nothing :data:`_UNCARRIABLE` matches (see :func:`_carriable_utf8`)."""
    return _carriable_utf8(text) is not None


def _carriable_utf8(text: str) -> bytes | None:
    """``text`` in UTF-8 when it holds nothing :data:`_UNCARRIABLE` matches, else None; found faster than its
    regex can: each control is looked for in the UTF-8 bytes in C (a lone surrogate cannot be encoded at all)."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    if any(control in data for control in _UNCARRIABLE_SINGLE_BYTES) or "\ufffe" in text or "\uffff" in text:
        return None
    return data


def sanitise(text: str) -> str:
    """Remove what no edition can hold and what must never be interpreted (see ``_UNCARRIABLE``)."""
    return _sanitised(text)[0]


def _sanitised(text: str) -> tuple[str, bytes | None]:
    """:func:`sanitise`'s text, and its UTF-8 bytes when checking it made them (the text needed no change)."""
    data = _carriable_utf8(text)
    if data is None:
        text = _UNCARRIABLE.sub("", text)
    subset = doctype_subset(text)
    if subset is not None:
        text, data = text[:subset[0]] + text[subset[1]:], None
    return text, data


#: The pieces of :data:`_DOCTYPE_SUBSET`, each searched for once (see :func:`doctype_subset`)
_DOCTYPE_OPEN = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_BRACKET_OR_CLOSE = re.compile(r"[\[>]")
_SUBSET_CLOSE = re.compile(r"\]\s*+>")
#: Only the head of the markup is searched for a DOCTYPE (it comes first, or not at all)
DOCTYPE_HEAD = 65536


def doctype_subset(text: str) -> tuple[int, int] | None:
    """Where the first match of :data:`_DOCTYPE_SUBSET` lies in the first :data:`DOCTYPE_HEAD` characters of
    ``text`` (its start and end), or None; found in linear time.

    The regex itself, retried at each ``<!DOCTYPE``, read the rest of the head again from each: 6,000
    ``<!DOCTYPE x[`` took 1.4 s. Here a ``<!DOCTYPE`` whose next ``[`` or ``>`` is ``>`` fails, as does every
    one before that ``>``; the first whose next is ``[`` is the match if a ``]`` and a ``>`` (white space
    between) follow, and if none follows, no later one can match either (what follows it is less).
    """
    if text.find("[", 0, DOCTYPE_HEAD) < 0:  # none can match (most pages: found in C, ~10x faster than the search)
        return None
    pos = 0
    while True:
        opening = _DOCTYPE_OPEN.search(text, pos, DOCTYPE_HEAD)
        if opening is None:
            return None
        mark = _BRACKET_OR_CLOSE.search(text, opening.end(), DOCTYPE_HEAD)
        if mark is None:
            return None
        if mark.group() == ">":
            pos = mark.end()
            continue
        closing = _SUBSET_CLOSE.search(text, mark.end(), DOCTYPE_HEAD)
        return None if closing is None else (opening.start(), closing.end())


def parse_html(text: str, origin: str = "<input>", max_depth: int = PARSER_DEPTH) -> etree._Element:
    """Parse decoded markup (fragment or whole document) into an ``<html>`` element.

    lxml's HTML parser drops content past its limits with only a log entry. Markup
    nested too deeply is pre-flattened and parsed again, so its text survives; any
    other fatal parser error, or a tree holding clearly less text than the source,
    is a :class:`LimitError` rather than silent loss.
    """
    text, data = _sanitised(_XML_DECLARATION.sub("", text, count=1))
    if not text or text.isspace():  # as ``not text.strip()``, without copying the page
        raise InputError(f"{origin}: the input is empty")
    check_attributes(text, origin)
    # the UTF-8 bytes sanitising made, when it changed nothing: libxml2 reads them as they are (text is handed
    # over as Latin-1, UTF-16 or UCS-4, which it converts to UTF-8 first), into the same tree
    root, fatal = _parse(text if data is None else data, origin)
    if fatal is not None and "depth" in fatal.lower():
        text, data = flatten_markup(text, max_depth), None
        root, fatal = _parse(text, origin)
    if fatal is not None:
        raise LimitError(f"{origin}: the markup exceeds what the HTML parser can read "
                         f"({fatal}); nothing was exported rather than lose text")
    repair_void_elements(root)
    repair_head(root)
    kept = _kept_size(root)
    if kept >= visible_bound(text, data) * _KEPT_RATIO - _KEPT_SLACK:
        return root  # enough kept by the bound, so by the count it bounds: the count need not be made
    expected = visible_size(text)
    if kept < expected * _KEPT_RATIO - _KEPT_SLACK:
        raise LimitError(f"{origin}: the HTML parser kept only {kept:,} of about {expected:,} characters of text; "
                         f"nothing was exported rather than lose text")
    return root


#: lxml.html's element classes, chosen in C: lxml.html's own lookup is a Python method called for every element
#: proxy made (~0.3 us each, paid again whenever Python meets an element none refers to). It differs only in
#: giving form, input, select, textarea and label elements their form classes, whose form API nothing here uses
_HTML_CLASSES = etree.ElementDefaultClassLookup(element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
                                                pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity)


def _parse(text: str | bytes, origin: str) -> tuple[etree._Element, str | None]:
    """One parse of markup (text, or text in UTF-8): the tree and the first fatal or resource-limit message (None
    when clean)."""
    parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True, default_doctype=False,
                                  encoding="utf-8" if isinstance(text, bytes) else None)
    parser.set_element_class_lookup(_HTML_CLASSES)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except etree.ParserError as exc:
        raise InputError(f"{origin}: no markup could be read ({exc})") from None
    except ValueError as exc:
        raise InputError(f"{origin}: {exc}") from None
    for entry in parser.error_log:
        if entry.level_name == "FATAL" or "RESOURCE_LIMIT" in entry.type_name:
            return root, entry.message.strip()
    return root, None


#: Void elements (never with content) that lxml's HTML parser opens as containers: everything after
#: ``<embed>`` or ``<wbr>`` would end up inside it, and be dropped with it.
_VOID_PARSED_AS_CONTAINER = ("embed", "keygen", "source", "track", "wbr", "bgsound", "image", "spacer")


def repair_void_elements(root: etree._Element) -> None:
    """Move what lxml nested inside a void element back after it, where a browser has it."""
    for el in list(root.iter(*_VOID_PARSED_AS_CONTAINER)):
        if el.tag == "image":
            el.tag = "img"  # as browsers do
        children, text, tail = list(el), el.text, el.tail
        if not children and not text:
            continue
        el.text = None
        el.tail = text
        last = el
        for child in children:
            last.addnext(child)
            last = child
        if tail:
            last.tail = (last.tail or "") + tail


#: What may stay in ``<head>``; libxml2 (an HTML 4 parser) also puts there HTML 5 elements met after a
#: leading ``<script>`` or ``<style>``: ``<script>…</script><section>text`` left the body empty.
_HEAD_ELEMENTS = frozenset({"title", "meta", "link", "style", "script", "base", "noscript", "template"})


def child_named(el: etree._Element, tag: str) -> etree._Element | None:
    """The first child of ``el`` called ``tag``, as ``el.find(tag)`` gives it, without ElementPath (~2 us a call)."""
    return next(el.iterchildren(tag), None)


def repair_head(root: etree._Element) -> None:
    """Move content the parser left in ``<head>`` (and all that follows it there) to the start of the body."""
    head = child_named(root, "head")
    if head is None:
        return
    carried, start = None, None
    for child in head:
        if not isinstance(child.tag, str) or child.tag not in _HEAD_ELEMENTS:
            start = child
            break
        if child.tail and child.tail.strip():
            carried, child.tail = child.tail, None
            start = child.getnext()
            break
    else:
        return
    body = child_named(root, "body")
    if body is None:
        body = root.makeelement("body", {})
        root.append(body)
    moving = [start, *start.itersiblings()] if start is not None else []
    original = body.text
    body.text = carried
    for el in reversed(moving):
        body.insert(0, el)
    if original:
        if moving:
            moving[-1].tail = (moving[-1].tail or "") + original
        else:
            body.text = (body.text or "") + original


# --- pre-flattening -----------------------------------------------------------------------------
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
                   "source", "track", "wbr", "basefont", "bgsound", "frame", "image", "isindex", "spacer"})
#: Elements an opening tag of the same name implicitly closes (so depth does not grow).
_SELF_CLOSING_SIBLINGS = frozenset({"p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "rb", "rt",
                                    "rp", "thead", "tbody", "tfoot"})
#: Elements whose content is raw text: no tags inside to count.
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"})
_TOKEN = re.compile(r"""<!--.*?(?:-->|\Z)"""          # comment
                    r"""|<[!?][^>]*>"""                # doctype, CDATA start, processing instruction
                    r"""|</([A-Za-z][^\s/>]*)[^>]*>"""  # end tag
                    r"""|<([A-Za-z][^\s/>]*)(?:[^>"']|"[^"]*"|'[^']*')*>""",  # start tag
                    re.DOTALL)


def flatten_markup(text: str, max_depth: int) -> str:
    """The markup with every tag nested deeper than ``max_depth`` removed; all text kept.

    A tokeniser, not a parser: depth is counted from start and end tags, knowing
    void elements, raw-text elements and the commonest implied end tags. It can
    only over-count, so it never leaves the parser more depth than ``max_depth``.
    """
    out: list[str] = []
    stack: list[str] = []  # open element names; the first ``max_depth`` are kept in the output
    open_count: dict[str, int] = {}
    pos = 0
    while True:
        match = _TOKEN.search(text, pos)
        if match is None:
            out.append(text[pos:])
            break
        out.append(text[pos:match.start()])
        pos = match.end()
        end_name, start_name = match.group(1), match.group(2)
        if end_name is not None:
            name = end_name.lower()
            if open_count.get(name):
                kept = True
                while stack:
                    top = stack.pop()
                    open_count[top] -= 1
                    if top == name:
                        kept = len(stack) < max_depth
                        break
                if kept:
                    out.append(match.group(0))
            else:
                out.append(match.group(0))  # a stray end tag: the parser's business
        elif start_name is not None:
            name = start_name.lower()
            if name in _VOID:
                if len(stack) < max_depth:
                    out.append(match.group(0))
                    if name in _VOID_PARSED_AS_CONTAINER:  # closed at once: else libxml2 nests what follows in it,
                        out.append(f"</{name}>")  # one level a tag (2,048 <wbr> in a paragraph: "Excessive depth")
                continue
            if name in _SELF_CLOSING_SIBLINGS and stack and stack[-1] == name:
                open_count[stack.pop()] -= 1
            if len(stack) < max_depth:
                out.append(match.group(0))
            stack.append(name)
            open_count[name] = open_count.get(name, 0) + 1
            if name in _RAW_TEXT:
                close = re.compile(rf"</{re.escape(name)}[\s/>]", re.IGNORECASE).search(text, pos)
                stop = close.start() if close else len(text)
                out.append(text[pos:stop])
                pos = stop
        else:
            out.append(match.group(0))
    return "".join(out)


# --- the text-loss check ------------------------------------------------------------------------
_COMMENTS_AND_DECLARATIONS = re.compile(r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<[!?][^>]*>", re.DOTALL)
#: A tag, read as the HTML tokeniser reads it: a ``>`` inside a quoted attribute value (JSON in a ``data-``
#: attribute) does not end it, so attribute text is never counted as visible.
_TAG = re.compile(r"""</?[A-Za-z](?:[^>"'=]++|=\s*+(?:"[^"]*+"?|'[^']*+'?)?+|["'])*+>?""")
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);?")


def visible_size(text: str) -> int:
    """A rough count of the source's text characters (not white space), for the text-loss check."""
    text = _COMMENTS_AND_DECLARATIONS.sub("", text)
    text = _TAG.sub("", text)
    text = _ENTITY.sub("&", text)
    return _non_space(text)


#: Starts of tags, each as far as its first ``>`` (or the end of the text), and ASCII white space between them: the
#: starts always lie inside what :func:`visible_size` removes and the white space is not counted (see
#: :func:`visible_bound`; a run of tags is one match, ~15% faster than one a tag). In UTF-8 the same spans: no
#: byte of a longer character is ``<``, ``>``, ``/``, a letter or white space.
_TAG_HEADS = re.compile(r"</?[A-Za-z][^>]*+>?(?:[ \t\n\r\f\v]*+</?[A-Za-z][^>]*+>?)*+")
_TAG_HEADS_UTF8 = re.compile(_TAG_HEADS.pattern.encode("ascii"))


def visible_bound(text: str, data: bytes | None = None) -> int:
    """At least :func:`visible_size` of ``text`` (``data``: its UTF-8, when at hand), in one pass instead of three.

    Why it is enough for the text-loss check: the check refuses only a tree keeping less than a share of the
    count, and a tree keeping that share of a larger number keeps it of the count. And why it is a bound: it
    counts the characters outside each ``<`` + letter (or ``</`` + letter) up to the first ``>`` after it (and
    outside the white space between two such, which no count counts), and every such stretch lies inside what
    :func:`visible_size` removes. Where that ``<`` lies outside every comment and tag, a tag starts there
    (comments removed first cannot split ``<`` from its letter), and a tag, comment or declaration holding it
    ends at a ``>`` no earlier than the first one after it (quoted values only make a tag longer) or at the end
    of the text. Entities only make the count smaller.
    """
    if data is not None:
        return _non_space_utf8(_TAG_HEADS_UTF8.sub(b"", data))
    return _non_space(_TAG_HEADS.sub("", text))


def _kept_size(root: etree._Element) -> int:
    # the text of every element and tail, as "".join(root.itertext()) gives it, serialised in C (3x faster), in
    # UTF-8: counted without being decoded
    return _non_space_utf8(etree.tostring(root, method="text", encoding="utf-8", with_tail=False))


def _non_space(text: str) -> int:
    """Characters that are not ASCII white space (see :func:`_non_space_utf8`; a lone surrogate is one)."""
    return _non_space_utf8(text.encode("utf-8", "surrogatepass"))


#: ASCII white space, and the bytes that continue a character in UTF-8 (10xxxxxx)
_SPACE_AND_CONTINUATION_BYTES = b" \t\n\r\f\v" + bytes(range(0x80, 0xC0))


def _non_space_utf8(data: bytes) -> int:
    """Characters of UTF-8 ``data`` that are not ASCII white space: every other character has one byte that
    is not a continuation byte, and white space is one byte, so deleting both in C leaves one byte a character
    counted (``str.count`` of each space character, the way before, read the text six times)."""
    return len(data.translate(None, _SPACE_AND_CONTINUATION_BYTES))
