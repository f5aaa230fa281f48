"""Dates from markup, options, manifests and datasets: checked once, so every writer can hold them.

A date is ISO 8601 as articles give it: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, or a
date-time with optional seconds, fraction and zone. :func:`normalise_date` keeps only
dates that name a real moment (a month the year has, a day the month has, a zone within
±14:00), so a writer never meets ``2024-02-30`` or ``+99:00``. Years run from 0001 to
9999, which is more than some formats hold: :func:`utc` converts without overflowing
(``9999-12-31T23:59:59-14:00`` is past Python's last instant) and :func:`zip_time`
clamps to the years a zip entry can record (1980–2107).
"""
from __future__ import annotations

import calendar
import datetime as dt
import re

_ISO = re.compile(
    r"^(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2})"
    r"(?:[T ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?P<fraction>\.[0-9]+)?)?"
    r"(?P<zone>Z|[+\-](?P<zh>[0-9]{2}):?(?P<zm>[0-9]{2}))?)?)?)?$")
#: The widest offset any time zone uses (UTC+14, Kiribati; UTC-12 is the other end).
MAX_OFFSET_MINUTES = 14 * 60
#: What a zip entry's MS-DOS timestamp can hold.
ZIP_FIRST = dt.datetime(1980, 1, 1)
ZIP_LAST = dt.datetime(2107, 12, 31, 23, 59, 58)


def normalise_date(value: object) -> str | None:
    """``value`` as ISO 8601 text (``T`` between date and time, zone as ``±hh:mm``), or None when it is not
    a real date: a wrong month, day, hour or zone is not a date, whatever its shape."""
    text = value.strip() if isinstance(value, str) else ""
    match = _ISO.match(text)
    if not match or not _real(match):
        return None
    date = text[:10] if match["day"] else text
    if not match["hour"]:
        return date
    clock = text[11:11 + len(match["hour"] + match["minute"]) + 1]
    if match["second"]:
        clock += ":" + match["second"] + (match["fraction"] or "")
    zone = match["zone"]
    if zone and zone != "Z":
        zone = f"{zone[0]}{match['zh']}:{match['zm']}"
    return f"{date}T{clock}{zone or ''}"


def _real(match: re.Match) -> bool:
    year = int(match["year"])
    month = int(match["month"] or 1)
    day = int(match["day"] or 1)
    if year < 1 or not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return False
    if match["hour"] and (int(match["hour"]) > 23 or int(match["minute"]) > 59 or int(match["second"] or 0) > 59):
        return False
    return not match["zh"] or int(match["zh"]) * 60 + int(match["zm"]) <= MAX_OFFSET_MINUTES \
        and int(match["zm"]) <= 59


def utc(value: str | None) -> dt.datetime | None:
    """The moment a date names, in UTC without a zone (a date alone is its midnight), or None when ``value`` is
    not a date. Past either end of Python's calendar it is clamped to that end instead of overflowing."""
    date = normalise_date(value)
    if date is None:
        return None
    match = _ISO.match(date)
    assert match is not None
    local = dt.datetime(int(match["year"]), int(match["month"] or 1), int(match["day"] or 1),
                        int(match["hour"] or 0), int(match["minute"] or 0), int(match["second"] or 0))
    offset = 0
    if match["zh"]:
        offset = (int(match["zh"]) * 60 + int(match["zm"])) * (-1 if match["zone"][0] == "-" else 1)
    try:
        return local - dt.timedelta(minutes=offset)
    except OverflowError:
        return dt.datetime.max.replace(microsecond=0) if offset < 0 else dt.datetime.min


def from_epoch(seconds: str) -> dt.datetime | None:
    """A ``SOURCE_DATE_EPOCH`` value as a UTC moment (clamped to Python's calendar), or None when it is not
    a whole number of seconds."""
    seconds = seconds.strip()
    if not re.fullmatch(r"-?[0-9]{1,30}", seconds):
        return None
    epoch = dt.datetime(1970, 1, 1)
    try:
        return epoch + dt.timedelta(seconds=int(seconds))
    except OverflowError:
        return dt.datetime.max.replace(microsecond=0) if not seconds.startswith("-") else dt.datetime.min


def zip_time(when: dt.datetime) -> tuple[int, int, int, int, int, int]:
    """``when`` as a zip entry's ``date_time``, clamped to 1980–2107 (a zip cannot say earlier or later)."""
    return min(max(when.replace(tzinfo=None, microsecond=0), ZIP_FIRST), ZIP_LAST).timetuple()[:6]


def day(value: str | None) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` of a date: valid as EPUB's ``dc:date`` (W3CDTF) and as an HTML
    ``datetime`` whatever zone the full value has."""
    date = normalise_date(value)
    return date[:10] if date else None
