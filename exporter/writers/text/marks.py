"""How the text edition marks emphasis: data the writer's options declare (``--emphasis``'s choices) without
loading the layout (:mod:`.inline`, :mod:`.wrap`: their Unicode tables cost ~15 ms of every command that
lists the writers)."""
from __future__ import annotations

#: em and strong marks for each ``--emphasis`` choice
EMPHASIS = {
    "underscore": {"em": ("_", "_"), "strong": ("*", "*")},
    "asterisk": {"em": ("*", "*"), "strong": ("**", "**")},
    "none": {"em": ("", ""), "strong": ("", "")},
}
