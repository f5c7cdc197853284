"""The vectorised scoring engine: facts in, item points, roll-ups, grades out.

Its names load on first use: an explanation read through the database driver alone (``lrc explain``) uses
the reasons and the row-by-row scorer, and must not pay for pandas' import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrc.lazy import lazy_names

if TYPE_CHECKING:
    from scoring.engine import Scores, score
    from scoring.facts import FactBlock, prepare
    from scoring.grades import assign_grades, grade_label, grade_note
    from scoring.reasons import ItemExplanation, explain_row
    from scoring.rollup import rollup
    from scoring.rule_types import RULE_HANDLERS

_HOME = {
    "Scores": "scoring.engine",
    "score": "scoring.engine",
    "FactBlock": "scoring.facts",
    "prepare": "scoring.facts",
    "assign_grades": "scoring.grades",
    "grade_label": "scoring.grades",
    "grade_note": "scoring.grades",
    "ItemExplanation": "scoring.reasons",
    "explain_row": "scoring.reasons",
    "rollup": "scoring.rollup",
    "RULE_HANDLERS": "scoring.rule_types",
}

__all__ = [
    "RULE_HANDLERS",
    "FactBlock",
    "ItemExplanation",
    "Scores",
    "assign_grades",
    "explain_row",
    "grade_label",
    "grade_note",
    "rollup",
    "prepare",
    "score",
]


__getattr__ = lazy_names(__name__, _HOME)
