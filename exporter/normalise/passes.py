"""The normaliser's passes: every step after parsing, in the order they run, in one table.

Each :class:`Pass` has a name, a stage, the function (which takes the one
:class:`~exporter.normalise.state.State` and changes it in place), a one-line
purpose, and the option that turns it off, if any: :func:`run` checks options,
passes never do. A pass runs once; a row that runs a pass again says why, and may be skipped while nothing has changed
since (:func:`run`).
``exporter normalise --passes`` prints this table. To add a step, write the
function in the module of its job, add a row here, and add its fixtures under
``tests/passes/<name>/``; mark the row ``notes_every_change`` only if the pass notes
every change it makes to the tree (tests/test_speed_passes.py checks every marked pass).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from itertools import islice
from typing import Callable, Iterable

from . import article, descriptions, images, notes, page, reflow, repair, tables, transforms, typography
from .convert import convert_page
from .state import KEPT_PROXIES, State


class Stage(str, Enum):
    """Where a pass works: the parsed page, the conversion, the clean tree, the metadata, the language."""

    SOURCE_REPAIR = "source repair"
    CONVERSION = "conversion"
    STRUCTURE = "structure"
    METADATA = "metadata"
    LANGUAGE = "language"


@dataclass(frozen=True)
class Pass:
    """One row of the table."""

    name: str
    stage: Stage
    run: Callable[[State], None]
    purpose: str
    #: the normaliser option (see :data:`exporter.options.NORMALISE_OPTIONS`) whose false value skips it
    option: str | None = None
    #: why this row runs a pass that an earlier row already ran (None: the first and only run)
    again: str | None = None
    #: True when the pass notes in the report every change it makes to the tree, so that a report it leaves as it was
    #: means a tree it left as it was (tests/test_speed_passes.py checks each such pass on real and made pages).
    #: False, the default, is always safe: it only keeps later rows from being skipped
    notes_every_change: bool = False
    #: True for a row that runs an idempotent pass again (one that changes nothing in a tree it has just settled):
    #: :func:`run` skips it while the tree is provably as the pass's last row left it
    skip_if_unchanged: bool = False


SOURCE, CONVERSION, STRUCTURE, METADATA, LANGUAGE = Stage

#: Every step after parsing, in order.
PASSES: tuple[Pass, ...] = (
    Pass("flatten-deep-nesting", SOURCE, page.flatten_deep_nesting,
         "unwrap elements nested deeper than --max-depth, keeping their text"),
    Pass("group-source-notes", SOURCE, notes.group_source_notes,
         "a note held in a container becomes a list item, so its paragraphs stay one note"),
    Pass("use-noscript-images", SOURCE, repair.use_noscript_images,
         "a <noscript> image replaces the lazy-loading copies beside it"),
    Pass("drop-boxes", SOURCE, repair.drop_boxes,
         "drop small share, newsletter, related and promotion boxes, and repeated pull quotes"),
    Pass("unwrap-layout-tables", SOURCE, repair.unwrap_layout_tables,
         "tables used for layout become plain containers; data tables stay"),
    Pass("wrap-figures", SOURCE, repair.wrap_figures,
         "an image wrapped with its caption and credit becomes one figure"),
    Pass("convert", CONVERSION, convert_page,
         "build the clean tree from an allowlist: known elements mapped, the rest unwrapped or dropped"),
    Pass("split-double-breaks", STRUCTURE, transforms.split_double_breaks,
         "<br><br> inside a paragraph is a paragraph break"),
    Pass("lift-inline-images", STRUCTURE, transforms.lift_inline_images,
         "an image standing alone becomes a figure; one within a sentence, or small beside words, stays inline"),
    Pass("make-flow-uniform", STRUCTURE, transforms.make_flow_uniform,
         "items and cells hold inline content or blocks, not a mix"),
    Pass("drop-private-use", STRUCTURE, transforms.drop_private_use,
         "drop private-use characters: icons of the page's own font, which print as boxes anywhere else"),
    Pass("normalise-whitespace", STRUCTURE, transforms.normalise_whitespace,
         "collapse white space in text blocks, drop it between blocks, keep it in pre"),
    Pass("remove-empty", STRUCTURE, transforms.remove_empty,
         "remove empty inline elements, blocks, lists, rows and tables"),
    Pass("typed-lists", STRUCTURE, repair.typed_lists,
         "lines typed with bullets or numbers become lists", notes_every_change=True),
    Pass("paragraph-headings", STRUCTURE, repair.paragraph_headings,
         "a heading that runs to sentences is a bold paragraph", notes_every_change=True),
    Pass("bold-paragraph-headings", STRUCTURE, repair.bold_paragraph_headings,
         "a short bold line alone between paragraphs is a heading", notes_every_change=True),
    Pass("drop-link-lines", STRUCTURE, repair.drop_link_lines,
         "drop \"Read more\" and \"Related\" lines of links and newsletter or share calls", notes_every_change=True),
    Pass("credits-into-captions", STRUCTURE, repair.credits_into_captions,
         "a \"Photo:\" or \"©\" line after a figure joins its caption", notes_every_change=True),
    Pass("judge-alt-text", STRUCTURE, images.judge_alt_text,
         "alt that describes nothing (file name, URL, markup, caption repeat) goes; TeX and MathML become words",
         notes_every_change=True),
    Pass("supply-image-descriptions", STRUCTURE, descriptions.supply_descriptions,
         "images named in --image-descriptions get the description given there as their alt", notes_every_change=True),
    Pass("drop-repeated-pull-quotes", STRUCTURE, repair.drop_repeated_pull_quotes,
         "drop quotation blocks repeating words the article already says", notes_every_change=True),
    Pass("drop-repeated-blocks", STRUCTURE, repair.drop_repeated_blocks,
         "the same short block twice in a row is kept once", notes_every_change=True),
    Pass("remove-empty", STRUCTURE, transforms.remove_empty,
         "remove empty inline elements, blocks, lists, rows and tables",
         again="the tree repairs above remove blocks (link lines, pull quotes, repeats) and can leave "
               "their lists and quotations empty", skip_if_unchanged=True),
    Pass("consecutive-headings", STRUCTURE, transforms.consecutive_headings,
         "heading levels start at h2 and never skip"),
    Pass("detect-notes", STRUCTURE, notes.detect_notes,
         "footnote and endnote markers and their targets become tree notes"),
    Pass("bound-table-grids", STRUCTURE, tables.bound_table_grids,
         "tables too large for any writer to lay out lose their spans, or become their cells' content"),
    Pass("unique-ids", STRUCTURE, transforms.unique_ids,
         "ids are well-formed and unique; links follow renamed ids; links to missing ids are unlinked"),
    Pass("require-text", METADATA, article.require_text,
         "refuse an article with neither words nor images"),
    Pass("settle-direction", METADATA, article.settle_direction,
         "the writing direction the markup gives the whole article"),
    Pass("settle-metadata", METADATA, article.settle_metadata,
         "metadata from the options, then the markup, then fallbacks (file name, detected language)"),
    Pass("drop-title-heading", METADATA, article.drop_title_heading,
         "the first heading repeating the title goes: writers print the title"),
    Pass("consecutive-headings", METADATA, transforms.consecutive_headings,
         "heading levels start at h2 and never skip",
         again="dropping the title heading can leave the next heading a level too deep"),
    Pass("reflow", LANGUAGE, reflow.reflow,
         "split run-on text into news-length paragraphs at sentence boundaries", option="reflow"),
    Pass("typography", LANGUAGE, typography.typography,
         "quotes, apostrophes, dashes, ellipses and no-break spaces as the language writes them",
         option="typography"),
    Pass("drop-contradicting-language", LANGUAGE, article.drop_contradicting_language,
         "lang that the script of its own text contradicts goes (lang=\"en-US\" around Chinese)"),
    Pass("mark-chinese-script", LANGUAGE, article.mark_chinese_script,
         "lang=\"zh\" inside the article gets the script of its text (zh-Hant or zh-Hans)"),
    Pass("drop-redundant-language", LANGUAGE, article.drop_redundant_language,
         "lang equal to the article's own goes, and spans left carrying nothing"),
    Pass("mark-language", LANGUAGE, article.mark_language,
         "the article element carries the language and direction"),
)


def run(state: State, passes: Iterable[Pass] | None = None) -> None:
    """Run ``passes`` (the table, by default) in order over ``state``, skipping those whose option is off.

    A row marked ``skip_if_unchanged`` is skipped when the tree is as its pass's last row left it: every row run
    since notes every change it makes (``notes_every_change``) and the report is what it was then. A row not
    marked so (a new pass, by default) makes the next such row run.

    The clean tree's elements keep their Python proxies from the pass that makes the tree to the last pass (see
    :data:`~exporter.normalise.state.KEPT_PROXIES`), as the parsed page's do."""
    plan = _plan(PASSES if passes is None else tuple(passes))
    settled: dict[str, dict[str, int]] = {}  # pass name -> the report as its last row left it, while no unnoted change
    kept: list | None = None
    for function, option, skippable, noting, repeated in plan:
        if option is not None and not state.settings[option]:
            continue
        if skippable and settled.get(repeated) == state.report:
            continue  # the tree is as this pass left it, which holds nothing more for it to do
        function(state)
        if settled and not noting:
            settled.clear()  # the tree may have changed with no note of it
        if repeated is not None:
            settled[repeated] = dict(state.report)
        if kept is None and state.tree is not None:
            kept = list(islice(state.tree.iter(), KEPT_PROXIES))


