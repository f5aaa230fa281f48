"""The words an edition adds to what the articles say (contents, notes, links…), in the book's language.

One table for every writer: a word missing in a language falls back to English on its own, and says
so (:attr:`Word.language`), so that a writer can mark it (``lang="en"``) for screen readers and
hyphenation. Adding a language or a word here adds it to every edition.
"""
from __future__ import annotations

from typing import NamedTuple

#: Every word by key, then by primary language subtag. English is always there.
WORDS: dict[str, dict[str, str]] = {
    "contents": {
        "ar": "المحتويات", "ca": "Índex", "cs": "Obsah", "da": "Indhold", "de": "Inhalt", "el": "Περιεχόμενα",
        "en": "Contents", "es": "Índice", "fa": "فهرست مطالب", "fi": "Sisällys", "fr": "Table des matières",
        "he": "תוכן העניינים", "hi": "विषय सूची", "hu": "Tartalom", "id": "Daftar isi", "it": "Indice",
        "ja": "目次", "ko": "차례", "nb": "Innhold", "nl": "Inhoud", "no": "Innhold", "pl": "Spis treści",
        "pt": "Sumário", "ro": "Cuprins", "ru": "Содержание", "sv": "Innehåll", "tr": "İçindekiler",
        "uk": "Зміст", "vi": "Mục lục", "zh": "目录",
    },
    "cover": {
        "en": "Cover", "fr": "Couverture", "de": "Umschlag", "es": "Portada", "it": "Copertina", "pt": "Capa",
        "nl": "Omslag", "ru": "Обложка", "ar": "الغلاف", "he": "כריכה", "fa": "جلد", "zh": "封面", "ja": "表紙",
    },
    "titlepage": {
        "en": "Title page", "fr": "Page de titre", "de": "Titelseite", "es": "Portadilla", "it": "Frontespizio",
        "pt": "Folha de rosto", "nl": "Titelpagina", "ru": "Титульный лист", "ar": "صفحة العنوان",
        "he": "עמוד השער", "fa": "صفحه عنوان", "zh": "书名页", "ja": "扉",
    },
    "start": {
        "en": "Start", "fr": "Début", "de": "Anfang", "es": "Inicio", "it": "Inizio", "pt": "Início",
        "nl": "Begin", "ru": "Начало", "ar": "البداية", "he": "התחלה", "fa": "آغاز", "zh": "正文", "ja": "本文",
    },
    "landmarks": {"en": "Landmarks"},
    "notes": {"en": "Notes"},
    "links": {"en": "Links"},
    "image": {"en": "Image"},
    # said of an image whose source gave no usable description (never a description made up for it)
    "undescribed-image": {
        "en": "Image without a description", "fr": "Image sans description", "de": "Bild ohne Beschreibung",
        "es": "Imagen sin descripción", "it": "Immagine senza descrizione", "pt": "Imagem sem descrição",
        "nl": "Afbeelding zonder beschrijving",
    },
    "section": {"en": "Section"},
    "and": {"en": "and"},
}


class Word(NamedTuple):
    text: str
    language: str  #: the primary subtag of the language ``text`` is in ("en" when it fell back)


def word(key: str, language: str) -> Word:
    """``key`` in ``language`` (a BCP 47 tag; only its primary subtag counts), else in English."""
    forms = WORDS[key]
    primary = language.split("-")[0].lower()
    return Word(forms[primary], primary) if primary in forms else Word(forms["en"], "en")


def languages() -> frozenset[str]:
    """Every language at least one word is known in."""
    return frozenset(lang for forms in WORDS.values() for lang in forms)


def byline(authors: list[str], language: str) -> str:
    """Authors as a byline reads: ``A``, ``A and B``, ``A, B and C`` (empty names left out)."""
    names = [" ".join(str(a).split()) for a in authors if a and str(a).strip()]
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {word('and', language).text} " + names[-1]
