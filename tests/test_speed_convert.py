"""The converter's shortcuts (convert.py, urls.py, images) decide exactly as the slow definitions they stand in for.

See tests/speed_helpers.py for the strategies; speed itself is measured in ``benchmarks/normalise_throughput.py``.
"""
from __future__ import annotations

import ast
import copy
import inspect
from itertools import islice
from pathlib import Path

import lxml.html
import pytest
from helpers import corpus_pages
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree
from speed_helpers import EXAMPLES, _real_pages, _real_parsed_pages, joined

import exporter
from exporter.document import Report
from exporter.errors import ExporterError
from exporter.normalise import convert
from exporter.normalise.text import clean_text
from exporter.read import parse_html
from exporter.recursion import deep_recursion


def _reference_kind(converter, el) -> str:
    """Converter.kind as written before its shortcuts: the element's own attributes, read each time."""
    from exporter.normalise import convert

    tag = el.tag
    if not isinstance(tag, str) or (tag in convert.DROP and el not in converter._page_forms) or convert.is_hidden(el):
        return convert.DROP_KIND
    if convert._starts_block(el) or el in converter._has_blocks:
        return convert.BLOCK_KIND
    return convert.INLINE_KIND


def _reference_block_holders(root, page_forms=frozenset()) -> set:
    """Every element with a block-starting descendant that nothing dropped or hidden holds (the XPath and
    iterancestors walk the converter used before; a page form is not dropped)."""
    from lxml import etree

    from exporter.normalise import convert

    hidden = filter(convert.is_hidden, etree.XPath(".//*[@hidden or @style]")(root))
    dropped = [*(el for el in root.iterdescendants(*convert.DROP) if el not in page_forms), *hidden]
    inside = {node for el in dropped for node in el.iter()}
    return {ancestor for el in root.iter(*convert.BLOCK_SOURCE) if el not in inside and convert._starts_block(el)
            for ancestor in el.iterancestors()}


class _CheckedConverter:
    """Patches the converter so that every shortcut is checked against the definition it replaces while
    real pages are normalised: kind(), the marked block holders and hidden elements, and text appended
    as an element's own text only where the element has no children."""

    def __init__(self, monkeypatch) -> None:
        from exporter.normalise import convert

        self.calls = {"kind": 0, "own_text": 0, "marked": 0}
        kind, mark = convert.Converter.kind, convert.Converter._mark_block_holders
        own_text, own_as_is = convert.Converter._append_own_text, convert.Converter._append_own_as_is

        def checked_kind(converter, el):
            self.calls["kind"] += 1
            result = kind(converter, el)
            assert result == _reference_kind(converter, el), (el.tag, dict(el.attrib))
            return result

        def checked_mark(converter, root, whole_page=False):
            self.calls["marked"] += 1
            # found by lxml's iterators in C, or walked (a page of at most _WALK_AT_MOST elements)
            self.calls["in_c"] = self.calls.get("in_c", 0) + (whole_page and next(
                islice(root.iterdescendants(), convert._WALK_AT_MOST, None), None) is not None)
            mark(converter, root, whole_page)
            converter.expected_holders = (getattr(converter, "expected_holders", set())
                                          | _reference_block_holders(root, converter._page_forms))
            assert converter._has_blocks == converter.expected_holders
            assert converter._hidden >= {el for el in root.iterdescendants() if convert.is_hidden(el)}

        def checked_own_text(converter, out, text):
            self.calls["own_text"] += 1
            assert len(out) == 0, out.tag
            own_text(converter, out, text)

        def checked_own_as_is(converter, out, text):  # a page whose text needs no cleaning (Converter.convert)
            self.calls["own_text"] += 1
            assert len(out) == 0, out.tag
            assert clean_text(text) == (text or "")
            own_as_is(converter, out, text)

        # Converter.blocks decides each child's kind itself (kind() written out): what it did with each child is
        # checked against the reference: dropped (nothing), a block (block or _move_as_is), inline (add_inline)
        blocks, block, move, add_inline = (convert.Converter.blocks, convert.Converter.block,
                                           convert.Converter._move_as_is, convert._Loose.add_inline)
        children: list[dict] = []  # per blocks() call in progress: its children, and what it did with each

        def checked_blocks(converter, src, out, alone=False):
            expected = [(child, _reference_kind(converter, child)) for child in ((src,) if alone else src)]
            children.append({child: convert.DROP_KIND for child, _ in expected})
            blocks(converter, src, out, alone)
            done = children.pop()
            for child, reference in expected:
                self.calls["kind"] += 1
                assert done[child] == reference, (child.tag, dict(child.attrib))

        def met(el, kind):
            if children and el in children[-1]:
                children[-1][el] = kind

        def checked_block(converter, el, out):
            met(el, convert.BLOCK_KIND)
            block(converter, el, out)

        def checked_move(converter, el, out, *args, **kwargs):
            met(el, convert.BLOCK_KIND)  # an inline child's is overwritten by add_inline, after it
            return move(converter, el, out, *args, **kwargs)

        def checked_add_inline(loose, converter, el):
            add_inline(loose, converter, el)
            met(el, convert.INLINE_KIND)

        monkeypatch.setattr(convert.Converter, "kind", checked_kind)
        monkeypatch.setattr(convert.Converter, "blocks", checked_blocks)
        monkeypatch.setattr(convert.Converter, "block", checked_block)
        monkeypatch.setattr(convert.Converter, "_move_as_is", checked_move)
        monkeypatch.setattr(convert._Loose, "add_inline", checked_add_inline)
        monkeypatch.setattr(convert.Converter, "_mark_block_holders", checked_mark)
        monkeypatch.setattr(convert.Converter, "_append_own_text", checked_own_text)
        monkeypatch.setattr(convert.Converter, "_append_own_as_is", checked_own_as_is)


def test_converter_shortcuts_decide_as_before_on_real_pages(monkeypatch) -> None:
    import exporter
    from exporter.errors import ExporterError

    checked = _CheckedConverter(monkeypatch)
    pages = _real_pages()
    assert len(pages) > 30
    for page in pages:
        try:
            exporter.normalise(page.read_bytes(), origin=page.name, language="en")
        except ExporterError:
            pass  # refused input: what the converter saw before was still checked
    assert checked.calls["kind"] > 5000 and checked.calls["own_text"] > 1000 and checked.calls["marked"] > 30
    assert 10 < checked.calls["in_c"] < checked.calls["marked"]  # both ways of finding blocks were taken


_MARKUP_TAGS = ["p", "div", "span", "a", "em", "b", "li", "ul", "ol", "table", "tr", "td", "figure", "figcaption",
                "img", "br", "script", "math", "h2", "pre", "q", "dl", "dt", "dd", "form", "blockquote", "wbr", "abbr",
                "acronym", "i", "code", "sup", "font", "h3"]

_MARKUP_ATTRIBUTES = ['', ' style="display:none"', ' hidden', ' lang="fr"', ' dir="rtl"', ' id="x"', ' name="n"',
                      ' style="color:red"', ' display="block"', ' href="https://e.org/"', ' src="i.png"', ' class="c"',
                      ' href="javascript:x"', ' href=" https://e.org/a b "', ' href="#n"', ' title="T\u0085"',
                      ' xml:lang="de"']


