"""Makers of the facts on workers' voice and the firm's record (catalogue areas E to H):
democratic management, the union, social responsibility, honours and penalties."""

from __future__ import annotations

import numpy as np

from lrc import reference
from lrc.samples.facts_employment import arrears_listing
from lrc.samples.identity import LETTERS
from lrc.samples.makers import maker, memo, value
from lrc.samples.quality import Context

__all__: list[str] = []

UNION_BY_OWNERSHIP = dict(zip(reference.OWNERSHIPS, (1.0, 0.3, -0.1, 0.3, -0.1, -0.1, -0.2), strict=True))


def _union(ctx: Context) -> np.ndarray:
    return value(ctx, "union_established").astype(bool)


def _union_shift(ctx: Context, with_union: float = 0.3, without: float = -0.5) -> np.ndarray:
    return np.where(_union(ctx), with_union, without)


def _congress(ctx: Context) -> np.ndarray:
    def make() -> np.ndarray:
        share = ctx.by_size(0.98, 0.93, 0.78, 0.6)
        return ctx.flag("congress", share, loading=0.5, shift=_union_shift(ctx), churn=0.01)

    return memo(ctx, "_congress", make)


@maker("workers_congress_sessions")
def workers_congress_sessions(ctx: Context) -> np.ndarray:
    extra = ctx.incidents("congress-extra", np.full(ctx.n, 0.3))
    return np.where(_congress(ctx), 1 + extra, 0)


@maker("rules_adopted_democratically")
def rules_adopted_democratically(ctx: Context) -> np.ndarray:
    shift = np.where(_congress(ctx), 0.5, -0.5)
    return ctx.flag("democratic-rules", 0.75, shift=shift, churn=0.04)


@maker("affairs_openness_system")
def affairs_openness_system(ctx: Context) -> np.ndarray:
    return ctx.flag("openness", ctx.by_size(0.98, 0.93, 0.78, 0.6), shift=_union_shift(ctx, 0.2, -0.3), churn=0.0)


@maker("affairs_disclosures")
def affairs_disclosures(ctx: Context) -> np.ndarray:
    system = value(ctx, "affairs_openness_system").astype(bool)
    habit = np.where(system, 2 + 5 * ctx.skewed("disclosures", 2.0, 2.0) + 1.5 * ctx.quality.clip(-1, 1), 0.0)
    return np.rint(np.clip(habit, 0, None)) + ctx.incidents("extra-disclosures", np.full(ctx.n, 0.15))


@maker("collective_contract_in_force")
def collective_contract_in_force(ctx: Context) -> np.ndarray:
    """Own contracts in larger firms; regional or sector contracts cover many small ones."""
    share = ctx.by_size(0.97, 0.9, 0.78, 0.65)
    return ctx.flag("collective-contract", share, shift=_union_shift(ctx, 0.3, -0.4), churn=0.04)


@maker("collective_contract_filed")
def collective_contract_filed(ctx: Context) -> np.ndarray:
    in_force = value(ctx, "collective_contract_in_force").astype(bool)
    return in_force & ctx.flag("contract-filed", 0.9, churn=0.04)


@maker("wage_agreement_in_force")
def wage_agreement_in_force(ctx: Context) -> np.ndarray:
    share = ctx.by_size(0.93, 0.84, 0.7, 0.58)
    return ctx.flag("wage-agreement", share, shift=_union_shift(ctx), churn=0.03)


@maker("union_established")
def union_established(ctx: Context) -> np.ndarray:
    """Nearly all large firms have a union, under a third of micro firms; state firms most."""
    tilt = np.array([UNION_BY_OWNERSHIP[o] for o in reference.OWNERSHIPS])[ctx.firms.ownership]
    share = ctx.by_size(0.99, 0.95, 0.85, 0.68)
    return ctx.flag("union", share, loading=0.5, shift=tilt, churn=0.0)


@maker("union_obstructed")
def union_obstructed(ctx: Context) -> np.ndarray:
    return ~_union(ctx) & ctx.flag("union-obstructed", 0.012, loading=-0.7, churn=0.03)


@maker("union_members")
def union_members(ctx: Context) -> np.ndarray:
    rate = ctx.coverage("union-members", 0.35, spread=0.07, loading=0.5)
    return np.where(_union(ctx), ctx.people(rate), 0)


@maker("union_fund_paid_ratio")
def union_fund_paid_ratio(ctx: Context) -> np.ndarray:
    """Union funds paid over 2% of payroll: in full at most unionised firms; some firms
    without a union pay the preparatory fund."""
    full = ctx.flag("union-fund", np.where(_union(ctx), 0.72, 0.25), loading=0.6, churn=0.04)
    part = np.where(_union(ctx), 0.35 + 0.6 * ctx.skewed("union-fund-part", 2.0, 1.5), 0.0)
    return np.round(np.where(full, 1.0, part), 2)


