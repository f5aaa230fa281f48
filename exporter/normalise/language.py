"""Knowing the article's language: from the user, the markup, or detected from its text.

A language is always known: EPUB requires one and hyphenation needs it.
Detection uses py3langid (a maintained langid.py with its model bundled, so it
works offline and deterministically) on a bounded sample of the text.

py3langid ships its model LZMA-compressed, and decompressing it cost half a second
and 115 MB in every process that detected a language. The first detection keeps
the decompressed arrays in the user's cache folder (:mod:`exporter.cache`, keyed by
the model's bytes); later processes map them from there, so only the pages a text
touches are read. The mapped model is checked before it is used (shapes, every
index in range, known sentences classified as they should be) and the bundled
model is loaded instead when anything is amiss: the answers are the same either way.
"""
from __future__ import annotations

import struct
from functools import lru_cache
from pathlib import Path

FALLBACK = "en"
#: Characters classified: a few paragraphs decide the language as well as the whole article does
#: (checked on the corpus, tests/test_language.py), and cost a bounded time however long the article.
SAMPLE_CHARS = 4_000
#: The arrays of py3langid's model (``modelio.save_model``), each cached as one ``.npy`` file.
ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")
#: Sentences the model must classify as marked before a cached copy of it is trusted.
PROBES = (("The committee will publish its report on the housing market next week.", "en"),
          ("Le gouvernement a présenté mercredi son projet de loi sur les retraites.", "fr"),
          ("Die Bundesregierung hat am Mittwoch ihren Entwurf für den Haushalt vorgelegt.", "de"),
          ("政府は水曜日に来年度の予算案を閣議決定した。", "ja"))


@lru_cache(maxsize=1)
def _identifier():
    return _cached_model(_model_file(), MappedModel) or _bundled()


def _model_file() -> Path:
    """py3langid's bundled model (``py3langid.langid.MODEL_DIR / MODEL_FILE``), found without importing
    py3langid, which imports numpy; tests/test_language.py checks that the two agree."""
    from importlib.util import find_spec

    spec = find_spec("py3langid")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("py3langid")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "model.npz.xz"


