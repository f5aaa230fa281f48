"""Hostile shapes that used to take quadratic time, and the code that now takes them in one step.

Paths: libxml2 evaluates a union ``a | b``, a parent step ``/..`` and a ``.//x//text()``-style path by merging
node sets batch by batch, in time quadratic in their size (40,000 elements: seconds; 4 MB: minutes). Every XPath
the package compiles is run here on pages of 64,000 elements of the shapes that hurt (a hang guard), and each
path rewritten to avoid them is compared with the old one.

Passes that unwrap or move many elements of one block do it in one step, with the output of one by one.

unique-ids (links to missing anchors), drop-redundant-language (spans of the article's own language) and
bound-table-grids (a table too large to lay out) used to unwrap or insert element by element: each join
re-set the text gathered so far in the paragraph, or counted to its position, so a paragraph of many such
elements took quadratic time (1 MB: 8 s; 469 KB of spans with ids and links to them: 23 s; a 464 KB ragged
table: 6 s; review-s10 B5, B6, B7). Each test compares the pass with a frozen copy of the old one-by-one
code on made trees, and a hang guard runs the hostile shapes at a size that took minutes.
"""
from __future__ import annotations

import ast
import copy
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
import lxml.html
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import exporter
from exporter.document import Report
from exporter.extract import furniture
from exporter.normalise import article, repair, tables, transforms
from exporter.normalise.notes import ID_VALUES
from exporter.tree import BLOCKS, GLOBAL_ATTRIBUTES, INLINES

EXAMPLES = 100


# --- the old code, frozen: one unwrap or insert at a time ----------------------------------------------------------