@st.composite
def _markup(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4 if depth < 4 else 0))):
        if draw(st.booleans()):
            parts.append(draw(st.sampled_from(["text ", " ", "\n", "a\u0301 ", "x\x07y", "", "\u0301", "é",
                                               "\x85", "\ufeff", "&amp;"])))
        else:
            tag = draw(st.sampled_from(_MARKUP_TAGS))
            attributes = "".join(draw(st.lists(st.sampled_from(_MARKUP_ATTRIBUTES), max_size=2)))
            parts.append(f"<{tag}{attributes}>{draw(_markup(depth + 1))}</{tag}>")
    return "".join(parts)


@settings(max_examples=EXAMPLES, deadline=None)
@given(_markup())
def test_converter_shortcuts_decide_as_before_on_made_markup(markup: str) -> None:
    import exporter
    from exporter.errors import ExporterError

    with pytest.MonkeyPatch.context() as monkeypatch:
        _CheckedConverter(monkeypatch)
        try:
            exporter.normalise(f"<article><p>Some words.</p>{markup}</article>", language="en")
        except ExporterError:
            pass


def _normalised_twice(markup: bytes, monkeypatch_context) -> tuple:
    """The converter's tree and the normaliser's output, with the converter's move-as-is shortcut and with it
    turned off."""
    import dataclasses

    from lxml import etree

    import exporter
    from exporter.errors import ExporterError
    from exporter.normalise import convert, passes

    def run():
        converted = []

        def convert_and_keep(state):
            convert.convert_page(state)
            converted.append(etree.tostring(state.tree, encoding="unicode"))

        with monkeypatch_context() as patch:
            patch.setattr(passes, "PASSES", tuple(dataclasses.replace(step, run=convert_and_keep)
                                                  if step.name == "convert" else step for step in passes.PASSES))
            try:
                doc = exporter.normalise(markup, language="en")
            except ExporterError as exc:
                return converted, str(exc)
        return converted, doc.to_xml(), sorted(doc.report.items())

    with_shortcut = run()
    with monkeypatch_context() as monkeypatch:
        monkeypatch.setattr(convert.Converter, "_move_as_is",
                            lambda self, el, out, attributes=None, unwrap=False, content=False, keys=None: False)
        without = run()
    return with_shortcut, without


def test_moving_blocks_as_they_are_converts_as_before_on_real_pages() -> None:
    """A paragraph, heading or inline element moved into the clean tree as it is (renamed, unwrapped, its
    ignored attributes dropped) gives the tree and report that converting it element by element gives."""
    from exporter.normalise import convert

    moved = []
    real = convert.Converter._move_as_is

    def counted(self, el, out, attributes=None, unwrap=False, content=False, keys=None):
        result = real(self, el, out, attributes, unwrap, content, keys)
        moved.append(result)
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(convert.Converter, "_move_as_is", counted)
        for page in _real_pages():
            with_shortcut, without = _normalised_twice(page.read_bytes(), pytest.MonkeyPatch.context)
            assert with_shortcut == without, page
    assert sum(moved) > 1000 and len(moved) - sum(moved) > 100  # both sides of the shortcut were taken


@settings(max_examples=EXAMPLES, deadline=None)
@given(_markup())
@example('<p>x<abbr title="T\u0085">a</abbr></p>')
@example('<p>x <acronym title="North Atlantic">NATO</acronym> <em><acronym title="Q">Z</acronym></em></p>'
         '<ul><li><acronym title="L">L</acronym></li></ul>')
@example("<p>a\u0301 <em>e</em>\u0301</p>")
@example('<h2><b class="c">bold</b> <a href=" https://e.org/a b ">link</a><span>s</span> \ufeff</h2>')
@example('<ul><li id=" x " lang="fr_FR" class="c"><b>a</b> <a href="#n" name="m" lang="en">b</a></li><li dir="RTL">c</li></ul>')
@example('<p lang="de" id="p1" xml:lang="fr"><abbr title="T">x</abbr><sup id="s" dir="ltr">1</sup><i lang="">i</i></p>')
@example('<ol><li><span id="k">a</span></li><li><a>b</a></li><li><br class="x">c</li></ol>')
@example('<p><img src="a.png"><span class="x">a<b>b</b>c</span>e<font>\u0301</font><span> </span></p>')
@example('<p><img src="a.png"><span>e<font>\u0301</font></span></p>')
@example('<figure><img src="https://e.org/a.png" data-src="b.png" alt=" A\tb " width="10px" height="1" id="i">'
         '<figcaption>c</figcaption></figure><p>x<img src="t.gif" width="1" height="1"><img alt="no source"></p>')
@example('<div>x <m-x><math><mi>a</mi><mo>+</mo></math></m-x>, y<span lang="fr">z</span><math display="block">'
         '<mi>b</mi></math></div>')
def test_moving_blocks_as_they_are_converts_as_before_on_made_markup(markup: str) -> None:
    with_shortcut, without = _normalised_twice(f"<article><p>Some words.</p>{markup}</article>".encode(),
                                               pytest.MonkeyPatch.context)
    assert with_shortcut == without


def _clean_href_as_before(href, base_url=None):
    """urls.clean_href before its shortcuts: the regex substitution always, urlsplit for every web link."""
    from urllib.parse import urljoin, urlsplit

    from exporter.normalise import urls

    if not href:
        return None
    href = urls._INSIDE.sub("", href.strip(urls._C0_AND_SPACE))
    if not href:
        return None
    if href.startswith("#"):
        return href if len(href) > 1 else None
    scheme = urls._scheme(href)
    if scheme is None:
        if base_url and urls._scheme(base_url) in ("http", "https"):
            try:
                href = urljoin(base_url, href)
            except ValueError:
                return None
            scheme = urls._scheme(href)
        else:
            return None
    if scheme not in urls.LINK_SCHEMES:
        return None
    if scheme in ("http", "https"):
        try:
            parts = urlsplit(href)
        except ValueError:
            return None
        if not parts.netloc:
            return None
    elif scheme == "mailto" and len(href) <= len("mailto:"):
        return None
    return href


def _image_source_as_listed(el, picture=None):
    """convert.image_source as first written: every candidate listed, then the first usable one."""
    from exporter.normalise.convert import _LAZY_ATTRS, _PLACEHOLDER_SRC
    from exporter.normalise.urls import best_from_srcset, clean_src

    get = dict(el.items()).get
    src = get("src")
    candidates = [get(a) for a in _LAZY_ATTRS]
    candidates.append(src if src and not _PLACEHOLDER_SRC.search(src) else None)
    candidates.append(best_from_srcset(get("data-srcset")) or best_from_srcset(get("srcset")))
    if picture is not None:
        for source in picture.iter("source"):
            candidates.append(best_from_srcset(source.get("srcset") or source.get("data-srcset")))
    candidates.append(src)
    for candidate in candidates:
        cleaned = clean_src(candidate)
        if cleaned:
            return cleaned
    return None


def _image_as_before(el, picture=None):
    """What Converter.image made of ``el`` before its shortcuts: its attributes, or why it made none."""
    from exporter.normalise.convert import clean_text, image_size

    src = _image_source_as_listed(el, picture)
    if src is None:
        return "no usable source"
    if el.get("width") == "1" and el.get("height") == "1":
        return "tracking pixel"
    attributes = [("src", src)]
    alt = el.get("alt")
    if alt is not None:
        attributes.append(("alt", " ".join(clean_text(alt).split())))
    for side in ("width", "height"):
        size = image_size(el.get(side))
        if size:
            attributes.append((side, str(size)))
    if el.get("id"):
        attributes.append(("id", el.get("id")))
    return attributes