@lru_cache(maxsize=1)
def _bundled():
    """py3langid's own loading of its model (decompressing it: slow, but needs no cache)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _cached_model(source: Path, identifier_class):
    """The identifier over the cached copy of ``source``, made anew once if missing or damaged; else None."""
    import shutil

    from .. import cache

    base = cache.folder("langid")
    if base is None:
        return None
    folder = base / cache.key(source.read_bytes())[:32]
    for _ in range(2):
        try:
            if not all((folder / f"{name}.npy").is_file() for name in ARRAYS):
                _fill(source, folder)
            identifier = _mapped(folder, identifier_class)
        except (OSError, ValueError, IndexError, KeyError, TypeError, SyntaxError, struct.error):  # damaged: unused
            identifier = None
        if identifier is not None:
            return identifier
        shutil.rmtree(folder, ignore_errors=True)
    return None


def _mapped(folder: Path, identifier_class):
    """An identifier over the arrays in ``folder``, memory-mapped, or None when they fail the checks."""
    model = identifier_class(folder)
    if not model.sound() or any(model.classify_here(text)[0] != code for text, code in PROBES):
        return None
    return model


class MappedModel:
    """py3langid's model over its cached arrays, read without numpy (importing numpy was a quarter of a
    language-detected text export): the same walk of the text's bytes through the model's automaton, and
    the same naive-Bayes score over the few hundred features a sample has, in Python.

    The scores are summed in double precision where py3langid sums in single: the answers are the same
    (``tests/test_language.py`` compares both on the corpus and many sentences in 40 languages).

    Python scores one text in ~10 ms where numpy takes 0.5 ms but ~80 ms to import: a process that
    classifies more than :data:`IN_PYTHON` texts (a batch's worker, a program normalising many articles)
    hands the rest to py3langid over the same mapped arrays.
    """

    #: texts classified in Python before numpy is imported for the rest
    IN_PYTHON = 6

    def __init__(self, folder: Path) -> None:
        import mmap

        self.folder = folder
        self._classified = 0
        self._vectorised = None
        self._maps = []
        arrays = {}
        for name in ARRAYS:
            with open(folder / f"{name}.npy", "rb") as fh:
                mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            self._maps.append(mapped)
            arrays[name] = _npy(mapped)
        (ptc_type, ptc_shape, ptc), (pc_type, _, pc) = arrays["ptc"], arrays["pc"]
        class_type, (classes,), names = arrays["classes"]
        if (ptc_type, pc_type) != ("<f2", "<f4") or len(ptc_shape) != 2 or not class_type.startswith("<U"):
            raise ValueError("an unknown layout of py3langid's model")
        width = int(class_type[2:]) * 4
        self.classes = [names[i * width:(i + 1) * width].tobytes().decode("utf-32-le").rstrip("\0")
                        for i in range(classes)]
        self.features, count = ptc_shape
        if count != classes or len(pc) != classes * 4:
            raise ValueError("the model's arrays disagree")
        self._row = struct.Struct(f"<{classes}e")
        self._ptc = ptc
        self._pc = struct.unpack(f"<{classes}f", pc)
        self._nextmove = _ints(arrays["nextmove"], "<u4", "I")
        self._rows = _ints(arrays["nextmove_row"], "<u2", "H")
        self._out = _ints(arrays["out_feat"], "<i4", "i")
        first: dict[str, int] = {}
        self._aliases: list[tuple[int, int]] = []  # (first column, its repeat) of a label listed twice
        for i, label in enumerate(self.classes):
            if label in first:
                self._aliases.append((first[label], i))
            else:
                first[label] = i

    def sound(self) -> bool:
        """Every transition and feature index in range (a damaged file would read out of bounds)."""
        states = len(self._nextmove) // 256
        return (len(self._nextmove) % 256 == 0 and len(self._rows) == len(self._out) > 0
                and max(self._rows) < states and -1 <= min(self._out) and max(self._out) < self.features)

    def classify(self, text: str) -> tuple[str, float]:
        """(language, probability) as py3langid's ``classify`` with ``norm_probs`` gives them."""
        self._classified += 1
        if self._classified <= self.IN_PYTHON:
            return self.classify_here(text)
        if self._vectorised is None:
            self._vectorised = _vectorised(self.folder)
        code, probability = self._vectorised.classify(text)
        return code, float(probability)

    def classify_here(self, text: str) -> tuple[str, float]:
        """:meth:`classify`, in Python."""
        import math
        import unicodedata
        from collections import Counter

        if text.isupper():
            text = text.lower()
        data = unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")
        nextmove, rows, out = self._nextmove, self._rows, self._out
        state, found = 0, Counter()
        for byte in data:
            state = nextmove[(rows[state] << 8) + byte]
            feature = out[state]
            if feature >= 0:
                found[feature] += 1
        if found:
            scores = [0.0] * len(self.classes)
            unpack, ptc = self._row.unpack_from, self._ptc
            for feature, count in found.items():
                weight = math.log1p(count)
                scores = [s + weight * p for s, p in zip(scores, unpack(ptc, feature * self._row.size))]
            scores = [s + b for s, b in zip(scores, self._pc)]
            scale = 1.0 / math.sqrt(len(data) or 1)
            top = max(scores)
            scores = [math.exp((s - top) * scale) for s in scores]
            total = sum(scores)
            scores = [s / total for s in scores]
        else:  # no feature at all: every language as likely
            scores = [1.0 / len(self.classes)] * len(self.classes)
        for kept, folded in self._aliases:  # a label listed twice (srl -> sr) scores once
            scores[kept] += scores[folded]
            scores[folded] = 0.0
        best = max(range(len(scores)), key=scores.__getitem__)
        return self.classes[best], scores[best]


def _vectorised(folder: Path):
    """py3langid's own identifier (numpy) over the arrays in ``folder`` (checked by :class:`MappedModel`)."""
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in ARRAYS}
    return LanguageIdentifier(arrays["ptc"], np.array(arrays["pc"]), [str(c) for c in arrays["classes"]],
                              memoryview(arrays["nextmove"]), memoryview(arrays["out_feat"]), norm_probs=True,
                              tk_row=memoryview(arrays["nextmove_row"]))


