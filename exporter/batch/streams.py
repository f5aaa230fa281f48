"""Datasets split into records without ever holding more than one record, and no record past a limit.

A JSON Lines file is split at line ends, a CSV file at record ends (outside quotes); both
are read in fixed-size chunks, so a 1 GB field costs a 64 KB chunk of memory, not a gigabyte: the
record it belongs to comes out as over the limit and the records after it are read as usual.
"""
from __future__ import annotations

import re
from collections import deque
from typing import BinaryIO, Iterable, Iterator

#: characters or bytes read at a time
CHUNK = 1 << 16
_FIELD_END = re.compile(r"[,\r\n]")
START, FIELD, QUOTED, QUOTE = range(4)


def bounded_lines(fh: BinaryIO, limit: int | None, chunk: int = CHUNK) -> Iterator[tuple[int, bytes | None]]:
    """The lines of ``fh`` one at a time, none held past ``limit`` bytes: (line number, bytes, or None if over)."""
    line_no, buf, over = 1, bytearray(), False
    while data := fh.read(chunk):
        start = 0
        while (end := data.find(b"\n", start)) != -1:
            if not over:
                buf += data[start:end]
            over = over or (limit is not None and len(buf) > limit)
            yield line_no, None if over else bytes(buf)
            line_no, over, start = line_no + 1, False, end + 1
            buf.clear()
        if not over:
            buf += data[start:]
            if limit is not None and len(buf) > limit:
                over = True
                buf.clear()
    if buf or over:
        yield line_no, None if over else bytes(buf)


def csv_records(chunks: Iterable[str], limit: int | None) -> Iterator[tuple[int, str | None, str | None]]:
    """Split CSV text into records without parsing their fields: (first line, text or None if over ``limit``, error).

    A quote is special only where a field starts, as in Python's csv module and RFC 4180. A
    malformed record — a quote never closed, or closed in the middle of a field — comes out
    with its error, and reading resumes on the line after the one where its quote opened, so
    the rows such a quote swallowed are read as rows again.
    """
    source = iter(chunks)
    pushed: deque[str] = deque()
    chunk, pos = "", 0
    line = 1                       # the line the reader is on
    start_line = 1                 # where the current record began
    parts: list[str] = []
    size, over, state = 0, False, START
    quote_line, quote_at = 0, 0    # where the current quoted field opened (line; offset in the record)
    error: str | None = None
    after_cr = False

    def take(text: str) -> None:
        nonlocal size, over, line
        size += len(text)
        line += text.count("\n")
        if over:
            return
        parts.append(text)
        if limit is not None and size > limit:
            over = True
            parts.clear()

    def reset() -> None:
        nonlocal size, over, state, error, start_line
        parts.clear()
        size, over, state, error, start_line = 0, False, START, None, line

    def resume(problem: str) -> bool:
        """Give the rows the bad quote swallowed back to the reader; False when they cannot be had."""
        nonlocal chunk, pos, line
        if over:
            return False
        text = "".join(parts)
        newline = text.find("\n", quote_at)
        if newline == -1:
            return False
        if chunk:
            pushed.appendleft(chunk[pos:])
        pushed.appendleft(text[newline + 1:])
        chunk, pos = "", 0
        line = quote_line + 1
        return True

    while True:
        if pos >= len(chunk):
            chunk, pos = (pushed.popleft() if pushed else next(source, None)), 0
            if chunk is None:  # the end
                if state == QUOTED:
                    problem = f"the quote opened on line {quote_line} is never closed"
                    record_line = start_line
                    if resume(problem):
                        yield record_line, None, problem
                        reset()
                        continue
                    error = problem
                if size or error:
                    yield start_line, None if over else "".join(parts), error
                return
            continue
        c = chunk[pos]
        if after_cr:
            after_cr = False
            if c == "\n":  # the second half of \r\n
                pos += 1
                continue
        if state == QUOTED:
            end = chunk.find('"', pos)
            stop = len(chunk) if end == -1 else end + 1
            take(chunk[pos:stop])
            pos = stop
            if end != -1:
                state = QUOTE
            continue
        if state == FIELD:
            found = _FIELD_END.search(chunk, pos)
            stop = len(chunk) if found is None else found.start()
            take(chunk[pos:stop])
            pos = stop
            if found is not None:
                state = START
            continue
        # at the start of a field, or just after a quote inside a quoted field
        if state == QUOTE and c == '"':  # "" is a quote inside the field
            take(c)
            pos += 1
            state = QUOTED
            continue
        if c == '"' and state == START:
            quote_line, quote_at = line, size
            take(c)
            pos += 1
            state = QUOTED
            continue
        if c == ",":
            take(c)
            pos += 1
            state = START
            continue
        if c in "\r\n":
            pos += 1
            after_cr = c == "\r"
            if size or error:
                yield start_line, None if over else "".join(parts), error
            line += 1
            reset()
            continue
        if state == QUOTE:  # text after a closing quote: the quote did not close the field
            problem = f"the quote opened on line {quote_line} closes in the middle of a field"
            record_line = start_line
            if resume(problem):
                yield record_line, None, problem
                reset()
                continue
            error = error or problem
        state = FIELD