def _image_now(el, picture=None):
    """The same, from the converter's functions as they are (attributes read only when el.keys() has them)."""
    from exporter.normalise import convert

    keys = el.keys()
    src = convert.image_source(el, picture, keys)
    if src is None:
        return "no usable source"
    if convert._is_tracking_pixel(el, keys):
        return "tracking pixel"
    attributes = convert._kept_image_attributes(el, src, keys)
    if picture is None:
        assert convert._image_attributes(el) == attributes
    return attributes


_BASES = (None, "https://en.example.org/wiki/Page?x=1", "http://h.example/a/b/", "ftp://f.example/", "HTTPS://E.ORG")


def test_clean_href_decides_as_before_on_every_real_link() -> None:
    from exporter.normalise.urls import _PLAIN_WEB, clean_href

    hrefs = {href for root in _real_parsed_pages() for href in root.xpath("//a/@href")}
    assert len(hrefs) > 1000
    assert sum(1 for href in hrefs if _PLAIN_WEB.match(href.strip())) > 500  # the shortcut is taken
    for href in hrefs:
        for base in _BASES:
            assert clean_href(href, base) == _clean_href_as_before(href, base), (href, base)


_HREF_PIECES = ["http://", "https://", "HTTP://", "Https://", "mailto:", "javascript:", "//", "/", "?", "#", ":", "@",
                "[", "]", "[::1]", "e.org", "x", ".", "é", "\u2100", "\uff0f", "\u2474", " ", "\t", "\n", "\r", "\x00",
                "\x01", "\x7f", "\u00a0", "%20", "a b", "", "..", "\x80"]


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(joined(_HREF_PIECES, 8), st.sampled_from(_BASES))
@example("http://[::1", None)  # urlsplit raises: an unclosed IPv6 bracket
@example("https://a]b/", None)
@example("http://\u2100/x", None)  # urlsplit raises: the host holds '/' under NFKC
@example("http://\u00e9.org/", None)  # a non-ASCII host that NFKC leaves alone: kept
@example("http://e.org\t/", None)
@example("https://", None)
@example("http:///x", "https://e.org/")
@example("http://x\x01y", None)
def test_clean_href_decides_as_before_on_made_links(href: str, base: str | None) -> None:
    from exporter.normalise.urls import clean_href

    assert clean_href(href, base) == _clean_href_as_before(href, base)


def test_image_source_is_the_first_listed_candidate_on_every_real_image() -> None:
    from exporter.normalise.convert import image_source

    seen = 0
    for root in _real_parsed_pages():
        for img in root.iter("img"):
            parent = img.getparent()
            picture = parent if parent is not None and parent.tag == "picture" else None
            for around in {None, picture}:
                assert image_source(img, around) == _image_source_as_listed(img, around), lxml.html.tostring(img)
                assert _image_now(img, around) == _image_as_before(img, around), lxml.html.tostring(img)
                seen += 1
    assert seen > 300


_SRCS = ["https://e.org/a.png", "a.png", " ", "", "//cdn.e.org/b.jpg", "javascript:x", "data:image/gif;base64,R0lG",
         "data:image/png;base64,iVBO", "data:text/html,x", "https://e.org/blank.gif", "SPACER.GIF", "p-1x1.png",
         "https://e.org/pixel.gif?x", "file:///tmp/a.png", "HTTPS://E.ORG/C.PNG", "x\u212a1x1", "ftp://e.org/a.png"]

_SIZES = ["1", "1px", "", "20", " 16.5px ", "0", "x"]

_SRCSETS = ["a.jpg 480w, b.jpg 960w", "c.png 2x", "", " ", "javascript:x 1x", "d.png", "blank.gif 10w, e.png 5w"]


@st.composite
def _image_markup(draw) -> str:
    attributes = []
    for name in draw(st.lists(st.sampled_from(["src", "srcset", "data-srcset", "data-src", "data-lazy-src",
                                               "data-original", "data-url", "data-hi-res-src", "data-full-src",
                                               "alt", "width", "height", "id"]), max_size=5, unique=True)):
        values = _SRCSETS if "srcset" in name else _SIZES if name in ("width", "height") else _SRCS
        value = draw(st.sampled_from(values)).replace("&", "&amp;").replace('"', "&quot;")
        attributes.append(f'{name}="{value}"')
    img = f"<img {' '.join(attributes)}>"
    sources = "".join(f'<source {name}="{draw(st.sampled_from(_SRCSETS))}">'
                      for name in draw(st.lists(st.sampled_from(["srcset", "data-srcset"]), max_size=2)))
    return f"<picture>{sources}{img}</picture>" if draw(st.booleans()) else f"<div>{img}</div>"


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(_image_markup())
@example('<picture><source srcset="c.png 2x"><img src="blank.gif"></picture>')  # the placeholder gives way to it
@example('<div><img src="data:image/gif;base64,R0lG" srcset="a.jpg 480w"></div>')
@example('<div><img src="a.png" srcset="javascript:x 1x"></div>')
@example('<div><img data-src=" " src="a.png"></div>')
@example('<div><img src="a.png" width="1" height="1" alt=" A\tb " id="i"></div>')
@example('<div><img src="a.png" width="1" height="2" id=""></div>')
def test_image_source_is_the_first_listed_candidate_on_made_images(markup: str) -> None:
    from exporter.normalise.convert import image_source

    root = lxml.html.fragment_fromstring(markup)
    img = next(root.iter("img"))
    picture = root if root.tag == "picture" else None
    for around in (None, picture):
        assert image_source(img, around) == _image_source_as_listed(img, around), markup
        assert _image_now(img, around) == _image_as_before(img, around), markup


def _inline_attributes_as_before(converter, el, tag):
    """Converter._inline_attributes before it read el.keys() first: every attribute asked of lxml."""
    from exporter.normalise.convert import INLINE_MAP, clean_dir, clean_href, clean_lang, clean_text

    if tag == "br":
        return []
    if tag == "a":
        href = clean_href(el.get("href"), converter.base_url)
        if href is None:
            return None
        attributes = [("href", href)]
        ident = el.get("id") or el.get("name")
        if ident:
            attributes.append(("id", ident))
        lang = clean_lang(el.get("lang"))
        if lang:
            attributes.append(("lang", lang))
        return attributes
    attributes = []
    ident, lang, direction = el.get("id"), clean_lang(el.get("lang")), clean_dir(el.get("dir"))
    if ident:
        attributes.append(("id", ident))
    if lang:
        attributes.append(("lang", lang))
    if direction:
        attributes.append(("dir", direction))
    if INLINE_MAP.get(tag) == "abbr" and el.get("title"):
        attributes.append(("title", clean_text(el.get("title"))))
    return attributes


_INLINE_TAGS = ["a", "br", "b", "em", "abbr", "acronym", "sup", "font", "span", "code"]


def _inline_attributes_agree(root, base_url) -> int:
    from exporter.document import Report
    from exporter.normalise.convert import Converter

    converter, checked = Converter(Report(), base_url=base_url), 0
    for el in root.iter(*_INLINE_TAGS):
        expected = _inline_attributes_as_before(converter, el, el.tag)
        assert converter._inline_attributes(el, el.tag) == expected, lxml.html.tostring(el)
        assert converter._inline_attributes(el, el.tag, el.keys()) == expected, lxml.html.tostring(el)
        checked += 1
    return checked