def _npy(mapped) -> tuple[str, tuple[int, ...], memoryview]:
    """(type, shape, data) of a ``.npy`` file numpy wrote (format 1.0-3.0, C order), without numpy."""
    import ast

    if mapped[:6] != b"\x93NUMPY" or mapped[6] not in (1, 2, 3):
        raise ValueError("not a .npy file")
    size, start = (struct.unpack_from("<H", mapped, 8)[0], 10) if mapped[6] == 1 else \
        (struct.unpack_from("<I", mapped, 8)[0], 12)
    header = ast.literal_eval(mapped[start:start + size].decode("latin-1"))
    if not isinstance(header, dict) or header.get("fortran_order") is not False:
        raise ValueError("an unexpected .npy header")
    return str(header["descr"]), tuple(header["shape"]), memoryview(mapped)[start + size:]


def _ints(array: tuple[str, tuple[int, ...], memoryview], kind: str, code: str) -> memoryview:
    """A one-dimensional integer array as a memoryview of ``code`` items (little-endian machines only)."""
    import sys

    found, (length,), data = array
    if found != kind or sys.byteorder != "little":
        raise ValueError(f"expected {kind}, found {found}")
    view = data.cast(code)
    if len(view) != length:
        raise ValueError("a truncated array")
    return view


def _fill(source: Path, folder: Path) -> None:
    """Decompress the bundled model once and keep each of its arrays in ``folder`` (each file written atomically)."""
    import io
    import lzma
    import shutil

    import numpy as np

    from .. import cache

    for other in folder.parent.iterdir():  # entries of models no longer installed
        if other != folder:
            shutil.rmtree(other, ignore_errors=True)
    folder.mkdir(exist_ok=True)
    with np.load(io.BytesIO(lzma.decompress(source.read_bytes())), allow_pickle=False) as model:
        for name in ARRAYS:
            array = model[name]
            if not cache.write_atomically(folder / f"{name}.npy", lambda fh: np.save(fh, array, allow_pickle=False)):
                raise OSError(f"cannot write {folder / name}.npy")


