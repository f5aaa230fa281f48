"""Options, declared once and shared by the CLI and the Python API.

An :class:`Option` says what a setting is called in Python (``page_size``), on
the command line (``--page-size``), its default, its help text and how a value
is checked. The CLI turns each into a ``click`` option; :func:`resolve` checks
keyword arguments of the API against the very same declarations. Writers
declare their own options (``Writer.options``), so a format's settings live
with its writer and still show up in ``exporter export --help``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping

from .errors import UsageError


@dataclass(frozen=True)
class Option:
    """One setting. ``kind`` is ``str``, ``int``, ``float``, ``flag``, ``choice`` or ``multi``."""

    name: str
    help: str
    kind: str = "str"
    default: Any = None
    flags: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    metavar: str | None = None
    group: str = "export"
    convert: Callable[[Any], Any] | None = None
    #: bounds of a number option (``int``, ``float``), both required: values outside are a usage error
    minimum: float | None = None
    maximum: float | None = None
    #: a ``str`` option whose converter also reads a mapping given through the Python API (kept as it is)
    mapping: bool = False

    @property
    def cli_flags(self) -> tuple[str, ...]:
        return self.flags or ("--" + self.name.replace("_", "-"),)

    def check(self, value: Any) -> Any:
        """Return ``value`` converted and validated, or raise :class:`UsageError`."""
        if value is None:
            return self.default
        if self.kind == "flag":
            value = bool(value)
        elif self.kind == "int":
            value = _number(self, value, int)
        elif self.kind == "float":
            value = _number(self, value, float)
        elif self.kind == "choice":
            value = str(value).lower()
            if value not in self.choices:
                raise UsageError(f"{self.cli_flags[0]}: {value!r} is not one of {', '.join(self.choices)}")
        elif self.kind == "multi":
            value = [value] if isinstance(value, str) else list(value)
            value = [str(v) for v in value]
        elif not (self.mapping and isinstance(value, Mapping)):
            value = str(value)
        if self.convert is not None:
            try:
                value = self.convert(value)
            except (TypeError, ValueError) as exc:
                raise UsageError(f"{self.cli_flags[0]}: {exc}") from None
            except RecursionError:  # a mapping from the Python API nested deeper than json.dumps can go
                raise UsageError(f"{self.cli_flags[0]}: the value is nested too deeply") from None
        return value


def _number(option: Option, value: Any, cast: type) -> Any:
    """``value`` as a finite number within the option's declared bounds."""
    flag = option.cli_flags[0]
    if isinstance(value, bool):
        raise UsageError(f"{flag}: {value!r} is not a number")
    try:
        number = float(value) if cast is float else int(value)
    except (TypeError, ValueError, OverflowError):
        raise UsageError(f"{flag}: {value!r} is not {'a whole' if cast is int else 'a'} number") from None
    if not math.isfinite(number):
        raise UsageError(f"{flag}: {value!r} is not a finite number")
    if option.minimum is not None and number < option.minimum:
        raise UsageError(f"{flag}: {number:g} is below the least allowed, {option.minimum:g}")
    if option.maximum is not None and number > option.maximum:
        raise UsageError(f"{flag}: {number:g} is above the most allowed, {option.maximum:g}")
    return number


class Settings(Mapping[str, Any]):
    """Resolved option values, readable as ``settings.page_size`` or ``settings["page_size"]``.

    A plain mapping so that it pickles into worker processes.
    """

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        self._values = dict(values or {})

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def replace(self, **changes: Any) -> "Settings":
        return Settings({**self._values, **changes})

    def __repr__(self) -> str:
        return f"Settings({self._values!r})"

    def __getstate__(self) -> dict:
        return self._values

    def __setstate__(self, state: dict) -> None:
        self.__dict__["_values"] = state