def test_inline_attributes_are_read_as_before_on_real_pages() -> None:
    checked = sum(_inline_attributes_agree(root, base) for root in _real_parsed_pages() for base in _BASES[:2])
    assert checked > 3000


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.sampled_from(_INLINE_TAGS),
       st.lists(st.tuples(st.sampled_from(["href", "id", "name", "lang", "dir", "title", "class"]),
                          st.sampled_from(["", " ", "x", "fr_FR", "RTL", "ltr", "#n", "https://e.org/", "/rel",
                                           "javascript:x", "T\u0085"])), max_size=4, unique_by=lambda pair: pair[0]),
       st.sampled_from(_BASES[:2]))
@example("a", [("href", "https://e.org/"), ("lang", "fr")], None)
@example("a", [("href", "https://e.org/"), ("name", "n")], None)
@example("a", [("href", "#n"), ("id", ""), ("name", "m")], None)
@example("acronym", [("title", "T\u0085")], None)
def test_inline_attributes_are_read_as_before_on_made_elements(tag: str, attributes: list, base) -> None:
    el = lxml.html.Element(tag)
    for key, value in attributes:
        el.set(key, value)
    assert _inline_attributes_agree(el, base) == 1


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(joined(_HREF_PIECES, 8))
def test_splits_asks_urlsplit_only_where_it_may_refuse(url: str) -> None:
    from urllib.parse import urlsplit

    from exporter.normalise.urls import splits

    try:
        urlsplit(url)
        accepted = True
    except ValueError:
        accepted = False
    assert splits(url) == accepted


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(joined(["1", "0", "9", "12345", "123456", " ", "px", ".5", "\u0661", "\u00b2", "\uff11", "x", ""], 5),
                 st.text(max_size=8)))
@example("00")
@example("123456")
@example("\u0661\u0662")  # Arabic-Indic digits: the pattern's \\d takes them, the ASCII shortcut does not
@example("\u00b2")  # isdigit() but not \\d
def test_image_size_shortcut_reads_as_the_pattern(value: str) -> None:
    from exporter.normalise.convert import _IMAGE_SIZE, image_size

    match = _IMAGE_SIZE.fullmatch(value)
    assert image_size(value) == (int(match.group(1)) or None if match else None)


def test_each_descendant_action_is_the_one_the_element_by_element_path_takes() -> None:
    """_move_as_is's table of what to do with a descendant, by tag, agrees with the sets the converter's other
    paths read (review-s9: a later INLINE_MAP entry must not silently override a refusal)."""
    from exporter.normalise import convert

    actions = convert._DESCENDANT_ACTIONS
    for tag in convert._CHANGED_INLINE:
        assert actions[tag] is convert._REFUSE, tag
    assert "math" not in actions  # unwrapped, unless displayed as a block (asked of the element)
    for tag, mapped in convert.INLINE_MAP.items():
        if tag not in convert._CHANGED_INLINE:
            assert actions[tag] is (convert._MAPPED if mapped == tag else convert._RENAMED), tag
    assert (actions["img"], actions["a"], actions["br"]) == (convert._IMAGE, convert._LINK, convert._BREAK)
    assert convert._RENAMED_TAGS == {tag for tag, action in actions.items() if action is convert._RENAMED}
    for mapped in set(convert.INLINE_MAP.values()):  # a renamed descendant never takes a name strip_tags unwraps
        assert convert.INLINE_MAP.get(mapped) == mapped and actions.get(mapped, convert._UNWRAP) is not convert._UNWRAP
    for tag in ("span", "font", "m-x", "u", "s", "small", "mark", "time"):
        assert actions.get(tag, convert._UNWRAP) is convert._UNWRAP, tag


def test_block_holders_found_in_c_or_walked_are_the_same_on_real_pages(monkeypatch) -> None:
    """Converter._mark_block_holders on a whole page: lxml's tag-filtered iterators and the style/hidden XPaths
    (a large page) find what the Python walk finds (a small one), and both what the reference finds."""
    from exporter.document import Report
    from exporter.normalise import convert

    made = ['<div><p hidden>x</p><section><p>y</p><span style="display:none"><p>z</p></span></section>'
            '<em hidden><li>w</li></em><b style="visibility: hidden" hidden><p>v</p></b></div>']
    pages = _real_parsed_pages() + [lxml.html.fragment_fromstring(markup) for markup in made]
    found = []
    for walk_at_most in (0, 10**9):
        monkeypatch.setattr(convert, "_WALK_AT_MOST", walk_at_most)
        results = []
        for root in pages:
            converter = convert.Converter(Report())
            converter._mark_block_holders(root, whole_page=True)
            assert converter._has_blocks == _reference_block_holders(root)
            assert converter._hidden == {el for el in root.iterdescendants() if convert.is_hidden(el)}
            results.append((converter._has_blocks, converter._hidden))
        found.append(results)
    assert found[0] == found[1]
    assert sum(bool(hidden) for _, hidden in found[0]) > 3  # pages with hidden elements were among them


#: Characters NFC composes, reorders or replaces, controls clean_text removes, and characters it leaves alone
_CLEANED_PIECES = ["a", "e", "E", "o", "\u0301", "\u0327", "\u0328", "\u0316", "\u0345", "\u0591", "\u00e9", "\u1100",
                   "\u1161", "\u11a8", "\uac00", "\u0915", "\u093c", "\u0958", "\u212b", "\u2000", "\u2126", "\u0b47",
                   "\u0b3e", "\u2019", "\u201c", "\u00a0", " ", "\n", "\t", "\r", "\x07", "\x0b", "\x7f", "\x85",
                   "\ufeff", "\ud800", "\uffff"]


@settings(max_examples=EXAMPLES * 3, deadline=None)
@example("e\u0301", [1])
@example("\u0b47\u0b3e", [1])
@example("a\u0328\u0301", [2])
@example("\u1100\u1161", [1])
@given(joined(_CLEANED_PIECES, 12), st.lists(st.integers(0, 12), max_size=4))
def test_a_text_left_clean_leaves_each_of_its_parts_clean(text: str, cuts: list[int]) -> None:
    """Converter._move_as_is skips its text checks on a page whose whole text leaves_every_part_clean says yes
    to: then clean_text leaves each text and tail of the page (any cut of it) as it is."""
    from exporter.normalise.convert import leaves_every_part_clean

    cuts = sorted({min(cut, len(text)) for cut in cuts})
    parts = [text[start:end] for start, end in zip([0, *cuts], [*cuts, len(text)])]
    if leaves_every_part_clean(text):
        assert clean_text(text) == text and all(clean_text(part) == part for part in parts)


def test_a_text_left_clean_is_found_on_both_sides_and_for_every_character() -> None:
    from exporter.normalise.convert import leaves_every_part_clean

    for code in range(0x110000):
        char = chr(code)
        if leaves_every_part_clean(char):
            assert clean_text(char) == char, hex(code)
    assert leaves_every_part_clean("plain\ttext\n") and leaves_every_part_clean("\u201cCurly\u201d caf\u00e9 \u00a0")
    assert not leaves_every_part_clean("a\x07") and not leaves_every_part_clean("caf\u00e9\x85")
    assert not leaves_every_part_clean("e\u0301") and not leaves_every_part_clean("\u00e9\u0301")
    assert not leaves_every_part_clean("\u0b47\u0b3e")  # composes; each part alone does not


