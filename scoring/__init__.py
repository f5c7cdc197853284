"""The vectorised scoring engine: facts in, item points, roll-ups, grades out."""

from scoring.engine import Scores, score
from scoring.facts import FactBlock, prepare
from scoring.grades import assign_grades, grade_label, grade_note
from scoring.reasons import ItemExplanation, explain_row
from scoring.rollup import rollup
from scoring.rules import RULE_HANDLERS

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