def _old_unwrap(el: etree._Element) -> None:
    parent = el.getparent()
    index = parent.index(el)
    prev = el.getprevious()
    if el.text:
        if prev is not None:
            prev.tail = (prev.tail or "") + el.text
        else:
            parent.text = (parent.text or "") + el.text
    children = list(el)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    last = children[-1] if children else el.getprevious()
    if el.tail:
        if last is not None:
            last.tail = (last.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _old_drop_redundant_language(state) -> None:
    tree, language = state.tree, state.metadata.language
    found = [value.getparent() if isinstance(value, str) else value
             for value in tree.xpath("descendant-or-self::*/@lang | descendant-or-self::span")]
    for el in dict.fromkeys(found):
        if el.get("lang") and el.get("lang").lower() == language.lower():
            del el.attrib["lang"]
        if el.tag == "span" and not el.get("lang") and not el.get("dir"):
            ident = el.get("id")
            if ident:
                block = el.getparent()
                while block.tag in INLINES:
                    block = block.getparent()
                new = block.get("id") or ident
                block.set("id", new)
                for a in tree.iter("a"):
                    if a.get("href") == "#" + ident:
                        a.set("href", "#" + new)
            _old_unwrap(el)


def _old_unlink_missing(state) -> None:
    """unique-ids as it was (its renaming part is unchanged; the unwrapping of links was one by one)."""
    root, report = state.tree, state.report
    renamed: dict[str, str] = {}
    seen: set[str] = set()
    numbers: dict[str, int] = {}
    for old in ID_VALUES(root):
        new = old if transforms._ID.match(old) else "id-" + transforms._NOT_ID.sub("-", old).strip("-")
        if new == "id-":
            new = "id"
        if new in seen:
            base, n = new, numbers.get(new, 2)
            new = f"{base}-{n}"
            while new in seen:
                n += 1
                new = f"{base}-{n}"
            numbers[base] = n + 1
        seen.add(new)
        renamed.setdefault(old, new)
        if new != old:
            old.getparent().set("id", new)
            report.note("renamed {n} duplicate or malformed id{s}")
    for a in list(root.iter("a")):
        href = a.get("href", "")
        if not href.startswith("#"):
            continue
        target = renamed.get(href[1:]) or renamed.get(unquote(href[1:]))
        if target:
            a.set("href", "#" + target)
        else:
            _old_unwrap(a)
            report.note("unlinked {n} link{s} to missing anchors")


def _old_unwrap_table(table: etree._Element) -> None:
    blocks: list[etree._Element] = []
    caption = next(table.iterchildren("caption"), None)
    if caption is not None:
        caption.tag = "p"
        blocks.append(caption)
    for row in tables._rows(table):
        for cell in row:
            if len(cell) and cell[0].tag in BLOCKS:
                for child in cell:
                    child.tail = None
                blocks.extend(cell)
                if cell.get("id") and not cell[0].get("id"):
                    cell[0].set("id", cell.get("id"))
                continue
            if not (cell.text or "").strip() and not len(cell):
                continue
            p = etree.Element("p", {k: v for k, v in cell.attrib.items() if k in GLOBAL_ATTRIBUTES})
            p.text = cell.text
            p.extend(cell)
            blocks.append(p)
    if table.get("id") and blocks and not blocks[0].get("id"):
        blocks[0].set("id", table.get("id"))
    parent = table.getparent()
    index = parent.index(table)
    tail = table.tail
    parent.remove(table)
    for offset, block in enumerate(blocks):
        parent.insert(index + offset, block)
    if blocks:
        blocks[-1].tail = tail


# --- made trees --------------------------------------------------------------------------------------------------

_IDS = ["a", "b", "c", "x y", "n%20b"]
texts = st.sampled_from([None, "", " ", "word", "two words ", "é"])
attributes = st.fixed_dictionaries({}, optional={
    "lang": st.sampled_from(["en", "EN", "fr", "", "en-GB"]), "dir": st.sampled_from(["rtl", "ltr"]),
    "id": st.sampled_from(_IDS)})
link_attributes = st.fixed_dictionaries({}, optional={
    "href": st.sampled_from(["#a", "#b", "#c", "#x y", "#n b", "#nowhere", "#", "http://e.org/#a", ""]),
    "id": st.sampled_from(_IDS)})


@st.composite
def inline(draw, depth: int = 0) -> etree._Element:
    tag = draw(st.sampled_from(["span", "span", "a", "em", "strong", "br"] if depth < 3 else ["br", "span"]))
    el = etree.Element(tag, draw(link_attributes if tag == "a" else attributes))
    if tag != "br":
        el.text = draw(texts)
        for child in draw(st.lists(inline(depth + 1), max_size=3)):
            el.append(child)
    el.tail = draw(texts)
    return el


@st.composite
def articles(draw) -> etree._Element:
    root = etree.Element("article")
    for _ in range(draw(st.integers(1, 3))):
        block = etree.SubElement(root, draw(st.sampled_from(["p", "h2", "li"])), draw(st.fixed_dictionaries(
            {}, optional={"id": st.sampled_from(_IDS + ["block"]), "lang": st.sampled_from(["en", "fr"])})))
        block.text = draw(texts)
        for child in draw(st.lists(inline(), max_size=5)):
            block.append(child)
    return root


def _state(tree: etree._Element, language: str = "en") -> SimpleNamespace:
    return SimpleNamespace(tree=tree, report=Report(), metadata=SimpleNamespace(language=language))


def _both(new, old, tree: etree._Element, **kwargs) -> tuple[tuple[bytes, list], tuple[bytes, list]]:
    fast, slow = _state(copy.deepcopy(tree), **kwargs), _state(copy.deepcopy(tree), **kwargs)
    new(fast)
    old(slow)
    return ((etree.tostring(fast.tree), fast.report.lines()), (etree.tostring(slow.tree), slow.report.lines()))


@settings(max_examples=EXAMPLES, deadline=None)
@given(articles(), st.sampled_from(["en", "fr", "EN"]))
def test_drop_redundant_language_is_the_one_by_one_unwrap(tree: etree._Element, language: str) -> None:
    fast, slow = _both(article.drop_redundant_language, _old_drop_redundant_language, tree, language=language)
    assert fast == slow


@settings(max_examples=EXAMPLES, deadline=None)
@given(articles())
def test_unique_ids_unlinks_as_the_one_by_one_unwrap(tree: etree._Element) -> None:
    fast, slow = _both(transforms.unique_ids, _old_unlink_missing, tree)
    assert fast == slow


def test_the_made_trees_reach_what_the_passes_change() -> None:
    """The strategies are not vacuous: a span moving its id to its block with a link following it, a span
    inside a span, and a link to a missing anchor inside another are among the cases the old code handles."""
    tree = etree.fromstring('<article><p>x <span lang="en" id="a">one <span id="b">two</span></span> y'
                            '<a href="#a">to a</a> <a href="#b">to b</a> <em><a href="#none">gone'
                            '<a href="#gone">too</a></a></em> end</p></article>')
    fast, slow = _both(article.drop_redundant_language, _old_drop_redundant_language, tree)
    assert fast == slow and b"<span" not in fast[0] and b'href="#a"' in fast[0] and b'href="#b"' not in fast[0]
    fast, slow = _both(transforms.unique_ids, _old_unlink_missing, tree)
    assert fast == slow and b"gone" in fast[0] and b"#none" not in fast[0] and b"#gone" not in fast[0]


def test_a_moved_id_that_moves_again_takes_the_links_along() -> None:
    """Copies of one id (a page the other passes left so): the old one-by-one loop pointed the links at the
    first move and then moved them on; following the moves from the last back gives the same."""
    tree = etree.fromstring('<article><p id="b">x <span id="a">one</span></p><p><span id="b">two</span>'
                            '<span id="a">three</span></p><p><a href="#a">1</a><a href="#b">2</a></p></article>')
    fast, slow = _both(article.drop_redundant_language, _old_drop_redundant_language, tree)
    assert fast == slow


@st.composite
def tables_to_unwrap(draw) -> etree._Element:
    root = etree.Element("article")
    etree.SubElement(root, "p").text = "before"
    table = etree.SubElement(root, "table", draw(st.fixed_dictionaries({}, optional={"id": st.just("t")})))
    table.tail = draw(texts)
    if draw(st.booleans()):
        caption = etree.SubElement(table, "caption", draw(st.fixed_dictionaries({}, optional={"id": st.just("c")})))
        caption.text = "Caption"
        caption.tail = draw(texts)
    body = etree.SubElement(table, draw(st.sampled_from(["tbody", "thead"])))
    for _ in range(draw(st.integers(0, 4))):
        row = etree.SubElement(body, "tr")
        for _ in range(draw(st.integers(0, 4))):
            cell = etree.SubElement(row, draw(st.sampled_from(["td", "th"])), draw(st.fixed_dictionaries(
                {}, optional={"id": st.sampled_from(["d", "e"]), "lang": st.just("fr"), "colspan": st.just("2")})))
            if draw(st.booleans()):
                for _ in range(draw(st.integers(1, 2))):
                    block = etree.SubElement(cell, "p", draw(st.fixed_dictionaries({}, optional={"id": st.just("f")})))
                    block.text = "block"
                    block.tail = draw(texts)
            else:
                cell.text = draw(texts)
                for child in draw(st.lists(inline(), max_size=2)):
                    cell.append(child)
    if draw(st.booleans()):
        etree.SubElement(root, "p").text = "after"
    return root


@settings(max_examples=EXAMPLES, deadline=None)
@given(tables_to_unwrap())
def test_a_table_unwraps_as_inserting_block_by_block(tree: etree._Element) -> None:
    fast, slow = copy.deepcopy(tree), copy.deepcopy(tree)
    tables._unwrap(fast.find("table"))
    _old_unwrap_table(slow.find("table"))
    assert etree.tostring(fast) == etree.tostring(slow)


def _paragraph(piece: str, count: int) -> etree._Element:
    return etree.fromstring(f"<article><p>{piece * count}</p></article>")


def _table(cells: int) -> etree._Element:
    """One row of ``cells`` cells, then ``cells`` rows of one: a grid no writer lays out, unwrapped to paragraphs."""
    return etree.fromstring("<article><table><tbody><tr>" + "<td>c</td>" * cells + "</tr>"
                            + "<tr><td>c</td></tr>" * cells + "</tbody></table></article>")


@pytest.mark.timeout(120)  # a hang guard, not a speed test: one by one, each took many minutes at these sizes
@pytest.mark.parametrize("run, tree, words, gone", [
    pytest.param(transforms.unique_ids, lambda: _paragraph('<a href="#nowhere">word</a> ', 200_000), 200_000, "a",
                 id="links to a missing anchor"),
    pytest.param(article.drop_redundant_language, lambda: _paragraph('<span lang="en">word</span> ', 200_000),
                 200_000, "span", id="spans in the article's language"),
    pytest.param(article.drop_redundant_language,
                 lambda: _paragraph("".join(f'<span lang="en" id="s{n}">w</span> <a href="#s{n}">l</a> '
                                            for n in range(50_000)), 1), 100_000, "span", id="spans with ids, linked"),
    pytest.param(tables.bound_table_grids, lambda: _table(100_000), 200_000, "table", id="a ragged table"),
])
def test_many_unwraps_in_one_block_take_one_pass(run, tree, words: int, gone: str) -> None:
    """Each shape ends with every word kept and the elements to go gone."""
    state = _state(tree())
    run(state)
    text = state.tree.xpath("string()")
    assert len(text.split()) == words if " " in text else text.count("c") == words  # a paragraph a cell: no spaces
    assert next(state.tree.iter(gone), None) is None


# --- flatten-deep-nesting: everything below --max-depth unwrapped at once -----------------------------------------

def _old_flatten_deep_nesting(state) -> None:
    """flatten-deep-nesting as it was: lxml.html's drop_tag of each element below --max-depth, deepest first."""
    root, max_depth, report = state.page, state.settings.max_depth, state.report
    deep: list[etree._Element] = []
    stack = [(root, 0)]
    while stack:
        el, depth = stack.pop()
        for child in el:
            if isinstance(child.tag, str):
                if depth + 1 > max_depth:
                    deep.append(child)
                stack.append((child, depth + 1))
    for el in reversed(deep):
        el.drop_tag()
    if deep:
        report.note("flattened {n} over-deep element{s}", len(deep))


_WORDS = st.sampled_from(["", " ", "a", "b c", " d ", "\u00e9\u0301", "x\u200by", "&amp;", "&lt;q&gt;"])


@st.composite
def nested_markup(draw, depth: int = 0) -> str:
    """Markup of nested elements (inline and block, some empty, void ones), text and tails of every kind."""
    parts = [draw(_WORDS)]
    for _ in range(draw(st.integers(0, 3 if depth < 6 else 0))):
        tag = draw(st.sampled_from(["b", "span", "div", "p", "a", "i", "li", "br", "img"]))
        if tag in ("br", "img"):
            parts.append(f"<{tag}>")
        else:
            parts.append(f"<{tag}>{draw(nested_markup(depth + 1))}</{tag}>")
        parts.append(draw(_WORDS))
    return "".join(parts)


def _page_state(markup: str, max_depth: int) -> SimpleNamespace:
    from exporter import read

    body = read.child_named(read.parse_html("<div>" + markup + "</div>"), "body")
    return SimpleNamespace(page=body, report=Report(), settings=SimpleNamespace(max_depth=max_depth))


@settings(max_examples=EXAMPLES, deadline=None)
@given(nested_markup(), st.integers(1, 6))
def test_flatten_deep_nesting_is_drop_tag_of_each(markup: str, max_depth: int) -> None:
    """Unwrapped at once, the page is what drop_tag of each deep element, deepest first, made of it."""
    from exporter.normalise import page as pages

    fast, slow = _page_state(markup, max_depth), _page_state(markup, max_depth)
    pages.flatten_deep_nesting(fast)
    _old_flatten_deep_nesting(slow)
    assert etree.tostring(fast.page) == etree.tostring(slow.page)
    assert fast.report.lines() == slow.report.lines()


def test_flatten_keeps_a_comment_where_drop_tag_leaves_it() -> None:
    """A tree with other nodes than elements (not one the HTML parser makes) is unwrapped one by one, as before."""
    from exporter.normalise import page as pages

    def made() -> SimpleNamespace:
        page = lxml.html.fragment_fromstring("<div><p>a<b>b<!--c-->d<i>e</i>f</b>g</p>h</div>")
        return SimpleNamespace(page=page, report=Report(), settings=SimpleNamespace(max_depth=1))

    fast, slow = made(), made()
    pages.flatten_deep_nesting(fast)
    _old_flatten_deep_nesting(slow)
    assert etree.tostring(fast.page) == etree.tostring(slow.page) == b"<div><p>ab<!--c-->defg</p>h</div>"


@pytest.mark.timeout(120)  # a hang guard, not a speed test: one by one, 40,000 took 79 s and 200,000 would take ~30 min
def test_a_wide_paragraph_below_the_depth_limit_is_flattened_in_one_pass() -> None:
    """300 levels of nesting (over the default --max-depth of 256) around a paragraph of 200,000 inline elements."""
    markup = "<div>" * 300 + "<p>" + "<b>w</b> x " * 200_000 + "</p>" + "</div>" * 300
    document = exporter.normalise(markup, origin="deep.html", language="en")
    text = document.text
    assert text.count("w") == 200_000 and text.count("x") == 200_000
    assert document.report["flattened {n} over-deep element{s}"] > 200_000


@pytest.mark.timeout(120)  # a hang guard, not a speed test: each took ~0.8 s at 20,000 breaks, minutes at these sizes
@pytest.mark.parametrize("paragraph", ["<p>" + "<br>" * 300_000 + "x</p>", "<p>x" + "<br>" * 300_000 + "</p>"],
                         ids=["breaks-first", "breaks-last"])
def test_a_paragraph_of_many_line_breaks_is_trimmed_in_one_pass(paragraph: str) -> None:
    """split-double-breaks and the tidying trim the breaks at a block's edges one by one; lxml's len() counts a block's
    children one by one, so asking it at each break made a paragraph of n breaks cost n² (hunt s15)."""
    markup = "<article><p>Some words of the article.</p>" + paragraph + "</article>"
    document = exporter.normalise(markup, origin="breaks.html", language="en")
    assert document.tree.find(".//br") is None
    assert [p.text for p in document.tree.iter("p")] == ["Some words of the article.", "x"]


@pytest.mark.timeout(120)  # a hang guard: 200 nested <em> around 16,000 "w<br><br>" (0.15 MB) took 16.5 s and 981 MB
def test_cutting_at_double_breaks_nested_deep_makes_a_bounded_number_of_copies() -> None:
    """Each cut copies the inline elements around the break into the part after it: past SPLIT_COPIES_PER_BREAK a
    line break of the paragraph, the double breaks left stay line breaks (every word kept); at real depths every
    double break is cut."""
    deep = ("<article><p>Words of the article.</p><p>" + "<em>" * 200 + "w<br><br>" * 16_000 + "</em>" * 200
            + "</p></article>")
    document = exporter.normalise(deep, origin="deep.html", language="en")
    assert document.text.count("w") == 16_000
    assert len(document.to_xml()) < 40 * len(deep)  # was ~200 times the input
    assert document.report["left {n} paragraph{s} unsplit past a double line break nested too deep"] == 1
    shallow = ("<article><p>Words of the article.</p><p><em><b><a href='x'>" + "w<br><br>" * 2_000
               + "</a></b></em></p></article>")
    document = exporter.normalise(shallow, origin="shallow.html", language="en")
    assert document.report["split {n} paragraph{s} at double line breaks"] == 2_000
    assert "left {n} paragraph{s} unsplit past a double line break nested too deep" not in document.report


# lxml's insert(i) walks to index i, and its len() counts the children one by one: asked once a child, n² (wd-s15)
@pytest.mark.timeout(60)  # a hang guard: 80,000 took 49 s (len(holder) after each back-link removed)
def test_many_back_links_in_one_inline_holder_are_dropped_in_one_pass() -> None:
    markup = ('<article><p>Text<sup><a id="r1" href="#n1">1</a></sup> more words of the article.</p><ol><li id="n1">'
              'The note <em>' + '<a href="#r1">^</a>' * 150_000 + '</em> end.</li></ol></article>')
    document = exporter.normalise(markup, origin="notes.html", language="en")
    assert "^" not in document.text and "The note end." in " ".join(document.text.split())


@pytest.mark.timeout(60)  # a hang guard: 80,000 took 47 s (each child inserted at its index in unwrap)
def test_a_bold_line_of_many_inline_elements_is_unwrapped_in_one_pass() -> None:
    markup = ("<article><p>Intro paragraph here.</p><p><strong>Heading" + "<em>-</em>" * 150_000 + "x</strong></p>"
              "<p>Body text follows.</p></article>")
    document = exporter.normalise(markup, origin="bold.html", language="en")
    assert document.text.count("-") == 150_000


@pytest.mark.timeout(60)  # a hang guard: 40,000 runs in one text took 92 s, 10,000 in tails 29 s (insert at index)
@pytest.mark.parametrize("paragraph, runs", [("x + y = z ab " * 60_000, 60_000),
                                             ("<b>w</b> x + y = z ab" * 30_000, 30_000)], ids=["text", "tails"])
def test_the_print_markup_spaces_many_runs_of_symbols_in_one_pass(paragraph: str, runs: int) -> None:
    from exporter.writers.pdf.markup import space_single_characters

    root = etree.fromstring("<div><p>" + paragraph + "</p></div>")
    words = "".join(root.itertext()).split()
    assert space_single_characters(root) == runs
    assert "".join(root.itertext()).split() == words


@pytest.mark.timeout(60)  # a hang guard: 80,000 sentences of one text took 55 s (each span inserted at its index)
def test_kobo_spans_wrap_many_sentences_of_one_text_in_one_pass() -> None:
    from exporter.writers.kepub.spans import add_kobo_spans

    body = etree.fromstring('<body xmlns="http://www.w3.org/1999/xhtml"><p>' + "Yes it is. " * 150_000 + "</p></body>")
    assert add_kobo_spans(body) == 150_000
    spans = body[0]
    assert [span.text for span in spans[:2]] == ["Yes it is. ", "Yes it is. "] and len(spans) == 150_000


# --- XPath: no union, no parent step, no descendant path merged batch by batch ---------------------------------------

def _package_paths() -> list[str]:
    """Every XPath the package compiles or asks (string literals, and module constants they are built from)."""
    found = []
    for module in sorted(Path(exporter.__file__).parent.rglob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        constants = {node.targets[0].id: node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
                     and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("XPath", "xpath") and node.args:
                argument = node.args[0]
                if isinstance(argument, ast.Name) and argument.id in constants:
                    argument = constants[argument.id]
                try:
                    found.append(eval(compile(ast.Expression(argument), str(module), "eval"),  # noqa: S307
                                      {name: ast.literal_eval(value) for name, value in constants.items()
                                       if isinstance(value, ast.Constant)}))
                except Exception:  # noqa: BLE001 - a path built at run time (page.py's depth path): not a literal
                    continue
    return sorted(set(found))


PATHS = _package_paths()


def test_the_package_paths_are_found() -> None:
    assert len(PATHS) >= 12
    assert furniture.LINK_TEXT.path in PATHS and repair._CLASS_VALUES.path in PATHS


def test_no_package_path_takes_a_form_libxml2_merges_in_quadratic_time() -> None:
    """No union, no parent step, and ``//`` only where a path starts (``.//`` and ``a//b`` gather node sets
    element by element and merge each in: ``descendant::`` says the same in one step)."""
    for path in PATHS:
        assert "|" not in path and "/.." not in path and "//" not in path.lstrip("/"), path


def _hostile_pages(n: int) -> list[lxml.html.HtmlElement]:
    """A flat page of elements with every attribute the paths look for, and a list of links with inline text."""
    flat = ('<p class="author byline box" id="i" lang="en" rel="author" itemprop="author" style="x" hidden>w '
            '<span lang="en">s</span></p>')
    link = '<li><a href="/p" class="author"><b>Link</b> x</a> t</li>'
    return [lxml.html.document_fromstring(f"<html><body><div>{flat * n}</div></body></html>"),
            lxml.html.document_fromstring(f"<html><body><main><ul>{link * n}</ul></main></body></html>")]


@pytest.mark.timeout(120)  # a hang guard, not a speed test: a union or parent step took minutes on these
def test_every_package_path_is_linear_on_hostile_pages() -> None:
    pages = _hostile_pages(64_000)
    for path in PATHS:
        compiled = etree.XPath(path)
        variables = {name: 0 for name in ("depth", "outside") if "$" + name in path}
        for page in pages:
            compiled(page.find("body"), **variables)


_html_pieces = st.sampled_from([
    "w ", "<a href='x'>", "</a>", "<b>", "</b>", "<script>s</script>", "<style>y</style>", "<template>t</template>",
    "<div class='author' id='d'>", "</div>", "<p lang='en'>", "</p>", "<span lang='fr' class='c'>", "</span>",
    "<li><a class='x'>l</a> t</li>", "<!-- c -->", "<a id='a'><span>n</span></a>"])


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(_html_pieces, max_size=30).map("".join))
def test_rewritten_paths_find_what_the_old_ones_found(body: str) -> None:
    page = lxml.html.document_fromstring(f"<html><body><div>{body}</div></body></html>")
    for el in page.iter(etree.Element):
        assert furniture.VISIBLE_TEXT(el) == el.xpath(
            ".//text()[not(ancestor::script or ancestor::style or ancestor::template)]")
        outside = sum(1 for _ in el.iterancestors("a")) + (el.tag == "a")
        assert furniture.LINK_TEXT(el, outside=outside) == el.xpath(
            ".//a//text()[not(ancestor::script or ancestor::style or ancestor::template)]")
    union = page.xpath("descendant::*/@class | descendant::*/@id")
    assert sorted(repair._class_and_id_values(page)) == sorted(union)
    hinted = {value.getparent() for value in union if repair._BOX.search(value) or repair._PULL.search(value)}
    assert repair._hinted_elements(page) == [el for el in page.iterdescendants() if el in hinted]