#: One row as :func:`run` reads it: the pass's function, its option, whether it may be skipped, whether it notes
#: every change, and its name when some row of the table runs it again to be skipped (else None)
_Step = tuple[Callable[[State], None], "str | None", bool, bool, "str | None"]


def _plan(rows: tuple[Pass, ...]) -> tuple[_Step, ...]:
    """``rows`` as :func:`run` reads them, each field read once; the last table's plan is kept (reading seven fields
    of each of 38 rows for every article cost as much as calling 38 passes that do nothing). Kept by identity: a
    table is a tuple of frozen rows, and tests put another table in :data:`PASSES` for a while."""
    global _last_plan
    last_rows, last = _last_plan  # (one read: another thread may plan another table meanwhile)
    if rows is last_rows:
        return last
    repeated = {step.name for step in rows if step.skip_if_unchanged}
    plan = tuple((step.run, step.option, step.skip_if_unchanged, step.notes_every_change,
                  step.name if step.name in repeated else None) for step in rows)
    _last_plan = (rows, plan)
    return plan


#: The last table :func:`_plan` read, and its plan
_last_plan: tuple[tuple[Pass, ...] | None, tuple[_Step, ...]] = (None, ())


def describe(passes: Iterable[Pass] | None = None) -> list[str]:
    """The table as ``exporter normalise --passes`` prints it: one line a pass, in order."""
    rows = list(PASSES if passes is None else passes)
    width = max(len(step.name) for step in rows)
    stage_width = max(len(step.stage.value) for step in rows)
    lines = []
    for number, step in enumerate(rows, 1):
        line = f"{number:2}  {step.name:{width}}  {step.stage.value:{stage_width}}  {step.purpose}"
        if step.option:
            line += f" (off: --no-{step.option.replace('_', '-')})"
        if step.again:
            line += f" (again: {step.again})"
        lines.append(line)
    return lines


def named(name: str) -> Pass:
    """The first row called ``name``."""
    for step in PASSES:
        if step.name == name:
            return step
    raise KeyError(name)
