#!/usr/bin/env python3
"""Fingerprints of the normaliser's output, to prove a speed change byte-identical.

For every HTML file of the shared corpus, ``tests/data`` and ``tests/passes`` (160 today), under six
option sets (the benchmark's, none, French, German without reflow, two small ``--max-depth`` so that
flattening runs), it hashes the clean tree (pretty and raw XML), the metadata, the report or the error,
and the tree after every pass of the table. Run it on the tree before a change and on the tree after,
then compare::

    PYTHONPATH=/path/to/before python benchmarks/normalise_fingerprint.py /tmp/before.json
    PYTHONPATH=. python benchmarks/normalise_fingerprint.py /tmp/after.json
    python benchmarks/normalise_fingerprint.py --compare /tmp/before.json /tmp/after.json

``--compare`` prints how many fingerprints differ and, for the first few, the first pass whose tree differs.
(Run it from the checkout: the inputs are found relative to it. A tree checked out elsewhere is picked by
PYTHONPATH, which this script's own folder does not shadow.)
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
from pathlib import Path

from inputs import ROOT  # noqa: E402  (benchmarks/ is on the path when a script runs)

VARIANTS = (dict(title="Benchmark", language="en"), dict(), dict(language="fr"), dict(language="de", reflow=False),
            dict(language="en", max_depth=6), dict(language="es", max_depth=12, typography=False))


def inputs() -> list[tuple[str, Path]]:
    """The HTML files, each with a name that is the same in every checkout."""
    roots = {"shared/corpus": ROOT.parent / "shared" / "corpus", "tests/data": ROOT / "tests" / "data",
             "tests/passes": ROOT / "tests" / "passes"}
    return [(f"{label}/{path.relative_to(root)}", path) for label, root in roots.items() if root.exists()
            for path in sorted(root.rglob("*.html"))]


def fingerprints() -> dict[str, dict]:
    """Every input under every option set: its record (what is hashed) and the hash."""
    from lxml import etree

    import exporter
    from exporter.normalise import passes

    trail: list = []

    def traced(state, steps=None) -> None:  # passes.run, noting the tree after every pass
        for step in passes.PASSES if steps is None else steps:
            if step.option is None or state.settings[step.option]:
                step.run(state)
                node = state.tree if state.tree is not None else state.page
                trail.append((step.name, hashlib.sha1(etree.tostring(node)).hexdigest()[:12],
                              sorted(state.report.items())))

    passes.run = traced
    result = {}
    for name, path in inputs():
        data = path.read_bytes()
        for number, options in enumerate(VARIANTS):
            trail.clear()
            try:
                doc = exporter.normalise(data, origin=path.name, **options)
                record = dict(xml=doc.to_xml(), raw=etree.tostring(doc.tree, encoding="unicode"),
                              meta=dataclasses.asdict(doc.metadata), report=sorted(doc.report.items()))
            except Exception as exc:  # an error is part of the behaviour: it must not change either
                record = dict(error=f"{type(exc).__name__}: {exc}")
            record["passes"] = list(trail)
            result[f"{name}#{number}"] = dict(record=record, hash=hashlib.sha1(
                json.dumps(record, sort_keys=True, default=str).encode()).hexdigest())
    return result


def compare(before: dict, after: dict) -> int:
    differ = [key for key in before if before[key]["hash"] != after.get(key, {}).get("hash")]
    print(f"differ: {len(differ)} of {len(before)} fingerprints")
    for key in differ[:5]:
        old, new = before[key]["record"], after.get(key, {}).get("record", {})
        print(key)
        for field in old:
            if old[field] != new.get(field) and field == "passes":
                step = next((a for a, b in zip(old[field], new.get(field, [])) if a != b), None)
                print(f"  first pass differing: {step[0] if step else '(a pass ran or not)'}")
            elif old[field] != new.get(field):
                print(f"  {field}: {str(old[field])[:150]!r} -> {str(new.get(field))[:150]!r}")
    return 1 if differ else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", type=Path, help="where to write the fingerprints (JSON)")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = ap.parse_args()
    if args.compare:
        before, after = (json.loads(path.read_text()) for path in args.compare)
        sys.exit(compare(before, after))
    if args.out is None:
        ap.error("give a file to write, or --compare BEFORE AFTER")
    sys.setrecursionlimit(10_000)
    result = fingerprints()
    args.out.write_text(json.dumps(result, sort_keys=True, default=str))
    errors = sum(1 for item in result.values() if "error" in item["record"])
    print(f"{len(result)} fingerprints ({len(VARIANTS)} option sets), {errors} errors")


if __name__ == "__main__":
    main()