@maker("union_chair_elected")
def union_chair_elected(ctx: Context) -> np.ndarray:
    return _union(ctx) & ctx.flag("union-chair", 0.85, churn=0.01)


@maker("union_full_time_staff")
def union_full_time_staff(ctx: Context) -> np.ndarray:
    share = np.where(ctx.headcount >= 200, 0.72, 0.85)
    return _union(ctx) & ctx.flag("union-staff", share, churn=0.01)


@maker("training_hours_total")
def training_hours_total(ctx: Context) -> np.ndarray:
    """Per head about 16 hours a year, more in larger and better firms."""
    per_head = 20 * ctx.by_size(1.4, 1.2, 1.0, 0.75) * np.exp(0.55 * ctx.latent("training-hours", 0.6, churn=0.03))
    return np.round(per_head * ctx.headcount)


@maker("training_spend")
def training_spend(ctx: Context) -> np.ndarray:
    """Yuan spent on training, per head about 400 a year."""
    per_head = 520 * ctx.by_size(1.5, 1.25, 1.0, 0.7) * np.exp(0.7 * ctx.latent("training-spend", 0.6, churn=0.03))
    return np.round(per_head * ctx.headcount)


SKILLED = {"C": 0.4, "D": 0.5, "E": 0.45, "B": 0.4, "Q": 0.6, "P": 0.5, "I": 0.35, "M": 0.4, "G": 0.3}


@maker("employees_skill_certified")
def employees_skill_certified(ctx: Context) -> np.ndarray:
    centre = np.array([SKILLED.get(k, 0.2) for k in LETTERS])[ctx.firms.industry]
    return ctx.people(ctx.share("certified", centre, 0.7, loading=0.4))


@maker("hardship_assistance_scheme")
def hardship_assistance_scheme(ctx: Context) -> np.ndarray:
    share = ctx.by_size(0.94, 0.86, 0.7, 0.55)
    return ctx.flag("hardship", share, shift=_union_shift(ctx), churn=0.04)


@maker("annual_health_checkup")
def annual_health_checkup(ctx: Context) -> np.ndarray:
    return ctx.flag("checkup", ctx.by_size(0.96, 0.9, 0.76, 0.6), churn=0.04)


@maker("worker_satisfaction_rate")
def worker_satisfaction_rate(ctx: Context) -> np.ndarray:
    level = 0.85 + 0.075 * ctx.latent("satisfaction", 0.8, churn=0.03)
    return np.round(np.clip(level, 0.3, 1.0), 2)


def _honours(ctx: Context, name: str, base: float) -> np.ndarray:
    scale = ctx.by_size(6.0, 2.5, 1.0, 0.3)
    return ctx.incidents(name, base * scale * np.exp(1.1 * ctx.quality))


@maker("honours_provincial_national")
def honours_provincial_national(ctx: Context) -> np.ndarray:
    return _honours(ctx, "honours-province", 0.006)


@maker("honours_municipal")
def honours_municipal(ctx: Context) -> np.ndarray:
    return _honours(ctx, "honours-city", 0.03)


@maker("administrative_penalties")
def administrative_penalties(ctx: Context) -> np.ndarray:
    rate = 0.008 * ctx.by_size(1.5, 1.2, 1.0, 0.7) * np.exp(-1.3 * ctx.quality)
    published = ~np.isnan(violation_listing(ctx))
    return ctx.incidents("penalties", rate) + (published & (violation_listing(ctx) < 1))


@maker("correction_orders")
def correction_orders(ctx: Context) -> np.ndarray:
    return ctx.incidents("correction-orders", 0.035 * np.exp(-1.1 * ctx.quality))


def violation_listing(ctx: Context) -> np.ndarray:
    """Quarters since a major violation was published (NaN: not on the published list)."""
    return memo(ctx, "_violation_listing", lambda: ctx.episode("violation-list", 0.04 * np.exp(-1.1 * ctx.quality)))


@maker("major_violation_published")
def major_violation_published(ctx: Context) -> np.ndarray:
    return ~np.isnan(violation_listing(ctx))


@maker("wage_arrears_blacklisted")
def wage_arrears_blacklisted(ctx: Context) -> np.ndarray:
    return ~np.isnan(arrears_listing(ctx))


@maker("integrity_grade_c")
def integrity_grade_c(ctx: Context) -> np.ndarray:
    """Grade C of the yearly integrity evaluation: the worst employers and anyone on a list."""
    worst = ctx.flag("grade-c", 0.015, loading=-0.8, churn=0.04)
    listed = value(ctx, "major_violation_published") | value(ctx, "wage_arrears_blacklisted")
    return worst | listed
