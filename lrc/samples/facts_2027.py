"""Makers of the facts catalogue 2027.1 added: contracts past the first month, internal mediation,
union safety supervision, occupational hazards, pregnancy and nursing, harassment prevention,
juvenile workers, wage-agreement coverage and CSR disclosure."""

from __future__ import annotations

import numpy as np

from lrc.samples.facts_employment import contract_rate
from lrc.samples.identity import LETTERS
from lrc.samples.makers import maker, value
from lrc.samples.quality import Context

__all__: list[str] = []

HIRING = {"E": 0.065, "F": 0.06, "H": 0.07}  # monthly hiring: construction, trade and hospitality churn most
EXPOSED = {"B": 0.3, "C": 0.25, "D": 0.15, "E": 0.3}  # share of staff exposed in hazardous industries


def _industry(ctx: Context, table: dict[str, float], default: float) -> np.ndarray:
    return np.array([table.get(k, default) for k in LETTERS])[ctx.firms.industry]


def _union(ctx: Context) -> np.ndarray:
    return value(ctx, "union_established").astype(bool)


@maker("employees_past_first_month")
def employees_past_first_month(ctx: Context) -> np.ndarray:
    """Everyone but the month's new hires (the law allows a month to sign): at least one person."""
    hired = _industry(ctx, HIRING, 0.025) * (0.6 + 0.8 * ctx.draws.uniform("hiring", per_period=True))
    return np.maximum(ctx.people(1 - hired), 1)


@maker("employees_past_first_month_with_contract")
def employees_past_first_month_with_contract(ctx: Context) -> np.ndarray:
    past = value(ctx, "employees_past_first_month")
    rate = np.clip(contract_rate(ctx) * 1.02, 0, 1)  # a little higher: the first month is excused
    return ctx.people(rate, past)


@maker("mediation_cases_received")
def mediation_cases_received(ctx: Context) -> np.ndarray:
    """Disputes brought to the enterprise's own committee: about 0.2% of staff a quarter."""
    committee = value(ctx, "mediation_committee_established").astype(bool)
    cases = ctx.incidents("mediation-cases", 0.002 * ctx.headcount * np.exp(-0.3 * ctx.quality))
    return np.where(committee, cases, 0)


@maker("mediation_resolved_share")
def mediation_resolved_share(ctx: Context) -> np.ndarray:
    return np.round(ctx.share("mediation-resolved", 0.65, 1.0), 3)


@maker("union_safety_supervision")
def union_safety_supervision(ctx: Context) -> np.ndarray:
    return _union(ctx) & ctx.flag("union-safety", 0.8, churn=0.03)


@maker("employees_exposed_to_hazards")
def employees_exposed_to_hazards(ctx: Context) -> np.ndarray:
    hazardous = _industry(ctx, EXPOSED, 0.0)
    some = ctx.draws.uniform("exposed") < np.where(hazardous > 0, 0.7, 0.04)
    rate = np.where(hazardous > 0, hazardous, 0.05) * (0.4 + 1.2 * ctx.draws.uniform("exposed-rate"))
    return np.where(some, ctx.people(rate), 0)


@maker("occupational_hazards_disclosed")
def occupational_hazards_disclosed(ctx: Context) -> np.ndarray:
    return ctx.flag("hazards-disclosed", ctx.by_size(0.92, 0.88, 0.82, 0.7), churn=0.02)


@maker("female_employees_gave_birth")
def female_employees_gave_birth(ctx: Context) -> np.ndarray:
    """About 40% of staff are women; 2.5% of them give birth in a year (a quarter of that per quarter)."""
    return ctx.incidents("births", ctx.headcount * 0.4 * 0.025 / 4)


@maker("employees_pregnant_or_nursing")
def employees_pregnant_or_nursing(ctx: Context) -> np.ndarray:
    births = value(ctx, "female_employees_gave_birth")
    return births * 2 + ctx.incidents("pregnant", ctx.headcount * 0.4 * 0.025 / 2)


@maker("pregnancy_nursing_protections")
def pregnancy_nursing_protections(ctx: Context) -> np.ndarray:
    return ctx.flag("pregnancy-protections", 0.85, churn=0.03)


@maker("harassment_prevention")
def harassment_prevention(ctx: Context) -> np.ndarray:
    return ctx.flag("harassment", ctx.by_size(0.7, 0.5, 0.3, 0.15), churn=0.02)


@maker("juvenile_workers")
def juvenile_workers(ctx: Context) -> np.ndarray:
    likely = _industry(ctx, {"H": 0.08, "C": 0.04, "O": 0.06}, 0.01)
    some = ctx.draws.uniform("juveniles") < likely
    return np.where(some, 1 + (3 * ctx.draws.uniform("juvenile-count")).astype(np.int64), 0)


@maker("wage_agreement_covered")
def wage_agreement_covered(ctx: Context) -> np.ndarray:
    """An own wage agreement, or coverage by a regional or industry one (Zaozhuang's practice)."""
    shift = np.where(_union(ctx), 0.4, -0.3)
    return ctx.flag("wage-covered", ctx.by_size(0.8, 0.65, 0.5, 0.4), shift=shift, churn=0.03)


@maker("csr_disclosure_level")
def csr_disclosure_level(ctx: Context) -> np.ndarray:
    """0 none, 1 a CSR report, 2 a report and an improvement plan after a hearing: mostly large firms."""
    report = ctx.flag("csr-report", ctx.by_size(0.6, 0.25, 0.08, 0.02), churn=0.02)
    plan = report & ctx.flag("csr-plan", ctx.by_size(0.35, 0.2, 0.1, 0.05), churn=0.02)
    return report.astype(np.int64) + plan.astype(np.int64)
