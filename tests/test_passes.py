"""The normaliser's pass table: every pass has its own cases, run one pass at a time; the CLI lists it."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from exporter.cli import cli
from exporter.normalise import passes
from exporter.options import NORMALISE_OPTIONS

from passes_fixtures import FOLDER, Case, cases, initial_state, outcome, tree_markup

NORMALISER = Path(passes.__file__).resolve().parent


@pytest.mark.parametrize("case", cases(), ids=lambda case: case.id)
def test_one_pass_on_its_cases(case: Case) -> None:
    got = outcome(case)
    expected_json = json.loads(case.read("out.json") or "{}")
    if "error" in expected_json:
        assert got.get("error") == expected_json["error"]
        return
    assert "error" not in got, got["error"]
    checked = 0
    for kind, suffix in (("page", "out.html"), ("tree", "out.xml")):
        expected = case.read(suffix)
        if expected is not None:
            assert got.get(kind) == expected, f"{case.id}: the {kind} after the pass"
            checked += 1
    if "report" in expected_json:
        assert got["report"] == expected_json["report"]
        checked += 1
    for part in ("found", "metadata"):
        for key, value in expected_json.get(part, {}).items():
            assert got[part][key] == value, f"{case.id}: {part}.{key}"
            checked += 1
    assert checked, f"{case.id}: no expected output (.out.html, .out.xml or .out.json)"


def test_every_pass_has_cases_and_every_folder_names_a_pass() -> None:
    names = {step.name for step in passes.PASSES}
    with_cases = {case.step for case in cases()}
    assert not names - with_cases, f"passes without cases in {FOLDER}: {sorted(names - with_cases)}"
    assert not with_cases - names, f"folders naming no pass: {sorted(with_cases - names)}"


def test_each_pass_has_a_case_it_changes() -> None:
    """A case whose output equals its input shows nothing the pass does: each pass has one that differs."""
    changed = set()
    for case in cases():
        before = initial_state(case)
        got = outcome(case)
        if ("error" in got or got.get("report") or got.get("metadata") != (before.metadata and before.metadata.as_dict())
                or got.get("found") != before.found
                or ("tree" in got and (before.tree is None or got["tree"] != tree_markup(before)))
                or ("page" in got and got["page"] != case.read("in.html"))):
            changed.add(case.step)
    assert changed == {step.name for step in passes.PASSES}


def test_a_pass_runs_once_unless_its_row_says_why() -> None:
    seen: dict[str, object] = {}
    for step in passes.PASSES:
        if step.name in seen:
            assert step.again, f"{step.name} runs twice without saying why"
            assert step.run is seen[step.name], f"{step.name}: a second row runs another function"
        else:
            assert step.again is None, f"{step.name}: 'again' on its first run"
            seen[step.name] = step.run
        assert step.purpose and "\n" not in step.purpose


def test_options_are_checked_by_the_table_not_by_the_passes() -> None:
    """A row's option is a normaliser option; with it off, :func:`passes.run` skips the pass."""
    declared = {option.name for option in NORMALISE_OPTIONS}
    optional = [step for step in passes.PASSES if step.option]
    assert {step.option for step in optional} == declared
    for step in optional:
        case = next(c for c in cases() if c.step == step.name)
        state = initial_state(case)
        before = tree_markup(state)
        state.settings = state.settings.replace(**{step.option: False})
        passes.run(state, [step])
        assert tree_markup(state) == before and not state.report
        passes.run(state.__class__(**{**state.__dict__, "settings": state.settings.replace(**{step.option: True})}),
                   [step])
    for path in NORMALISER.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for name in declared:
            assert f'settings.get("{name}"' not in source and f"settings.{name}" not in source, \
                f"{path.name} checks --{name} itself"


def test_no_normaliser_module_imports_another_ones_private_names() -> None:
    for path in NORMALISER.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                private = [alias.name for alias in node.names if alias.name.startswith("_")]
                assert not private, f"{path.name} imports {private} from {node.module}"


def test_cli_lists_the_passes_in_order() -> None:
    result = CliRunner().invoke(cli, ["normalise", "--passes"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(passes.PASSES)
    for line, step in zip(lines, passes.PASSES):
        assert step.name in line and step.purpose in line and step.stage.value in line
    assert "(off: --no-reflow)" in lines[[s.name for s in passes.PASSES].index("reflow")]