def resolve(options: Iterable[Option], given: Mapping[str, Any]) -> Settings:
    """Check ``given`` against ``options``; unknown names are a :class:`UsageError`."""
    declared = {o.name: o for o in options}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise UsageError(f"unknown option(s): {', '.join(unknown)}")
    # an option not given is its default (as check(None) says) without a call: most are not given
    return Settings({name: opt.default if (value := given.get(name)) is None else opt.check(value)
                     for name, opt in declared.items()})


def complete(options: Iterable[Option], given: Mapping[str, Any]) -> Settings:
    """``given`` with each of ``options`` it lacks set to its declared default; the rest kept as given.

    For code that receives settings from elsewhere (a writer, the resource policy) and must not
    restate a default: what the declarations say is what it gets.
    """
    values = dict(given)
    for option in options:
        if option.name not in values:
            values[option.name] = option.default
    return Settings(values)


# --- options of the pipeline itself (writers add their own) -----------------------------------

#: Metadata given by the user wins over anything found in the markup.
METADATA_OPTIONS: tuple[Option, ...] = (
    Option("title", "Title of the edition (default: from the markup, else the file name).", group="metadata"),
    Option("subtitle", "Subtitle, shown under the title.", group="metadata"),
    Option("authors", "Author; repeat for several.", kind="multi", default=(), flags=("--author", "-a"),
           metavar="NAME", group="metadata"),
    Option("language", "Language as a BCP 47 tag such as en, fr-CA, zh-Hans (default: from the markup, "
           "else detected from the text).", flags=("--lang",), metavar="TAG", group="metadata"),
    Option("date", "Publication date, YYYY[-MM[-DD]] (default: from the markup).", metavar="DATE", group="metadata",
           convert=lambda value: _date(value)),
    Option("publisher", "Publisher or site name.", metavar="NAME", group="metadata"),
    Option("source_url", "URL of the original article.", flags=("--url",), metavar="URL", group="metadata",
           convert=lambda value: _http_url(value)),
    Option("description", "One-paragraph summary.", metavar="TEXT", group="metadata"),
    Option("subjects", "Subject or keyword; repeat for several.", kind="multi", default=(), flags=("--subject",),
           metavar="WORD", group="metadata"),
    Option("rights", "Rights statement, e.g. a licence or copyright line.", metavar="TEXT", group="metadata"),
)

#: Where resources (images, stylesheets) may come from, and how much of them.
RESOURCE_OPTIONS: tuple[Option, ...] = (
    Option("offline", "Never use the network: remote images are left out (alt text and caption stay).",
           kind="flag", default=False, group="resources"),
    Option("allow_private", "Allow fetching from loopback and private network addresses.", kind="flag",
           default=False, group="resources"),
    Option("allow_hardlinks", "Read local images that have other hard links (a hard link beside the article "
           "may be to any file on the disk; backups made with hard links need this).", kind="flag",
           default=False, group="resources"),
    Option("fetch_timeout", "Seconds to wait for one remote resource.", kind="float", default=10.0,
           metavar="SECONDS", group="resources", minimum=0.01, maximum=86_400),
    Option("max_resource_mb", "Largest single resource (image, stylesheet) in MB.", kind="float", default=20.0,
           metavar="MB", group="resources", minimum=0, maximum=100_000),
    Option("max_book_resources_mb", "Most MB of images and other resources one book reads in all; "
           "past it, further resources are left out (alt text stays).", kind="float", default=200.0,
           metavar="MB", group="resources", minimum=0, maximum=1_000_000),
    Option("max_images", "Most local or remote images (and other resources) one book reads; more fails "
           "the article.", kind="int", default=500, metavar="N", group="resources", minimum=0,
           maximum=1_000_000),
    Option("base", "Folder the relative image paths of standard input (-) are read from; without it, standard "
           "input reads no local files (a file's own folder is always its base).", metavar="DIR",
           group="resources", convert=lambda value: _existing_folder(value)),
)

