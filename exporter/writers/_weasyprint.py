"""WeasyPrint's only door to the outside, and the clock on its layout.

:class:`PolicyFetcher` serves every URL WeasyPrint asks for (images, stylesheets,
``@import``, ``<link rel="attachment">``, fonts) from the resource policy; only
the theme's own folders are read directly. :func:`render_limit` bounds the time
one layout may take (a limit of :mod:`exporter.clock`).
"""
from __future__ import annotations

import ctypes.util
import logging
import os
import re
import shutil
import struct
import subprocess
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, ContextManager, Iterator
from urllib.parse import unquote, urlsplit


#: glibc's ABI tag in ``ldconfig -p`` for this machine (as ``ctypes.util`` names them), else plain libc6
_LINKER_ABI = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
               "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}


def _linker_cache() -> Callable[[str], str | None]:
    """``ctypes.util.find_library`` for glibc, answered from the linker cache listed once (``ldconfig -p``),
    as the standard library's first lookup reads it: the soname of ``lib<name>.`` for this machine's ABI."""
    try:
        listing = subprocess.run(["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, env={"LC_ALL": "C", "LANG": "C"}, check=False).stdout
    except OSError:
        listing = b""
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    abi = re.escape(_LINKER_ABI.get(machine, "libc6")).encode()

    def find(name: str) -> str | None:
        found = re.search(rb"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(os.fsencode(name)), abi), listing)
        return os.fsdecode(found.group(1)) if found else None
    return find


@contextmanager
def _linker_cache_lookups() -> Iterator[None]:
    """``ctypes.util.find_library`` asks only the linker cache, listed once, while WeasyPrint loads its C
    libraries.

    WeasyPrint tries up to six spellings per library (Windows' and macOS' first) and cffi
    hands each to ``find_library``, which on Linux runs ``ldconfig -p``, then ``gcc``, then
    ``ld`` for every name the cache lacks: 22 lookups, 0.2-0.3 s of every PDF command's
    start; and ``ldconfig -p`` alone, run for each, 0.1 s. The cache knows every installed
    library; a spelling it lacks that has a dot (``libpango-1.0.so.0``) cffi still gives to
    dlopen directly, which also searches ``LD_LIBRARY_PATH``. Where the import fails anyway,
    it is retried with the full lookup.
    """
    full = ctypes.util.find_library
    if getattr(ctypes.util, "_findSoname_ldconfig", None) is None:  # not glibc's Linux: the usual lookup
        yield
        return
    ctypes.util.find_library = _linker_cache()
    try:
        yield
    finally:
        ctypes.util.find_library = full


# WeasyPrint warns on import when fontconfig knows no font ("Expect ugly output"), as on a slim container;
# the themes bring their own fonts (@font-face), so the warning would only be noise on every run.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r".*FontConfig.*Expect ugly output", category=UserWarning)
    try:
        with _linker_cache_lookups():
            from weasyprint.urls import URLFetcher, URLFetcherResponse
    except OSError:  # a library only gcc or ld finds: the lookup WeasyPrint expects
        from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..clock import time_limit
from ..errors import LimitError, ResourceDenied
from ..resources import ResourcePolicy, ResourceUnavailable

log = logging.getLogger("exporter")


class PolicyFetcher(URLFetcher):
    """Serve WeasyPrint's requests from the policy; ``trusted`` folders (theme, fonts) are read directly."""

    def __init__(self, policy: ResourcePolicy, trusted: tuple[Path, ...] = ()) -> None:
        super().__init__()
        self.policy = policy
        self.trusted = tuple(p.resolve() for p in trusted)

    def fetch(self, url, headers=None):  # noqa: D401 - WeasyPrint API
        if url.startswith("file://") and self.trusted:
            path = Path(unquote(urlsplit(url).path)).resolve()
            if any(root in path.parents for root in self.trusted) and path.is_file():
                return URLFetcherResponse(url, body=path.read_bytes())
        try:
            # data: URIs here are the images the writer prepared from resources already read and counted
            resource = self.policy.decode_data(url) if url.startswith("data:") else self.policy.fetch(url)
        except (ResourceDenied, ResourceUnavailable, LimitError) as exc:
            raise ValueError(f"not fetched: {exc}") from None
        return URLFetcherResponse(url, body=resource.data, headers={"Content-Type": resource.media_type})


def render_limit(seconds: float, what: str = "the PDF") -> ContextManager[None]:
    """Raise :class:`LimitError` in the block once ``seconds`` have passed (0: no limit).

    A limit of the one clock (:func:`exporter.clock.time_limit`), so it nests
    inside the article's budget; the atomic write then leaves no file.
    """
    return time_limit(seconds, f"{what} took longer than the render limit of {seconds:g} s "
                               f"(raise it with --max-render-seconds)")


def remove_font_folder(fonts) -> None:  # noqa: ANN001 - a weasyprint.text.fonts.FontConfiguration
    """Remove the folder of font files ``fonts`` wrote, now: call it outside the render limit.

    Its finaliser removes the folder when the object is collected, which for WeasyPrint's cyclic objects can
    happen under a later render limit. A strike landing in a finaliser is ignored by Python, and the folder
    would then stay in the temporary folder. Done here, the finaliser finds nothing to remove.
    """
    folder = getattr(fonts, "_folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        fonts._folder = None


_RECORDING = threading.Lock()
#: The private WeasyPrint function :func:`record_structure_boxes` wraps, and the parameters it must start with.
_BUILDER, _PARAMETERS = "_build_box_tree", ("box", "parent", "pdf")
_warned: set[str] = set()


def untouched_structure(reason: str) -> None:
    """Say once, as a warning, that the structure tree stays WeasyPrint's own, and why."""
    import weasyprint

    if reason not in _warned:
        _warned.add(reason)
        log.warning("the PDF's structure tree is left as WeasyPrint %s tagged it (one element per page for long "
                    "tables, notes not in reading order): %s; exporter knows the internals of WeasyPrint 70",
                    weasyprint.__version__, reason)


def record_structure_boxes() -> bool:
    """Have WeasyPrint note which box each structure element of a tagged PDF was made from.

    WeasyPrint 70 builds the structure tree page by page and keeps no link from an
    element to the HTML it came from, so a table or paragraph crossing a page
    break becomes several elements, and attributes the PDF needs (``lang``,
    ``scope``, ``role``) are lost. This wraps its tree builder (``_build_box_tree``,
    which calls itself through the module, so every level passes through the
    wrapper) to keep ``{object number: box}`` on the ``pydyf.PDF`` being written,
    as ``pdf.exporter_boxes``. Nothing else changes: other users of WeasyPrint in
    the process get the same PDFs. Installed once, the first time a PDF is laid out.

    The builder is private: when it is missing or takes other parameters (another
    WeasyPrint), nothing is wrapped, a warning says so once, and False is returned:
    the PDF is written with WeasyPrint's own tags. A recording that fails while a
    PDF is written stops recording and leaves that PDF's layout alone.
    """
    import inspect

    from weasyprint.pdf import tags

    with _RECORDING:
        build = getattr(tags, _BUILDER, None)
        if getattr(build, "records_boxes", False):
            return True
        if build is None or not inspect.isgeneratorfunction(build):
            untouched_structure(f"weasyprint.pdf.tags.{_BUILDER} is {'missing' if build is None else 'no generator'}")
            return False
        parameters = tuple(inspect.signature(build).parameters)[:len(_PARAMETERS)]
        if parameters != _PARAMETERS:
            untouched_structure(f"weasyprint.pdf.tags.{_BUILDER} takes {', '.join(parameters)}, not "
                                f"{', '.join(_PARAMETERS)}")
            return False

        def recording(box, parent, pdf, *args):
            for element in build(box, parent, pdf, *args):
                try:
                    boxes = pdf.__dict__.setdefault("exporter_boxes", {})
                    boxes.setdefault(element.number, getattr(box, "_box", box))  # the innermost call's box wins
                except (AttributeError, TypeError):  # not the objects WeasyPrint 70 passes: record nothing
                    pass
                yield element

        recording.records_boxes = True
        setattr(tags, _BUILDER, recording)
        return True