def test_the_corpus_pages_are_left_clean_so_that_the_text_checks_are_skipped() -> None:
    """The shortcut is taken on real pages (a page with a control character takes the checks: made markup above)."""
    from lxml import etree

    from exporter.normalise.convert import leaves_every_part_clean
    from exporter.read import parse_html

    pages = [page / "expected.html" for page in corpus_pages()]
    clean = [leaves_every_part_clean(etree.tostring(parse_html(page.read_text("utf-8"), str(page)), method="text",
                                                    encoding="unicode")) for page in pages]
    assert sum(clean) > len(pages) // 2


def _figure_marks_checked(monkeypatch) -> list:
    """Patches the converter to mark each figure's content where figure() did before this session (its caption
    taken out, its content not yet converted) and to record whether that added anything to the marks the
    converter holds then."""
    from exporter.normalise import convert

    added, figures = [], []
    figure, blocks = convert.Converter.figure, convert.Converter.blocks

    def checked_figure(converter, el, out):
        figures.append(el)
        try:
            return figure(converter, el, out)
        finally:
            figures.pop()

    def checked_blocks(converter, src, out, alone=False):
        if figures and src is figures[-1] and not alone:  # alone: src is converted itself, not its content
            before = (set(converter._has_blocks), set(converter._hidden))
            converter._mark_block_holders(src)
            added.append((converter._has_blocks, converter._hidden) != before)
        return blocks(converter, src, out, alone)

    monkeypatch.setattr(convert.Converter, "figure", checked_figure)
    monkeypatch.setattr(convert.Converter, "blocks", checked_blocks)
    return added


def test_a_figure_marked_again_adds_nothing_on_real_pages() -> None:
    """Converter.figure no longer marks its content again: on real pages and made ones, doing so would add
    nothing to the marks (a figure in a page form too: the form's content is converted as inline content)."""
    import exporter
    from exporter.errors import ExporterError

    made = ["<article><p>Words here.</p><figure><div><img src='a.png'><figcaption>c</figcaption></div>"
            "<p>credit</p></figure></article>",
            "<body><form><h1>T</h1><p>" + "words of the article " * 30 + "</p><figure><div><img src='a.png'>"
            "<figcaption>c</figcaption></div><section><p>x</p></section></figure></form></body>"]
    with pytest.MonkeyPatch.context() as patch:
        added = _figure_marks_checked(patch)
        for page in _real_pages():
            try:
                exporter.normalise(page.read_bytes(), origin=page.name, language="en")
            except ExporterError:
                pass
        for markup in made:
            exporter.normalise(markup, language="en")
    assert len(added) > 50 and not any(added)


@settings(max_examples=EXAMPLES, deadline=None)
@given(_markup())
def test_a_figure_marked_again_adds_nothing_outside_page_forms_on_made_markup(markup: str) -> None:
    import exporter
    from exporter.errors import ExporterError

    with pytest.MonkeyPatch.context() as patch:
        added = _figure_marks_checked(patch)
        try:
            exporter.normalise(f"<article><p>Some words.</p><figure>{markup}</figure>{markup}</article>",
                               language="en")
        except ExporterError:
            pass
    assert not any(added)


def _converted_with_and_without_clean_page(markup: bytes) -> tuple:
    """The converter's tree and the normaliser's output as they are, and with every page taken as one whose
    text needs cleaning (the checks and clean_text the clean-page shortcut skips all run)."""
    from exporter.normalise import convert

    with_shortcut, _ = _normalised_twice(markup, pytest.MonkeyPatch.context)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(convert, "leaves_every_part_clean", lambda text: False)
        patch.setattr(convert, "leaves_every_part_clean_utf8", lambda data: False)
        without, _ = _normalised_twice(markup, pytest.MonkeyPatch.context)
    return with_shortcut, without


