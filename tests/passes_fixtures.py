"""Load the cases of ``tests/passes/`` and run exactly one pass over one (see ``tests/passes/README.md``)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from lxml import etree

from exporter.document import Metadata
from exporter.normalise import OPTIONS, passes
from exporter.normalise.page import pick_content
from exporter.normalise.state import State
from exporter.options import resolve
from exporter.read import Source, parse_html

FOLDER = Path(__file__).resolve().parent / "passes"


@dataclass
class Case:
    """One input/expected set of files: ``FOLDER/<pass>/<name>.*``."""

    step: str
    name: str

    @property
    def id(self) -> str:
        return f"{self.step}/{self.name}"

    def path(self, suffix: str) -> Path:
        return FOLDER / self.step / f"{self.name}.{suffix}"

    def read(self, suffix: str) -> str | None:
        path = self.path(suffix)
        return path.read_text(encoding="utf-8").removesuffix("\n") if path.is_file() else None


def cases() -> list[Case]:
    found = []
    for folder in sorted(p for p in FOLDER.iterdir() if p.is_dir()):
        names = sorted({f.name.split(".")[0] for f in folder.iterdir() if ".in." in f.name})
        found += [Case(folder.name, name) for name in names]
    return found


def initial_state(case: Case) -> State:
    """The state the case's files describe; parts they do not give stay as normalise leaves them empty."""
    given = json.loads(case.read("state.json") or "{}")
    html, xml = case.read("in.html"), case.read("in.xml")
    page = pick_content(parse_html(html)) if html is not None else lxml.html.fromstring("<body></body>")
    state = State(page=page, settings=resolve(OPTIONS, given.get("settings", {})),
                  source=Source(text=html or xml or "", origin=f"{case.name}.in"), found=given.get("found", {}))
    if xml is not None:
        state.tree = etree.fromstring(xml)
    if "metadata" in given:
        state.metadata = Metadata(**given["metadata"])
    return state


def page_markup(state: State) -> str:
    return lxml.html.tostring(state.page, encoding="unicode")


def tree_markup(state: State) -> str:
    return etree.tostring(state.tree, encoding="unicode")


def outcome(case: Case) -> dict:
    """Run the case's one pass; what the state is after it (or the error it raised)."""
    state = initial_state(case)
    try:
        passes.named(case.step).run(state)
    except Exception as exc:  # the expected outcome of a pass that refuses its input
        return {"error": f"{type(exc).__name__}: {exc}"}
    result = {"report": state.report.lines(), "found": state.found,
              "metadata": state.metadata.as_dict() if state.metadata else None}
    if case.read("in.html") is not None and state.tree is None:
        result["page"] = page_markup(state)
    if state.tree is not None:
        result["tree"] = tree_markup(state)
    return result
