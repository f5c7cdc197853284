"""The facts of one period, field by field, and the gaps firms leave in their reports.

Every catalogue field has a deliberate maker here or in the modules it imports
(``HANDLED`` lists them); a field the catalogue adds or renames later gets a
generic value from its type, range and the items that read it, so the generator
never fails on a new catalogue, and the tests say which fields lack a maker.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators import Catalogue, InputField
from indicators.models import BandedRule, CountRule, ThresholdRule
from lrc.samples import facts_2027, facts_employment, facts_protection, facts_voice  # noqa: F401 - they register makers
from lrc.samples.makers import MAKERS, value
from lrc.samples.quality import Context
from scoring.vectors import COMPARISONS

__all__ = ["HANDLED", "draw_facts", "generic"]

HANDLED: tuple[str, ...] = tuple(MAKERS)

# Facts that come from official records (inspection, courts, credit lists) are rarely blank;
# numbers a firm must compute are left blank more often; required fields (the headcount and
# everything a deduct item reads) never.
RECORDED = {
    "forced_labour_found", "mass_incident_occurred", "fatal_accidents", "child_labour_found",
    "administrative_penalties", "correction_orders", "major_violation_published", "wage_arrears_blacklisted",
    "integrity_grade_c", "double_wage_cases", "unlawful_termination_cases", "arbitration_cases_lost",
    "labour_disputes_filed", "social_insurance_arrears_orders", "wage_arrears_cases",
    "substantiated_complaints",
}  # fmt: skip
LABORIOUS = {
    "training_hours_total", "training_spend", "employees_annual_leave_taken", "employees_tenure_3y_plus",
    "employees_skill_certified", "average_wage_growth_rate", "employees_left", "overtime_hours_max_monthly",
    "union_fund_paid_ratio",
}  # fmt: skip
NEVER_BLANK = {"headcount"}
BLANK_CHURN = 0.05  # a firm mostly leaves the same cells blank every period


def draw_facts(ctx: Context, catalogue: Catalogue) -> dict[str, pd.api.extensions.ExtensionArray]:
    """Every catalogue field as a nullable pandas array ("boolean", "Int64", "Float64"),
    missing where the firm left the cell blank."""
    raws: dict[str, np.ndarray] = {}
    blank_rate = _blank_rates(ctx)
    for f in catalogue.fields:
        raw = np.asarray(value(ctx, f.name) if f.name in MAKERS else generic(ctx, f, catalogue), dtype=np.float64)
        if f.at_most and f.at_most in raws:  # a count of people never exceeds the field that bounds it
            raw = np.minimum(raw, raws[f.at_most])
        raws[f.name] = raw
    for check in catalogue.checks:  # facts that cannot both be true never are (no union, no union chair)
        when, then = check.when, check.then
        if then.op == "==" and when.field in raws and then.field in raws:
            holds = COMPARISONS[when.op](raws[when.field], when.value)
            raws[then.field] = np.where(holds, then.value, raws[then.field])
    out = {}
    for f in catalogue.fields:
        blank = np.zeros(ctx.n, dtype=bool) if f.required else _blank(ctx, f.name, blank_rate)
        out[f.name] = _typed(raws[f.name], f, blank)
    return out



def _typed(raw: np.ndarray, f: InputField, blank: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """The field's pandas type, clipped to its range (ints rounded)."""
    if f.type == "bool":
        return pd.arrays.BooleanArray(raw.astype(bool), blank)
    low = f.min if f.min is not None else -np.inf
    high = f.max if f.max is not None else np.inf
    values = np.clip(raw.astype(np.float64), low, high)
    if f.type == "int":
        return pd.arrays.IntegerArray(np.rint(values).astype(np.int64), blank)
    return pd.arrays.FloatingArray(values, blank)


def _blank_rates(ctx: Context) -> np.ndarray:
    """Per firm, the chance of leaving a cell blank: most report fully, some skip a few
    cells, a few (more often micro firms) report only part of the form."""
    u = ctx.draws.uniform("reporting")
    sloppy = 0.04 * np.where(ctx.is_size("微型"), 1.6, 0.8)
    return np.select([u < sloppy, u < sloppy + 0.22], [0.38, 0.1], 0.001)


def _blank(ctx: Context, name: str, rate: np.ndarray) -> np.ndarray:
    """Which cells of a field are blank; mostly the same cells every period."""
    if name in NEVER_BLANK:
        return np.zeros(ctx.n, dtype=bool)
    factor = 0.15 if name in RECORDED else 2.0 if name in LABORIOUS else 1.0
    fresh = ctx.draws.uniform(f"blank/{name}", per_period=True)  # below BLANK_CHURN: redrawn this period
    u = np.where(fresh < BLANK_CHURN, fresh / BLANK_CHURN, ctx.draws.uniform(f"blank/{name}"))
    blank = u < rate * factor
    if name == "worker_satisfaction_rate":  # surveys are run by the union
        no_union = ~value(ctx, "union_established").astype(bool)
        blank |= no_union & (ctx.draws.uniform("no-survey") < 0.5)
    return blank


def generic(ctx: Context, f: InputField, catalogue: Catalogue) -> np.ndarray:
    """A plausible value for a field without a maker, from its type and the items reading it:
    good practice for decent employers, violations and incidents for the worst."""
    readers = [i for i in catalogue.items if f.name in i.reads]
    deduct = any(i.kind == "deduct" for i in readers)
    rare = 0.004 if any(i.red_line for i in readers) else 0.04
    name = f"generic/{f.name}"
    if f.type == "bool":
        return ctx.flag(name, rare, loading=-0.6) if deduct else ctx.flag(name, 0.8)
    if any(getattr(i.rule, "per", None) == f.name for i in readers):
        return ctx.headcount  # a denominator: the firm's size
    rule = next((i.rule for i in readers if getattr(i.rule, "field", None) == f.name), None)
    if isinstance(rule, CountRule):
        return ctx.incidents(name, rare * np.exp((-0.9 if deduct else 0.9) * ctx.quality))
    if rule is not None and getattr(rule, "per", None):
        return ctx.people(ctx.share(name, 0.8, 1.2))
    low = f.min if f.min is not None else 0.0
    high = f.max if f.max is not None else low + 100.0
    if isinstance(rule, ThresholdRule):
        low, high = _around(rule.value, low, high)
    elif isinstance(rule, BandedRule):
        low, high = max(low, rule.bands[0].min), min(high, rule.bands[-1].min * 1.2 or high)
    position = ctx.share(name, 0.6, 1.0)
    if deduct or (isinstance(rule, ThresholdRule) and rule.op in ("<", "<=")):
        position = 1 - position
    return np.round(low + (high - low) * position, 3)


def _around(threshold: float, low: float, high: float) -> tuple[float, float]:
    span = max(abs(threshold), 1.0)
    return max(low, threshold - span), min(high, threshold + span)