def test_a_clean_page_converts_as_one_whose_text_is_cleaned_on_real_pages() -> None:
    """Converter.convert looks at the page's whole text once: when clean_text would change none of it, texts
    are appended as they are and elements moved without their own checks, as cleaning each gives."""
    from exporter.normalise import convert

    clean = []
    real = convert.leaves_every_part_clean_utf8

    def counted(data):
        clean.append(real(data))
        return clean[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(convert, "leaves_every_part_clean_utf8", counted)
        for page in _real_pages():
            with_shortcut, without = _converted_with_and_without_clean_page(page.read_bytes())
            assert with_shortcut == without, page
    assert clean.count(True) > 30  # the other side: the made markup below (no real page has such text)


#: A figure's caption taken out joins its tail to the text before it: each part clean, the whole not (U+0334
#: sorts before U+0316); a word with each of the characters clean_text removes or composes
_JOINED_BY_A_CAPTION = ('<figure><img src="https://e.org/a.png"><img src="https://e.org/b.png"><p>x\u0316<figcaption>'
                        'c</figcaption>\u0334y</p></figure><ul><li>x\u0316<i>i</i></li></ul>')


@settings(max_examples=EXAMPLES, deadline=None)
@given(_markup())
@example(_JOINED_BY_A_CAPTION)
@example('<table><tr><td>a<b>b</b></td>tail\u0301<td>c</td></tr></table><pre>p<b>q</b>\n<a href="#x">r</a></pre>')
def test_a_clean_page_converts_as_one_whose_text_is_cleaned_on_made_markup(markup: str) -> None:
    with_shortcut, without = _converted_with_and_without_clean_page(
        f"<article><p>Some words.</p>{markup}</article>".encode())
    assert with_shortcut == without


@given(st.lists(st.tuples(st.sampled_from(["href", "id", "lang", "class", "title"]),
                          st.sampled_from(["#a", "https://e.org/", "x", ""])), max_size=3),
       st.lists(st.tuples(st.sampled_from(["href", "id", "lang"]), st.sampled_from(["#a", "https://e.org/", "x"])),
                max_size=2))
def test_an_element_that_has_only_its_attributes_is_written_the_same(given: list, attributes: list) -> None:
    """Converter._move_as_is leaves an element's attributes alone when _has_only says writing them (clear, then
    set each in order) would change nothing."""
    from lxml import etree

    from exporter.normalise.convert import _has_only

    el = etree.Element("a")
    for key, value in given:
        el.set(key, value)
    before = etree.tostring(el)
    if _has_only(el, el.keys(), attributes):
        el.attrib.clear()
        for key, value in attributes:
            el.set(key, value)
        assert etree.tostring(el) == before


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(st.one_of(joined(_CLEANED_PIECES + ["\u0080", "\u009f", "\u00a0", "\u00c2", "\u00ad", "\u0100", "\ud7ff",
                                           "\udfff", "\ue000", "\ufeff", "\ufffe", "\uffff", "\U0001f600",
                                           # the edges of what needs no NFC check (_below_u0300_or_punctuation)
                                           "\u02ff", "\u0300", "\u0301", "\u2000", "\u2001", "\u2002",
                                           "\u2019", "\u207f", "\u2080", "\u20ac", "\u3042", "\u1e0a",
                                           # combining marks for symbols just past that range, out of order
                                           "\u20d0", "\u20d2"], 12),
                 st.text(max_size=30)))
def test_a_page_text_left_clean_is_found_the_same_in_utf8(text: str) -> None:
    """Converter.convert asks leaves_every_part_clean of the page's text as lxml serialises it (UTF-8 bytes): the
    same answer as of the decoded text."""
    from exporter.normalise.convert import leaves_every_part_clean, leaves_every_part_clean_utf8

    assert leaves_every_part_clean_utf8(text.encode("utf-8", "surrogatepass")) == leaves_every_part_clean(text)


def test_a_page_text_left_clean_is_found_the_same_in_utf8_for_every_character() -> None:
    from exporter.normalise.convert import leaves_every_part_clean, leaves_every_part_clean_utf8

    for code in range(0x110000):
        for text in (chr(code), f"a{chr(code)}\u00e9"):
            assert leaves_every_part_clean_utf8(text.encode("utf-8", "surrogatepass")) == \
                leaves_every_part_clean(text), hex(code)
    # review-s14: two combining marks for symbols out of order (classes 230, then 1) just past U+2002-U+207F,
    # which the fast path must not accept (one character at a time above cannot show it)
    for text in ("a\u20d0\u20d2", "\u2019\u20d0\u20d2x"):
        assert leaves_every_part_clean_utf8(text.encode("utf-8")) is leaves_every_part_clean(text) is False


def test_a_page_wrapped_in_a_form_converts_as_blocks() -> None:
    """review-s10 B8: a form that wraps the page (ASP.NET) was kept but treated as dropped while the converter
    marked what holds blocks, so everything in it became one paragraph when the converter's root held it."""
    import exporter

    html = ('<html><head><title>T</title></head><body><form id="aspnetForm" action="x.aspx"><div class="wrap">'
            '<h1>Title here</h1>'
            "<p>First paragraph of the article with enough words in it to count as the article text for sure.</p>"
            '<figure><div class="media"><img src="a.png" alt="A photo"><p>Credit line</p></div>'
            "<figcaption>Caption <b>bold</b></figcaption></figure><h2>Section</h2><p>Second paragraph with more "
            "words, more words, and more words again here.</p><ul><li>one</li><li>two<p>para in li</p></li></ul>"
            '</div><input type="text" name="q"></form></body></html>')
    for extract in ("auto", "never"):
        tree = exporter.normalise(html, language="en", extract=extract).tree
        assert [el.tag for el in tree] == ["h2", "p", "figure", "h3", "p", "ul"], extract
        assert tree.find("figure/figcaption") is not None and len(tree.find("ul")) == 2


# --- B9: the converter writes each place of the clean tree's text once ----------------------------------------------
# It appends text piece by piece (a text, a tail, a quotation mark, a space), each piece cleaned on its own, into one
# place: an element's text or its last child's tail. It used to set that lxml text again for every piece, copying all
# of it each time: a paragraph of many inline elements that cannot be moved as they are (<q>, <font> around text to
# compose, spans with ids) took time growing with the square of its length (88 KB of <q>: 3.4 s; 1 MB: some 7
# minutes; review-s10 B9). The pieces now wait and are written once, joined, when text goes elsewhere or before
# anything reads the clean tree's texts. A write missed there would put text out of order: the converter is compared
# here with the old one, which wrote each piece at once (frozen below), on made markup reaching every reader, and a
# hang guard converts the hostile shapes at a size that took minutes.

# --- the old code, frozen: each piece written where it goes at once ------------------------------------------------

def _old_append_as_is(out: etree._Element, text: str | None) -> None:
    if text:
        try:
            last = out[-1]
        except IndexError:
            out.text = (out.text or "") + text
        else:
            last.tail = (last.tail or "") + text


def _old_append_text(out: etree._Element, text: str | None) -> None:  # surgery.append_text
    if text:
        _old_append_as_is(out, clean_text(text))


def _old_append_own_as_is(out: etree._Element, text: str | None) -> None:
    if text:
        out.text = (out.text or "") + text


def _old_append_own_text(out: etree._Element, text: str | None) -> None:
    text = clean_text(text)
    if text:
        out.text = (out.text or "") + text


class _OneByOne(convert.Converter):
    """The converter as it wrote text before: every piece set in the tree at once (nothing ever waits)."""

    def _append_text(self, out, text):
        _old_append_text(out, text)

    def _append_as_is(self, out, text):
        _old_append_as_is(out, text)

    def _append_own_text(self, out, text):
        _old_append_own_text(out, text)

    def _append_own_as_is(self, out, text):
        _old_append_own_as_is(out, text)


def _converted_by(converter_class: type, page: etree._Element) -> tuple[str, list]:
    report = Report()
    tree = converter_class(report, base_url="https://e.org/a/").convert(copy.deepcopy(page))
    return etree.tostring(tree, encoding="unicode"), sorted(report.items())


# --- made markup: every way text reaches the clean tree, and every reader of it ------------------------------------

_B9_PIECES = ["a", "b ", " ", "\n", "e\u0301", "\u0301", "\u0316", "\u0334y", "x\x07", "\x85", "\ufeff", "é", "&amp;", ""]
_B9_INLINE = ["q", "font", "span", "b", "em", "a", "abbr", "sup", "code", "i", "acronym", "wbr", "br", "img", "math"]
_B9_BLOCK = ["p", "div", "figure", "figcaption", "ul", "ol", "li", "table", "tr", "td", "th", "caption", "dl", "dt",
          "dd", "pre", "h2", "blockquote", "script", "section"]
_B9_ATTRIBUTES = ["", ' id="i"', ' lang="fr"', ' dir="rtl"', ' href="https://e.org/x"', ' href="#i"', ' name="n"',
               ' src="https://e.org/p.png"', ' alt="A\u0301"', ' hidden', ' title="T"', ' display="block"',
               ' width="1" height="1"', ' class="c"']


@st.composite
def _text_markup(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 5 if depth < 4 else 0))):
        choice = draw(st.integers(0, 2))
        if choice == 0:
            parts.append(draw(st.sampled_from(_B9_PIECES)))
        else:
            tag = draw(st.sampled_from(_B9_INLINE if choice == 1 else _B9_BLOCK))
            attributes = "".join(draw(st.lists(st.sampled_from(_B9_ATTRIBUTES), max_size=2)))
            parts.append(f"<{tag}{attributes}>{draw(_text_markup(depth + 1))}</{tag}>")
    return "".join(parts)


#: Markup whose text is pending when each reader of the clean tree's texts is called (see the test after)
_READERS = {
    "ensure_block_mode": "<ul><li>a <q>b</q> c</li><ul><li>d</li></ul> e</ul>"
                         "<table><tr><td>x <q>y</q> z</td><div>block</div> tail</tr></table>",
    "lift_images": "<figure><p>a <q>b</q> c<img src='https://e.org/p.png'> d <q>e</q></p>"
                   "<figcaption>cap <q>q</q> t</figcaption></figure>",
    "move_inline_content": "<figure><img src='https://e.org/p.png'><p>credit <q>c</q> x</p>"
                           "<figcaption>cap <font>e\u0301</font> <q>q</q></figcaption></figure>",
}


