"""Makers of the facts on dispute mediation and labour protection (catalogue areas
C and D): mediation, disputes, social insurance, safety, health, women and minors."""

from __future__ import annotations

import numpy as np

from lrc.samples.makers import maker, memo, value
from lrc.samples.quality import Context

__all__: list[str] = []


def _union(ctx: Context) -> np.ndarray:
    return value(ctx, "union_established").astype(bool)


@maker("mediation_committee_established")
def mediation_committee_established(ctx: Context) -> np.ndarray:
    shift = np.where(_union(ctx), 0.3, -0.5)
    return ctx.flag("mediation", ctx.by_size(0.97, 0.88, 0.7, 0.55), shift=shift, churn=0.0)


@maker("mediation_committee_composition_lawful")
def mediation_committee_composition_lawful(ctx: Context) -> np.ndarray:
    committee = value(ctx, "mediation_committee_established").astype(bool)
    return committee & ctx.flag("mediation-lawful", 0.88, churn=0.01)


@maker("labour_disputes_filed")
def labour_disputes_filed(ctx: Context) -> np.ndarray:
    """Arbitration cases: about 0.2% of workers a quarter, several times that at bad employers."""
    return ctx.incidents("disputes", 0.002 * ctx.headcount * np.exp(-0.7 * ctx.quality))


@maker("arbitration_cases_lost")
def arbitration_cases_lost(ctx: Context) -> np.ndarray:
    disputes = value(ctx, "labour_disputes_filed")
    lose = np.clip(0.35 - 0.12 * ctx.quality, 0.05, 0.9)
    return ctx.draws.sample("cases-lost", "binomial", disputes, lose).astype(np.int64)


def _hardship(ctx: Context) -> np.ndarray:
    """Firms in arrears or recently blacklisted: where strikes and petitions start."""
    return ~value(ctx, "wages_paid_on_time_in_full").astype(bool)


@maker("mass_incident_occurred")
def mass_incident_occurred(ctx: Context) -> np.ndarray:
    scale = ctx.by_size(4.0, 2.0, 1.0, 0.3)
    rate = 0.0012 * scale * np.exp(-1.1 * ctx.quality) * np.where(_hardship(ctx), 8.0, 1.0)
    return ctx.incidents("mass-incident", rate) > 0


@maker("collective_disputes")
def collective_disputes(ctx: Context) -> np.ndarray:
    rate = 0.006 * ctx.by_size(4.0, 2.0, 1.0, 0.0) * np.exp(-1.0 * ctx.quality) * np.where(_hardship(ctx), 4.0, 1.0)
    return ctx.incidents("collective-disputes", rate)


@maker("substantiated_complaints")
def substantiated_complaints(ctx: Context) -> np.ndarray:
    return ctx.incidents("complaints", 0.02 * ctx.headcount**0.3 * np.exp(-1.0 * ctx.quality))


def insurance_rate(ctx: Context) -> np.ndarray:
    """Share of staff with all five insurances: full in most larger firms, patchy in micro firms."""
    full = ctx.by_size(0.9, 0.8, 0.62, 0.48)
    return memo(ctx, "_insurance_rate", lambda: ctx.coverage("insurance", full, spread=0.09, loading=0.75))


@maker("social_insurance_insured")
def social_insurance_insured(ctx: Context) -> np.ndarray:
    return ctx.people(insurance_rate(ctx))


@maker("social_insurance_paid_on_time")
def social_insurance_paid_on_time(ctx: Context) -> np.ndarray:
    return ctx.flag("insurance-paid", 0.9, loading=0.7, churn=0.04)


@maker("social_insurance_registered_within_30_days")
def social_insurance_registered_within_30_days(ctx: Context) -> np.ndarray:
    return ctx.flag("insurance-registered", 0.86, churn=0.03)


@maker("social_insurance_arrears_orders")
def social_insurance_arrears_orders(ctx: Context) -> np.ndarray:
    late = ~value(ctx, "social_insurance_paid_on_time").astype(bool)
    return ctx.incidents("insurance-orders", np.where(late, 0.6, 0.01))


@maker("injury_insurance_insured")
def injury_insurance_insured(ctx: Context) -> np.ndarray:
    """Injury insurance reaches at least everyone with the five insurances, often everyone."""
    base = insurance_rate(ctx)
    topped = ctx.flag("injury-topup", 0.5, shift=0.2 * ctx.hazard())
    extra = np.where(topped, 1.0, 0.5 * ctx.draws.uniform("injury-extra"))
    rate = base + (1 - base) * extra
    return np.maximum(ctx.people(rate), value(ctx, "social_insurance_insured"))


@maker("employees_safety_trained")
def employees_safety_trained(ctx: Context) -> np.ndarray:
    full = np.clip(0.45 + 0.12 * ctx.hazard(), 0, 0.85)
    return ctx.people(ctx.coverage("safety-training", full, spread=0.06, loading=0.6))


@maker("protective_equipment_provided")
def protective_equipment_provided(ctx: Context) -> np.ndarray:
    return ctx.flag("protective-equipment", 0.93, churn=0.03)


@maker("injury_accidents")
def injury_accidents(ctx: Context) -> np.ndarray:
    rate = 0.0004 * ctx.headcount**0.8 * ctx.hazard() * np.exp(-0.6 * ctx.quality)
    return ctx.incidents("injuries", rate)


@maker("fatal_accidents")
def fatal_accidents(ctx: Context) -> np.ndarray:
    """Rare, mostly on building sites, in mines and large plants: a red line."""
    rate = 0.00008 * ctx.headcount**0.7 * ctx.hazard() ** 1.5 * np.exp(-0.9 * ctx.quality)
    return ctx.incidents("fatalities", rate)


@maker("occupational_health_checks_done")
def occupational_health_checks_done(ctx: Context) -> np.ndarray:
    return ctx.flag("health-checks", 0.88, shift=-0.2 * (ctx.hazard() - 1), churn=0.03)


@maker("occupational_disease_cases")
def occupational_disease_cases(ctx: Context) -> np.ndarray:
    rate = 0.0002 * ctx.headcount**0.7 * ctx.hazard() ** 2 * np.exp(-0.6 * ctx.quality)
    return ctx.incidents("occupational-disease", rate)


@maker("maternity_leave_granted")
def maternity_leave_granted(ctx: Context) -> np.ndarray:
    return ctx.flag("maternity", 0.95, churn=0.03)


@maker("pregnancy_discrimination_cases")
def pregnancy_discrimination_cases(ctx: Context) -> np.ndarray:
    return ctx.incidents("pregnancy", 0.003 * ctx.headcount**0.3 * np.exp(-1.0 * ctx.quality))


@maker("female_protection_agreement")
def female_protection_agreement(ctx: Context) -> np.ndarray:
    shift = np.where(_union(ctx), 0.3, -0.7)
    return ctx.flag("female-agreement", ctx.by_size(0.93, 0.84, 0.68, 0.55), shift=shift, churn=0.01)


@maker("child_labour_found")
def child_labour_found(ctx: Context) -> np.ndarray:
    small = ctx.by_size(0.2, 0.5, 1.0, 1.5)
    return ctx.incidents("child-labour", 0.0003 * small * np.exp(-1.5 * ctx.quality)) > 0


@maker("minor_workers_protected")
def minor_workers_protected(ctx: Context) -> np.ndarray:
    return ctx.flag("minors", 0.95, churn=0.03)
