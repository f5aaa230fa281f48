"""Fonts and the stylesheet: each face of the theme the book uses, subset to the glyphs it draws, with its licence."""
from __future__ import annotations

import logging
import re
from pathlib import Path

from ebooklib import epub
from lxml import etree

from ... import themes
from ...fontsubset import subset_font
from .document import CSS_FILE

log = logging.getLogger("exporter")


def embed_fonts_and_style(eb: epub.EpubBook, theme: themes.Theme, pages: list[etree._Element]) -> None:
    """Add the faces ``pages`` need (subset), their licence files and the book's stylesheet to ``eb``."""
    wanted = text_by_face(theme.faces, pages)
    faces = []
    licences: list[str] = []
    for face in theme.faces:
        if face not in wanted:
            continue  # nothing in the book is set in this face (no code, no bold italic…): it stays out
        try:
            data = subset_font(face.path, wanted[face])
        except ValueError as exc:
            log.warning("font %s left out: %s", face.path.name, exc)
            continue
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", face.path.stem).strip("-.") or "font"
        name = f"fonts/{stem}.{face.path.suffix.lstrip('.').lower()}"
        eb.add_item(epub.EpubItem(uid=f"font-{stem}", file_name=name, media_type=face.media_type, content=data))
        _licences(eb, face.path.parent, licences)
        faces.append(f'@font-face {{ font-family: "{face.family}"; src: url("../{name}"); '
                     f"font-weight: {face.weight}; font-style: {face.style}; }}")
    css = "\n".join(faces) + "\n" + theme.stylesheet("epub")
    eb.add_item(epub.EpubItem(uid="style", file_name=CSS_FILE, media_type="text/css", content=css.encode("utf-8")))


def _licences(eb: epub.EpubBook, folder: Path, licences: list[str]) -> None:
    """The licence and copyright files that sit beside an embedded font travel with it (the OFL asks so)."""
    for path in sorted(folder.glob("*.txt")):
        if not re.match(r"(OFL|LICEN[CS]E|COPYRIGHT|COPYING)", path.name, re.IGNORECASE):
            continue
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{folder.name}-{path.name}").strip("-.")
        name = f"fonts/licences/{slug}"
        if any(item.file_name == name for item in eb.get_items()):
            continue
        eb.add_item(epub.EpubItem(uid=f"licence-{len(licences) + 1}", file_name=name,
                                  media_type="text/plain", content=path.read_bytes()))
        licences.append(name)


#: What the stylesheets set bold, italic or monospaced (a superset is harmless: it only keeps a face).
_BOLD = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "th", "strong", "b"})
_ITALIC = frozenset({"em", "i", "blockquote", "figcaption", "caption"})
_ITALIC_CLASSES = frozenset({"subtitle", "image-alt", "description"})
_MONO = frozenset({"pre", "code"})


def text_by_face(faces: tuple[themes.FontFace, ...], pages: list[etree._Element]) -> dict:
    """The text each face of the theme has to draw, found by the style of each run of text.

    A run goes to the face a reading system would pick for it (same role, then style, then the nearest
    weight), so a theme without a bold face still gets bold text's glyphs in its regular face. The regular
    body face is always kept: the reader's own furniture (page numbers, notes) falls back on it.
    """
    def pick(mono: bool, bold: bool, italic: bool) -> themes.FontFace | None:
        role = [f for f in faces if f.role == ("mono" if mono else "body")] or \
            [f for f in faces if f.role == "body"]
        if not role:
            return None
        return min(role, key=lambda f: (f.style != ("italic" if italic else "normal"),
                                        abs(f.weight - (700 if bold else 400))))

    runs: dict = {}
    for page in pages:
        for el in page.iter():
            if not isinstance(el.tag, str):
                continue
            runs.setdefault(_style_of(el), []).append(el.text or "")
            if el.tail and el.getparent() is not None:
                runs.setdefault(_style_of(el.getparent()), []).append(el.tail)
    wanted: dict = {}
    regular = pick(False, False, False)
    if regular is not None:
        wanted[regular] = ""
    for key, texts in runs.items():
        face = pick(*key)
        text = "".join(texts)
        if face is not None and (text.strip() or face is regular):
            wanted[face] = wanted.get(face, "") + text
    return wanted


def _style_of(el: etree._Element) -> tuple[bool, bool, bool]:
    """(monospaced, bold, italic) for text directly inside ``el``, as the theme's stylesheet sets it."""
    chain = [el, *el.iterancestors()]
    tags = {a.tag for a in chain}
    classes = {c for a in chain for c in (a.get("class") or "").split()}
    return (bool(tags & _MONO), bool(tags & _BOLD) or "note-label" in classes,
            bool(tags & _ITALIC) or bool(classes & _ITALIC_CLASSES))