@settings(max_examples=EXAMPLES, deadline=None)
@given(_text_markup())
@example("<p>" + "<q>a</q> b " * 5 + "<font>e\u0301</font> b <span id='s'>a</span> b</p>")
@example("<p>x\u0316<q>q</q>\u0334y <font>\x85</font> z<br>w<img src='https://e.org/p.png'> v</p>")
@example(_READERS["ensure_block_mode"])
@example(_READERS["lift_images"])
@example(_READERS["move_inline_content"])
@example("<dl>a<dt>t <q>q</q></dt>b<dd>d <q>e</q></dd>c</dl><pre>p <q>q</q><br>r <b>s</b> t</pre>")
@example("<table>a<caption>c <q>q</q></caption><tr>b<td>x</td></tr>c</table><table><caption>d <q>e</q></caption>"
         "</table>")
def test_text_written_once_is_the_text_written_piece_by_piece(markup: str) -> None:
    """The converter's tree and report are those of the old converter, which set each piece at once."""
    try:
        page = parse_html(f"<article><p>Some words.</p>{markup}</article>")
    except ExporterError:
        return
    assert _converted_by(convert.Converter, page) == _converted_by(_OneByOne, page)


def test_the_made_markup_has_text_pending_when_each_reader_is_called(monkeypatch) -> None:
    """The comparison above reaches each reader of the clean tree's texts with text still to write: there, a
    write missed would put text out of order (so the comparison can fail)."""
    pending: dict[str, bool] = {}
    for name in _READERS:
        monkeypatch.setattr(convert.Converter, "_" + name, _spy(name, pending))
    for name, markup in _READERS.items():
        convert.Converter(Report()).convert(parse_html(f"<article>{markup}</article>"))
        assert pending.get(name), name


def _spy(name: str, pending: dict):
    """A stand-in for the converter's method ``_name``: records whether text was pending, then calls it."""
    real = getattr(convert.Converter, "_" + name)

    def spy(converter, *args):
        pending[name] = pending.get(name, False) or bool(converter._pending)
        return real(converter, *args)

    return spy


def test_the_real_pages_convert_as_piece_by_piece() -> None:
    compared = 0
    for path in _real_pages():
        try:
            page = parse_html(path.read_bytes().decode("utf-8", "replace"), str(path))
        except ExporterError:
            continue
        assert _converted_by(convert.Converter, page) == _converted_by(_OneByOne, page), path
        compared += 1
    assert compared > 30


# --- the structure that keeps a write from being missed ------------------------------------------------------------

def test_texts_are_set_only_where_pending_text_is_written() -> None:
    """In the converter, only _flush sets a text or a tail of the clean tree (_move_as_is and _blocks_of_one take
    the tail off an element leaving the page); the surgery functions that read or set the clean tree's texts are
    called through _flushing; the page's texts are joined in one place."""
    source = Path(inspect.getfile(convert)).read_text(encoding="utf-8")
    tree = ast.parse(source)
    sets = []
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef):
            for node in ast.walk(function):
                if isinstance(node, (ast.Assign, ast.AugAssign)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        for leaf in ast.walk(target):
                            if isinstance(leaf, ast.Attribute) and leaf.attr in ("text", "tail"):
                                sets.append((function.name, ast.unparse(leaf)))
    assert sorted(sets) == [("_blocks_of_one", "el.tail"), ("_flush", "node.tail"), ("_flush", "node.text"),
                            ("_move_as_is", "el.tail")]
    called = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
              and isinstance(node.value, ast.Name) and node.value.id == "surgery"}
    flushed = {node.args[0].attr for node in ast.walk(tree) if isinstance(node, ast.Call)
               and getattr(node.func, "id", "") == "_flushing"}
    assert flushed == {"ensure_block_mode", "lift_images"}  # move_inline_content: Converter's own, through the pending text
    assert called - flushed == {"remove_keep_tail"}  # the page's text (the source), not the clean tree's
    joining = [function.name for function in ast.walk(tree) if isinstance(function, ast.FunctionDef)
               for node in ast.walk(function) if isinstance(node, ast.Attribute) and node.attr == "remove_keep_tail"]
    assert joining == ["_take_out_of_page"]  # the one join of the page's texts, checked where it is made
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module == "surgery"
                for alias in node.names}
    assert imported == {"last_child", "UNJOINED_AT_MOST"}  # reads no text (a bound shared with surgery.unwrap_all)


def test_moving_inline_content_writes_what_waits_where_it_stood() -> None:
    """Converter._move_inline_content reads src's text: when it is waiting, it is written first and moves with the
    rest; a tail of src's child waiting moves with the child; text waiting in dest, or anywhere else, stays where it
    was appended (each case fails when the guard is gone or flushes too late)."""
    def made() -> tuple[convert.Converter, etree._Element, etree._Element, etree._Element]:
        converter = convert.Converter(Report())
        holder = etree.Element("div")
        src = etree.SubElement(holder, "p")
        dest = etree.SubElement(holder, "figcaption")
        return converter, holder, src, dest

    converter, holder, src, dest = made()  # src's own text waiting
    converter._append_text(dest, "cap ")
    converter._append_text(src, "credit")
    converter._move_inline_content(src, dest)
    converter._flush()
    assert dest.text == "cap credit"

    converter, holder, src, dest = made()  # a tail of src's last child waiting, then dest's text
    converter._append_text(dest, "cap ")
    converter._flush()
    etree.SubElement(src, "em").text = "b"
    converter._append_text(src, " tail")
    converter._move_inline_content(src, dest)
    converter._append_text(dest, " end")
    converter._flush()
    assert etree.tostring(dest) == b"<figcaption>cap <em>b</em> tail end</figcaption>"

    converter, holder, src, dest = made()  # text waiting elsewhere, src with no text of its own
    other = etree.SubElement(holder, "p")
    converter._append_text(other, "other")
    etree.SubElement(src, "em").text = "b"
    converter._move_inline_content(src, dest)
    converter._flush()
    assert other.text == "other" and etree.tostring(dest) == b"<figcaption><em>b</em></figcaption>"


# --- the clean-page shortcut: a page text joined is checked where it is joined ---------------------------------------

class _CleanPageChecked(convert.Converter):
    """The converter, asserting what its clean-page shortcut rests on: while the page is taken as clean, every
    text of the page it appends or moves as it is, is one clean_text leaves as it is."""

    def _append_as_is(self, out, text):
        assert not self._clean_page or clean_text(text) == (text or ""), repr(text)
        super()._append_as_is(out, text)

    def _append_own_as_is(self, out, text):
        assert not self._clean_page or clean_text(text) == (text or ""), repr(text)
        super()._append_own_as_is(out, text)

    def _move_as_is(self, el, out, attributes=None, unwrap=False, content=False, keys=None):
        if self._clean_page:
            for node in el.iter():
                for piece in (node.text if isinstance(node.tag, str) else None, node.tail if node is not el else None):
                    assert clean_text(piece) == (piece or ""), repr(piece)
        return super()._move_as_is(el, out, attributes, unwrap, content, keys)


#: A figure's caption taken out joins its tail to the text before it: each part clean, the whole not (U+0334
#: sorts before U+0316)
_JOINED = ('<figure><img src="https://e.org/a.png"><img src="https://e.org/b.png"><p>x\u0316<figcaption>c'
           '</figcaption>\u0334y <b>z</b></p></figure><figure><img src="https://e.org/c.png"><div>x\u0316<figcaption>'
           'c</figcaption>\u0334y</div><p>credit</p></figure>')


