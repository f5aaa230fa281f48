"""Knowing the article's language: from the user, the markup, or detected from its text.

A language is always known: EPUB requires one and hyphenation needs it.
Detection uses py3langid (a maintained langid.py with its model bundled, so it
works offline and deterministically).
"""
from __future__ import annotations

from functools import lru_cache

FALLBACK = "en"
SAMPLE_CHARS = 20_000


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> str:
    """The language of ``text`` as an ISO 639-1 code, or ``en`` when there is too little to tell."""
    sample = " ".join(text.split())[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < 3:
        return FALLBACK
    code, probability = _identifier().classify(sample)
    if probability < 0.5 and len(sample) < 40:
        return FALLBACK
    return code


def normalise_tag(tag: str) -> str:
    """``EN_us`` → ``en-US``; ``zh-hans`` → ``zh-Hans`` (BCP 47 case conventions)."""
    parts = tag.replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            out.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        else:
            out.append(part.lower())
    return "-".join(out)
