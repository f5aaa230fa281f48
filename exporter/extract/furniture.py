"""Page furniture: what a page holds around its article, told from the markup's own words.

Class names, ids, ARIA roles and elements name what a box is (``comments``, ``related``,
``newsletter``, ``cookie-banner``, ``role=navigation``, ``<footer>``); a box mostly made of links is a
menu or a list of other stories. Each kind has a name the report uses.
"""
from __future__ import annotations

import re

from lxml import etree

#: Kinds of furniture, in the order they are tried, each with the class/id words that name it.
KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rf"(?:^|[\s_-])(?:{words})(?:$|[\s_-]|\d)", re.IGNORECASE)) for kind, words in (
        ("comments", r"comments?|commentlist|disqus|respond|replies|reply|discussion|talkback|responses"),
        ("cookie and consent banners", r"cookies?|consent|gdpr|privacy-?banner"),
        ("newsletter and subscription boxes", r"newsletters?|subscribe|subscription|sign-?up|paywall|"
                                              r"registration|optin|opt-in"),
        ("related-story lists", r"related|recommended|recommendations?|more-?stories|read-?more|also-?read|"
                                r"most-?popular|popular|trending|outbrain|taboola|teasers?|more-?from|"
                                r"next-?up|you-?might|further-?reading"),
        ("sharing and social buttons", r"share|sharing|social|sharetools|addthis|sociable|follow-?us"),
        ("advertising", r"ads?|advert|advertisement|advertising|sponsor|sponsored|promo|promotions?|"
                        r"dfp|banner-?ad|ad-?slot|adslot|adunit|ad-?container|commercial"),
        ("navigation, headers, sidebars and footers", r"nav|navbar|navigation|menu|menubar|breadcrumbs?|"
                                                      r"sidebar|side-?bar|rail|footer|site-?footer|"
                                                      r"site-?header|masthead|toolbar|pagination|"
                                                      r"pager|skip-?link|widget|topbar|top-?bar"),
    ))
#: ARIA landmark roles of furniture.
_ROLES = {"navigation": "navigation, headers, sidebars and footers", "banner": "navigation, headers, sidebars and footers",
          "contentinfo": "navigation, headers, sidebars and footers",
          "complementary": "navigation, headers, sidebars and footers", "search": "navigation, headers, sidebars and footers",
          "menu": "navigation, headers, sidebars and footers", "menubar": "navigation, headers, sidebars and footers",
          "dialog": "cookie and consent banners", "alertdialog": "cookie and consent banners"}
#: Elements that are furniture by what they are.
_TAGS = {"nav": "navigation, headers, sidebars and footers", "footer": "navigation, headers, sidebars and footers",
         "aside": "navigation, headers, sidebars and footers", "menu": "navigation, headers, sidebars and footers",
         "form": "navigation, headers, sidebars and footers", "dialog": "cookie and consent banners"}
#: Words outside the article in no named box: titles, datelines, unnamed menus and boxes.
OTHER = "the rest of the page around the article"
WORD = re.compile(r"[^\W_]+")


#: Not inside scripts, styles or templates: what a reader sees
_SEEN = "[not(ancestor::script or ancestor::style or ancestor::template)]"
#: The text nodes a reader sees. ``descendant::text()``, not ``.//text()``: libxml2 gathers the latter's text
#: children element by element and merges each batch in, in time quadratic in the page (16,000 list items: 2.7 s)
VISIBLE_TEXT = etree.XPath("descendant::text()" + _SEEN)


def words(el: etree._Element) -> int:
    """Words of ``el``'s visible text."""
    return len(WORD.findall(" ".join(VISIBLE_TEXT(el))))


#: Parts of a table: a cell's class (``header_cell``) says how it looks, not what the table is.
_TABLE_PARTS = frozenset({"td", "th", "tr", "tbody", "thead", "tfoot", "caption", "col", "colgroup"})


def named_kind(el: etree._Element) -> str | None:
    """The furniture kind ``el``'s own markup names (element, role, class or id), or None."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _TABLE_PARTS:
        return None
    role = (el.get("role") or "").strip().lower()
    if role.startswith("doc-"):  # DPUB-ARIA roles name parts of a publication: notes, chapters, credits
        return None
    if role in _ROLES:
        return _ROLES[role]
    if tag in _TAGS:
        return _TAGS[tag]
    names = f"{el.get('class') or ''} {el.get('id') or ''}"
    if names.strip():
        for kind, pattern in KINDS:
            if pattern.search(names):
                return kind
    return None


#: The text nodes of links below the element (outermost or not, each text once) a reader sees: those with more
#: ``a`` ancestors than the element and its ancestors hold (``$outside``). One path, not ``.//a//text()``,
#: which libxml2 merges link by link in time quadratic in the page (16,000 links: 5.6 s)
LINK_TEXT = etree.XPath("descendant::text()[count(ancestor::a) > $outside]" + _SEEN)


def link_density(el: etree._Element) -> float:
    """Share of ``el``'s words that are link text."""
    total = words(el)
    if not total:
        return 0.0
    outside = sum(1 for _ in el.iterancestors("a")) + (el.tag == "a")
    return len(WORD.findall(" ".join(LINK_TEXT(el, outside=outside)))) / total


def is_furniture(el: etree._Element) -> str | None:
    """The kind of furniture ``el`` is (by its markup, or a box of links), or None when it may be article."""
    kind = named_kind(el)
    if kind:
        return kind
    if words(el) and link_density(el) > 0.5:
        return OTHER
    return None