@settings(max_examples=EXAMPLES, deadline=None)
@given(_text_markup())
@example(_JOINED)
def test_a_page_taken_as_clean_gives_the_converter_only_clean_texts(markup: str) -> None:
    """A text the converter joins on the page is checked there (Converter._take_out_of_page): were it not, the
    joined text would be appended or moved as it is, uncleaned."""
    try:
        page = parse_html(f"<article><p>Some words.</p>{markup}</article>")
    except ExporterError:
        return
    _CleanPageChecked(Report()).convert(page)


def test_the_joined_texts_reach_a_page_taken_as_clean() -> None:
    """The example above is a page taken as clean until its caption is taken out (so the test can fail)."""
    page = parse_html(f"<article><p>Some words.</p>{_JOINED}</article>")
    assert convert.leaves_every_part_clean_utf8(etree.tostring(page, method="text", encoding="utf-8"))
    converter = convert.Converter(Report())
    converter.convert(page)
    assert not converter._clean_page


# --- the hang guard --------------------------------------------------------------------------------------------------

def _paragraph(run: str, count: int) -> str:
    return f"<html><body><article><h1>T</h1><p>{run * count}</p></article></body></html>"


@pytest.mark.timeout(120)  # a hang guard, not a speed test: piece by piece, each took minutes at these sizes
@pytest.mark.parametrize("markup, words", [
    pytest.param(_paragraph("<q>a</q> b ", 90_000), 180_000, id="quotations"),
    pytest.param(_paragraph("<font>e\u0301</font> b ", 60_000), 120_000, id="fonts around text to compose"),
    pytest.param("<html><body><article><h1>T</h1><p>" + "".join(f"<span id='s{n}'>a</span> b " for n in range(40_000))
                 + "</p></article></body></html>", 80_000, id="spans with ids"),
])
def test_a_paragraph_of_many_inline_elements_converts_in_one_pass(markup: str, words: int) -> None:
    """About 1 MB each (quotations: some 7 minutes piece by piece); every word kept."""
    doc = exporter.normalise(markup, origin="h.html", language="en")
    paragraph = doc.tree.find("p")
    assert len("".join(paragraph.itertext()).split()) == words


@pytest.mark.timeout(120)  # a hang guard, not a speed test
@pytest.mark.parametrize("run", ["<span>w</span> ", "<span></span>w ", "w<font><span>x</span></font> "])
def test_elements_unwrapped_by_the_thousand_leave_each_text_one_node(run: str) -> None:
    """A paragraph of many elements the converter unwraps is converted piece by piece past surgery.UNJOINED_AT_MOST, not
    moved with etree.strip_tags: that left each text as text nodes side by side (400,000 here), which lxml joins
    again at every read, one node at a time (seconds a read, for every later pass)."""
    page = parse_html(_paragraph(run, 100_000))
    tree = convert.Converter(Report()).convert(page)
    paragraph = tree.find("p")
    assert all(len(node.xpath("text()")) <= 1 for node in paragraph.iter())
    assert len(paragraph.text.split()) == 100_000


def test_an_element_unwrapping_at_most_so_many_is_moved_as_it_is() -> None:
    """Below the bound, a paragraph is still moved in one step (its text nodes then number at most twice the bound
    and one)."""
    moved = []
    real = convert.Converter._move_as_is

    def counted(self, el, out, attributes=None, unwrap=False, content=False, keys=None):
        result = real(self, el, out, attributes, unwrap, content, keys)
        moved.append((el.tag, result))
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(convert.Converter, "_move_as_is", counted)
        for count, taken in ((convert.UNJOINED_AT_MOST, True), (convert.UNJOINED_AT_MOST + 1, False)):
            moved.clear()
            convert.Converter(Report()).convert(parse_html(_paragraph("<span>w</span> ", count)))
            assert dict(moved)["p"] is taken  # the paragraph's own move (each span's comes after)


@pytest.mark.timeout(60)  # a hang guard, not a speed test: counting the row's cells for each stray piece took minutes
@pytest.mark.parametrize("run, text", [("<td>a</td><span>x</span>", "ax"), ("<td>a</td>t<script></script>u", "atu")])
def test_stray_content_in_a_row_of_many_cells_finds_the_last_cell_at_once(run: str, text: str) -> None:
    """Stray content in a row joins its last cell (4.8 MB here: some 100 s when each asked len(row))."""
    page = parse_html("<article><table><tr>" + run * 200_000 + "</tr></table></article>")
    tree = convert.Converter(Report()).convert(page)
    cells = tree.find("table").find("tbody").find("tr")
    assert len(cells) == 200_000 and cells[0].text == cells[-1].text == text


@pytest.mark.timeout(60)  # a hang guard, not a speed test: the caption's text set again for each line took minutes
def test_credit_lines_beside_one_image_join_its_caption_at_once() -> None:
    """Each paragraph beside a figure's one image joins its caption (1.5 MB of them here: 380 KB took 8.5 s when
    each was written into the caption at once)."""
    page = parse_html("<article><figure><img src='https://e.org/a.png'><figcaption>c</figcaption>"
                      + "<p>credit words</p>" * 80_000 + "</figure></article>")
    tree = convert.Converter(Report()).convert(page)
    caption = tree.find("figure").find("figcaption")
    assert caption.text.split() == ["c"] + ["credit", "words"] * 80_000


@pytest.mark.timeout(60)  # a hang guard, not a speed test: each level copied its content and marked it again
@pytest.mark.parametrize("opening, closing", [("<dl><dt>t</dt><dd>q1 ", "</dd></dl>"), ("<ul><div>q1 ", "</div></ul>"),
                                              ("<ol><li>x</li><blockquote>q1 ", "</blockquote></ol>")])
def test_nested_definitions_and_blocks_in_lists_are_converted_where_they_stand(opening: str, closing: str) -> None:
    """A definition, or a block straight inside a list, was converted from a copy of it, every element of the copy
    marked again (and kept by the marks): each level of a stack paid for all the levels below it. 20 stacks of 250
    levels (some 0.3 MB): 14 to 22 s and over 1 GB that way (a loaded machine), under 1.2 s now."""
    page = parse_html("<article>" + (opening * 250 + "w" + closing * 250) * 20 + "</article>")
    page_elements = sum(1 for _ in page.iter())
    converter = convert.Converter(Report())
    with deep_recursion():  # as the normaliser converts: a level of nesting is a few frames
        tree = converter.convert(page)
    assert len(converter._has_blocks) < 2 * page_elements  # the page's, and one holder a level (1,259,983 copied)
    assert "".join(tree.itertext()).count("q1") == 250 * 20


@pytest.mark.timeout(30)  # a hang guard, not a speed test: each level gave its language to every block again
def test_nested_languages_reach_their_blocks_once() -> None:
    """Each of 2,000 nested ``<div lang dir>`` gave its language and direction to all 50,000 paragraphs made inside
    it, reading each again (old: 20 s for 20,000 paragraphs, so some 50 s here; now 0.2 s): the runs an inner
    element covered are stepped over. Every paragraph gets the innermost language, as before."""
    page = parse_html("<article>" + '<div lang="de">' + '<div lang="fr" dir="rtl">' * 2_000 + "<p>t</p>" * 50_000
                      + "</div>" * 2_000 + '<p lang="es">u</p><p>v</p></div></article>')
    with deep_recursion():
        tree = convert.Converter(Report()).convert(page)
    paragraphs = [(p.get("lang"), p.get("dir")) for p in tree.iter("p")]
    assert paragraphs == [("fr", "rtl")] * 50_000 + [("es", None), ("de", None)]
