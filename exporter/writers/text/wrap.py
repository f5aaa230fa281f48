"""Line filling measured in terminal cells: CJK counts double and may break between characters.

Latin words, URLs and anything joined by :data:`GLUE` or a no-break space are
never broken and no hyphen is ever added: a line only ends at a space or
between two characters where at least one is wide (CJK), and never before
closing or after opening punctuation (the kinsoku rules, read from the Unicode
line-break classes that ``uniseg`` carries).
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import wcwidth
from uniseg.linebreak import LineBreak, line_break

#: A space that must not break, used between a word and its ``[1]`` marker; printed as a space.
GLUE = "\x00"
#: Nothing at all that must not break, used between CJK and its ``[1]`` marker; printed as nothing.
JOIN = "\x01"
NO_BREAK = frozenset({GLUE, JOIN, "\u00a0", "\u202f", "\u2060", "\ufeff"})
#: Line-break classes that may not begin a line (closing punctuation, small kana, iteration marks).
_NO_START = frozenset({LineBreak.CL, LineBreak.CP, LineBreak.EX, LineBreak.IS, LineBreak.NS, LineBreak.CJ,
                       LineBreak.CM, LineBreak.ZWJ, LineBreak.GL, LineBreak.WJ})
_NO_END = frozenset({LineBreak.OP, LineBreak.GL, LineBreak.ZWJ, LineBreak.WJ})


def finish(line: str) -> str:
    """The line as printed: glue becomes a plain space, joins vanish, no trailing blanks."""
    return line.replace(GLUE, " ").replace(JOIN, "").rstrip()


def cells(text: str) -> int:
    """Display width in terminal cells (wide characters 2, combining marks 0)."""
    if JOIN in text:
        text = text.replace(JOIN, "")
    if text.isascii():
        return len(text)
    return max(0, wcwidth.width(text.replace(GLUE, " "), control_codes="ignore"))


@lru_cache(maxsize=4096)
def wide(char: str) -> bool:
    """True for characters that take two cells (CJK)."""
    return not char.isascii() and wcwidth.wcwidth(char) == 2


def _may_start(char: str) -> bool:
    if char in NO_BREAK or line_break(char) in _NO_START:
        return False
    return not (line_break(char) == LineBreak.QU and unicodedata.category(char) in ("Pf", "Pe"))


def _may_end(char: str) -> bool:
    if char in NO_BREAK or line_break(char) in _NO_END:
        return False
    return not (line_break(char) == LineBreak.QU and unicodedata.category(char) in ("Pi", "Ps"))


def units(word: str) -> list[list[str]]:
    """Split a space-free word where a line may break: only next to wide (CJK) characters.

    The result is a list of chunks, each a list of pieces. Pieces of one chunk
    may be broken apart but are kept together when the chunk fits on a line: a
    chunk is a run of letters and digits that begins with a Latin letter or a
    digit and runs on into CJK (``DeepMind开发``, ``2014年``), which search
    tools and word counters take for one word.
    """
    if word.isascii() or not any(map(wide, word)):  # a line breaks only next to a wide character
        return [[word]]
    chunks: list[list[str]] = [[]]
    start = 0
    latin_run = False  # the letters and digits before this point began with a narrow character
    for i, char in enumerate(word):
        if i and (wide(word[i - 1]) or wide(char)) and _may_end(word[i - 1]) and _may_start(char):
            chunks[-1].append(word[start:i])
            start = i
            if not (latin_run and char.isalnum()):
                chunks.append([])
        if not char.isalnum():
            latin_run = False
        elif not latin_run:
            latin_run = not wide(char)
    chunks[-1].append(word[start:])
    return chunks


def wrap(text: str, width: int | None, first: str = "", rest: str | None = None) -> list[str]:
    """Fill ``text`` into lines of at most ``width`` cells (``None``: one line per hard break).

    ``first`` and ``rest`` prefix the first and the following lines (hanging
    indents, list markers). ``\\n`` in ``text`` is a hard line break. A unit
    wider than the line is set on a line of its own, never cut.
    """
    rest = first if rest is None else rest
    lines: list[str] = []
    hard_lines = text.split("\n")
    while len(hard_lines) > 1 and not hard_lines[-1].strip(" "):
        hard_lines.pop()
    for hard in hard_lines:
        prefix = first if not lines else rest
        room = None if not width else max(1, width - cells(prefix))
        line, used = "", 0
        for word in hard.split(" "):
            if not word:
                continue
            pieces: list[str] = []
            for chunk in units(word):
                whole = "".join(chunk)
                pieces += [whole] if room is None or len(chunk) == 1 or cells(whole) <= room else chunk
            for k, unit in enumerate(pieces):
                gap = 1 if (k == 0 and line) else 0
                size = cells(unit)
                if room is None or not line or used + gap + size <= room:
                    line += " " * gap + unit
                    used += gap + size
                else:
                    lines.append(finish(prefix + line))
                    prefix = rest
                    room = None if not width else max(1, width - cells(prefix))
                    line, used = unit, size
        lines.append(finish(prefix + line))
    return lines