def detect(text: str) -> str:
    """The language of ``text`` as an ISO 639-1 code, or ``en`` when there is too little to tell."""
    sample = " ".join(text[: SAMPLE_CHARS * 2].split())[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < 3:
        return FALLBACK
    try:
        code, probability = _identifier().classify(sample)
    except IndexError:  # a damaged cached model (its transition table points past its end): the bundled one
        code, probability = _bundled().classify(sample)
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


# --- scripts: Traditional or Simplified Chinese, and lang attributes that contradict their text ------

#: regions whose Chinese is written in Traditional characters (when the text itself does not tell)
_TRADITIONAL_REGIONS = frozenset({"TW", "HK", "MO"})
#: at least this many characters that only one of the two scripts uses, and this many times more of
#: one script's than the other's, before the text decides
_SCRIPT_EVIDENCE = 3
_SCRIPT_MAJORITY = 3
#: characters read to tell the scripts apart (a few paragraphs decide it as well as a book does)
_SCRIPT_SAMPLE = 20_000


@lru_cache(maxsize=1)
def _distinct_characters() -> tuple[frozenset[str], frozenset[str]]:
    """(Traditional-only, Simplified-only) characters, from CC-CEDICT's tables as zhon ships them."""
    from zhon import cedict

    traditional, simplified = frozenset(cedict.traditional), frozenset(cedict.simplified)
    return traditional - simplified, simplified - traditional


def chinese_script(text: str) -> str | None:
    """``Hant`` or ``Hans`` for Chinese text written in Traditional or Simplified characters; None when
    the text does not say (too few characters that differ between the scripts, or as many of each)."""
    traditional_only, simplified_only = _distinct_characters()
    sample = text[:_SCRIPT_SAMPLE]
    hant = sum(1 for char in sample if char in traditional_only)
    hans = sum(1 for char in sample if char in simplified_only)
    if max(hant, hans) < _SCRIPT_EVIDENCE:
        return None
    if hant >= _SCRIPT_MAJORITY * hans:
        return "Hant"
    if hans >= _SCRIPT_MAJORITY * hant:
        return "Hans"
    return None


def may_take_script(tag: str) -> bool:
    """True when :func:`with_script` may add a script to ``tag`` (reading its text): a Chinese tag naming none."""
    parts = tag.split("-")
    return parts[0].lower() == "zh" and not any(len(part) == 4 and part.isalpha() for part in parts[1:])


def with_script(tag: str, text: str) -> str:
    """A Chinese tag with the script its text is written in: ``zh`` → ``zh-Hant`` or ``zh-Hans``,
    ``zh-TW`` → ``zh-Hant-TW``; fonts and readers then draw the characters in that script's forms.

    The text decides; failing that the region (Taiwan, Hong Kong, Macau: Traditional; elsewhere
    Simplified); a tag that names its script, or is not Chinese, stays as it is.
    """
    if not may_take_script(tag):
        return tag
    parts = tag.split("-")
    script = chinese_script(text)
    regions = [part.upper() for part in parts[1:] if len(part) == 2 and part.isalpha()]
    if script is None and regions:
        script = "Hant" if regions[0] in _TRADITIONAL_REGIONS else "Hans"
    return "-".join([parts[0], script, *parts[1:]]) if script else tag


#: the scripts each language is written in (by the first word of Unicode's character names)
_SCRIPTS_OF = {
    **dict.fromkeys(("en", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "no", "nb", "nn", "fi", "pl", "cs", "sk",
                     "sl", "hr", "bs", "ro", "hu", "tr", "id", "ms", "vi", "ca", "eu", "gl", "et", "lv", "lt", "is",
                     "ga", "cy", "sq", "af", "sw", "tl", "mt", "lb", "eo", "la"), frozenset({"LATIN"})),
    "zh": frozenset({"CJK"}), "ja": frozenset({"CJK", "HIRAGANA", "KATAKANA"}), "ko": frozenset({"HANGUL", "CJK"}),
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk"), frozenset({"CYRILLIC"})), "sr": frozenset({"CYRILLIC", "LATIN"}),
    **dict.fromkeys(("ar", "fa", "ur", "ps"), frozenset({"ARABIC"})), **dict.fromkeys(("he", "yi"), frozenset({"HEBREW"})),
    "el": frozenset({"GREEK"}), **dict.fromkeys(("hi", "mr", "ne", "sa"), frozenset({"DEVANAGARI"})),
    "th": frozenset({"THAI"}), "ka": frozenset({"GEORGIAN"}), "hy": frozenset({"ARMENIAN"}),
}
#: a script subtag names the script outright
_SCRIPT_SUBTAGS = {"latn": "LATIN", "cyrl": "CYRILLIC", "arab": "ARABIC", "hebr": "HEBREW", "grek": "GREEK",
                   "deva": "DEVANAGARI", "thai": "THAI", "hans": "CJK", "hant": "CJK", "hani": "CJK"}


@lru_cache(maxsize=4096)  # asked once per letter of every text checked: a text repeats its letters
def _script_of(char: str) -> str:
    import unicodedata

    words = unicodedata.name(char, "").split()
    if words[:1] in (["FULLWIDTH"], ["HALFWIDTH"]):
        words = words[1:]
    return words[0] if words else ""


def contradicts(tag: str, text: str, share: float = 0.0) -> bool:
    """True when ``text`` has letters and no more than ``share`` of them (none, by default) are in a
    script ``tag``'s language is written in (``lang="en-US"`` around Chinese text). Languages this
    module does not know never contradict."""
    parts = tag.lower().split("-")
    named = next((_SCRIPT_SUBTAGS[p] for p in parts[1:] if p in _SCRIPT_SUBTAGS), None)
    scripts = frozenset({named}) if named else _SCRIPTS_OF.get(parts[0])
    if not scripts:
        return False
    if share < 1 and "LATIN" in scripts and text.isascii():
        return False  # every ASCII letter is Latin: the share in the script is all of them (or there are none)
    if not share:  # contradicted by two letters with none in the script: the first in the script decides
        letters = 0
        for char in text:
            if char.isalpha():
                if _script_of(char) in scripts:
                    return False
                letters += 1
        return letters >= 2
    letters = [char for char in text if char.isalpha()]
    return len(letters) >= 2 and sum(1 for char in letters if _script_of(char) in scripts) <= share * len(letters)
