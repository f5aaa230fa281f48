"""DAISY Ace over many EPUBs in one Chromium (tests/ace_batch.js), and what its report.json says.

Ace exits 0 whatever it finds: its verdict is in report.json, where each content document's assertions
carry the rule (``dct:title``) and its impact. The batch also turns on the axe rules Ace leaves off for EPUBs
(region, page-has-heading-one, bypass), which a publisher's own auditor may run.
"""
from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from helpers import TESTS, ace_dir, chromium, require

#: Impacts that fail a test outright (the issue's bar); moderate and minor ones are listed by the tests that
#: hold them to zero too.
BLOCKING = ("critical", "serious")
#: Ace takes ~1-3 s a book once Chromium is up; a batch of 40 must not hang the suite.
BATCH_TIMEOUT = 900


@dataclass(frozen=True)
class Finding:
    """One violation Ace reported."""

    impact: str
    rule: str
    file: str  #: the content document (or the package document) it is in
    detail: str

    def __str__(self) -> str:
        return f"{self.impact} {self.rule} in {self.file}: {self.detail}"


@dataclass(frozen=True)
class AceReport:
    """What Ace said of one EPUB."""

    findings: list[Finding]
    metadata: dict  #: the package metadata as Ace read it (``dcterms:conformsTo``, ``schema:…``)
    a11y_metadata: dict  #: Ace's ``missing`` / ``empty`` / ``present`` accessibility properties
    images: list[dict]  #: Ace's inventory of the images in the content documents (src, alt…)

    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.impact in BLOCKING]


def run_ace(epubs: dict[str, Path], out: Path) -> dict[str, AceReport]:
    """Check every EPUB of ``epubs`` (name → file) with Ace in one Chromium; skip where Ace is absent."""
    require("ace")
    jobs = [{"epub": str(Path(path).resolve()), "outdir": str((out / name).resolve())} for name, path in epubs.items()]
    jobs_file = out / "ace-jobs.json"
    out.mkdir(parents=True, exist_ok=True)
    jobs_file.write_text(json.dumps(jobs), encoding="utf-8")
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium()}
    run = subprocess.run(["node", str(TESTS / "ace_batch.js"), str(ace_dir()), str(jobs_file)], env=env,
                         capture_output=True, text=True, timeout=BATCH_TIMEOUT)
    assert run.returncode == 0, f"Ace failed (exit {run.returncode}): {run.stderr[-2000:]}"
    return {name: read_report(out / name / "report.json") for name in epubs}


def read_report(path: Path) -> AceReport:
    """The violations, metadata and image inventory of one Ace report.json."""
    report = json.loads(path.read_text(encoding="utf-8"))
    findings = []
    for document in report.get("assertions", []):
        where = document.get("earl:testSubject", {}).get("url", "?")
        for assertion in document.get("assertions", []):
            if assertion.get("earl:result", {}).get("earl:outcome") != "fail":
                continue
            test = assertion.get("earl:test", {})
            pointer = assertion.get("earl:result", {}).get("earl:pointer", {})
            detail = assertion.get("earl:result", {}).get("dct:description", "")
            if pointer.get("css"):
                detail += f" at {', '.join(pointer['css'])[:200]}"
            findings.append(Finding(test.get("earl:impact", "?"), test.get("dct:title", "?"), where, detail))
    return AceReport(findings, report.get("earl:testSubject", {}).get("metadata", {}),
                     report.get("a11y-metadata", {}), report.get("data", {}).get("images", []))