#: Limits that protect the machine from hostile or runaway input.
LIMIT_OPTIONS: tuple[Option, ...] = (
    Option("max_input_mb", "Largest input (or dataset record) accepted, in MB (0: no limit).", kind="float",
           default=100.0, metavar="MB", group="limits", minimum=0, maximum=1_000_000),
    Option("max_depth", "Deepest element nesting kept; deeper markup is flattened (its text stays).", kind="int",
           default=256, metavar="N", group="limits", minimum=1, maximum=100_000),
    Option("max_render_seconds", "Longest a PDF may take to lay out, in seconds (0: no limit); past it that "
           "article fails.", kind="float", default=300.0, metavar="SECONDS", group="limits", minimum=0,
           maximum=1_000_000),
    Option("max_article_seconds", "Longest one article may take in all, reading, fetching, images and every "
           "edition's layout together, in seconds (0: no limit; a book has this much per article); past it "
           "that article fails.", kind="float", default=900.0, metavar="SECONDS", group="limits", minimum=0,
           maximum=1_000_000),
)

#: Which part of the input is read as the article.
READ_OPTIONS: tuple[Option, ...] = (
    Option("extract", "Keep only the article of a whole web page, leaving navigation, comments, related "
           "stories, newsletter boxes, banners and footers behind: auto (whole pages only; article markup "
           "and fragments pass untouched), always, or never.", kind="choice", default="auto",
           choices=("auto", "always", "never"), metavar="auto|always|never", group="normalise"),
)

#: What the normaliser may change beyond the structure it must repair.
NORMALISE_OPTIONS: tuple[Option, ...] = (
    Option("reflow", "Split long paragraphs without structure (run-on text) into paragraphs at sentence "
           "boundaries, the way a news editor would.", kind="flag", default=True,
           flags=("--reflow/--no-reflow",), group="normalise"),
    Option("typography", "Typography per language: curly quotes and apostrophes, dashes, ellipses and "
           "no-break spaces.", kind="flag", default=True, flags=("--typography/--no-typography",),
           group="normalise"),
)

#: What the normaliser is told about the article beyond its markup.
CONTENT_OPTIONS: tuple[Option, ...] = (
    Option("image_descriptions", "Descriptions of images, for those the source leaves undescribed: a JSON file "
           "with one object mapping each image's address (its src in the clean tree, as 'exporter normalise' "
           "prints it: absolute for a fetched page) to its description (\"\": decorative). They become the "
           "images' text alternatives in every edition.", metavar="FILE", group="normalise", convert=lambda value: image_descriptions(value),
           mapping=True),
)

#: The editions written when no format is given (``-f``): every one the bundled writers make but KEPUB.
DEFAULT_FORMATS = ("epub", "pdf", "txt")

#: What and where to export.
EXPORT_OPTIONS: tuple[Option, ...] = (
    Option("theme", "Theme: a name from themes/ or a folder with theme.toml.", default="default", metavar="NAME",
           convert=lambda value: _known_theme(value)),
)

def _date(value: str) -> str:
    """A publication date as YYYY[-MM[-DD]] (ISO dates with a time are cut to the day)."""
    from .normalise.metadata import normalise_date

    date = normalise_date(value)
    if not date:
        raise ValueError(f"{value!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return date


def _http_url(value: str) -> str:
    """The article's own address: an http(s) URL, kept as given."""
    from .normalise.urls import clean_href

    if not (clean_href(value) or "").startswith(("http://", "https://")):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def _existing_folder(value: str) -> str:
    """An existing folder, as an absolute path (workers may run elsewhere)."""
    from pathlib import Path

    path = Path(value).expanduser()
    if not path.is_dir():
        raise ValueError(f"{value!r} is not a folder")
    return str(path.resolve())


#: The largest descriptions file read (a file this size holds descriptions of some 50,000 images).
DESCRIPTIONS_MAX_BYTES = 16_000_000


def image_descriptions(value: str | Mapping[str, str]) -> str:
    """``--image-descriptions``: the canonical JSON text of its object (a settings value stays a string, so it
    pickles, hashes and checks again unchanged; :mod:`exporter.normalise.descriptions` applies it).

    ``value`` is a JSON file, a JSON object itself (a dataset record's field), or a mapping (the Python API).
    Raises ValueError.
    """
    import json
    from pathlib import Path

    if isinstance(value, Mapping):
        value = json.dumps(dict(value), ensure_ascii=False)
    text = value.strip()
    if not text.startswith("{"):
        path = Path(text).expanduser()
        if not path.is_file():
            raise ValueError(f"{value!r} is not a file")
        if path.stat().st_size > DESCRIPTIONS_MAX_BYTES:
            raise ValueError(f"{value!r} is over {DESCRIPTIONS_MAX_BYTES // 1_000_000} MB")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"{value!r} cannot be read as UTF-8 text ({exc})") from None
    return _canonical(text, str(value))


@lru_cache(maxsize=8)
def _canonical(text: str, where: str) -> str:
    """The canonical JSON text of the descriptions in ``text`` (ASCII: a lone surrogate stays escaped). Cached:
    options are checked again wherever settings are resolved, and a big file's text is long."""
    import json

    return json.dumps(_mapping(text, where), sort_keys=True)


def _mapping(text: str, where: str) -> dict[str, str]:
    """Image address → description (white space collapsed) from a JSON object text; ValueError otherwise."""
    import json

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where[:80]!r} is not JSON ({exc.msg}, line {exc.lineno})") from None
    except RecursionError:
        raise ValueError(f"{where[:80]!r} is nested too deeply to be an object of descriptions") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError(f"{where[:80]!r} must be a JSON object mapping image addresses to descriptions (text)")
    return {k.strip(): " ".join(v.split()) for k, v in data.items() if k.strip()}


def merged_descriptions(command: str | None, record: Any) -> str | None:
    """The command's descriptions (canonical JSON text, or None) with a record's own (an object, or its JSON
    text) over them. Raises ValueError for a record field that is no such object."""
    import json

    if record is None or record == "":
        return command
    return _merged(command, json.dumps(record) if isinstance(record, Mapping) else str(record))


@lru_cache(maxsize=4)
def _merged(command: str | None, record: str) -> str:
    """Cached: a book's file (megabytes of JSON) is every article's override, merged once a process, not per
    article."""
    import json

    own = _mapping(record, "image_descriptions")
    base = json.loads(command) if command else {}
    return json.dumps({**base, **own}, sort_keys=True)


def _known_theme(name: str) -> str:
    """Fail before any work when the theme does not exist (every writer would need it)."""
    from . import themes

    themes.load(name)
    return name


#: The options :func:`exporter.normalise` accepts (metadata wins over the markup), declared here so that
#: the commands and the export path know them without importing the normaliser.
DOCUMENT_OPTIONS: tuple[Option, ...] = (
    METADATA_OPTIONS + READ_OPTIONS + NORMALISE_OPTIONS + CONTENT_OPTIONS + LIMIT_OPTIONS
)

PIPELINE_OPTIONS: tuple[Option, ...] = (
    METADATA_OPTIONS + READ_OPTIONS + NORMALISE_OPTIONS + CONTENT_OPTIONS + RESOURCE_OPTIONS + LIMIT_OPTIONS
    + EXPORT_OPTIONS
)

METADATA_NAMES: frozenset[str] = frozenset(o.name for o in METADATA_OPTIONS)


def default_of(name: str) -> Any:
    """The declared default of one of the pipeline's options (for dataclass fields that mirror options)."""
    return next(o.default for o in PIPELINE_OPTIONS if o.name == name)


def split(settings: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The subset of ``settings`` whose names are in ``names``."""
    names = set(names)
    return {k: v for k, v in settings.items() if k in names}


__all__ = ["Option", "Settings", "resolve", "complete", "default_of", "PIPELINE_OPTIONS", "METADATA_OPTIONS",
           "READ_OPTIONS", "NORMALISE_OPTIONS", "CONTENT_OPTIONS", "RESOURCE_OPTIONS", "LIMIT_OPTIONS",
           "EXPORT_OPTIONS", "METADATA_NAMES", "image_descriptions", "merged_descriptions"]
