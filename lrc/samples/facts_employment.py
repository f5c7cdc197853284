"""Makers of the facts on basic information and lawful employment (catalogue areas
A and B): workforce, contracts, dispatch, wages, working time and rest."""

from __future__ import annotations

import numpy as np

from lrc.samples.identity import LETTERS
from lrc.samples.makers import maker, memo, value
from lrc.samples.quality import Context

__all__: list[str] = []


@maker("headcount")
def headcount(ctx: Context) -> np.ndarray:
    return ctx.headcount


@maker("registration_info_consistent")
def registration_info_consistent(ctx: Context) -> np.ndarray:
    return ctx.flag("registration", 0.95, loading=0.4, churn=0.04)


@maker("employee_roster_kept")
def employee_roster_kept(ctx: Context) -> np.ndarray:
    return ctx.flag("roster", ctx.by_size(0.99, 0.97, 0.92, 0.8), loading=0.5, churn=0.04)


TURNOVER = {"H": 0.24, "F": 0.18, "O": 0.2, "L": 0.18, "E": 0.18, "C": 0.12, "G": 0.12, "R": 0.15, "I": 0.14}


@maker("employees_left")
def employees_left(ctx: Context) -> np.ndarray:
    """Leavers over the year: high in catering, trade and construction, higher at bad employers."""
    base = np.array([TURNOVER.get(k, 0.08) for k in LETTERS])[ctx.firms.industry]
    rate = base * np.exp(-0.45 * ctx.latent("turnover", 0.7, churn=0.05))
    return ctx.people(np.clip(rate, 0, 0.9))


@maker("employees_tenure_3y_plus")
def employees_tenure_3y_plus(ctx: Context) -> np.ndarray:
    return ctx.people(ctx.share("tenure", ctx.by_size(0.65, 0.55, 0.45, 0.4), 0.7, loading=0.5))


def contract_rate(ctx: Context) -> np.ndarray:
    full = ctx.by_size(0.92, 0.86, 0.76, 0.64)
    return memo(ctx, "_contract_rate", lambda: ctx.coverage("contracts", full, spread=0.07, loading=0.8))


@maker("employees_with_contract")
def employees_with_contract(ctx: Context) -> np.ndarray:
    return ctx.people(contract_rate(ctx))


@maker("open_ended_contracts_when_due")
def open_ended_contracts_when_due(ctx: Context) -> np.ndarray:
    return ctx.flag("open-ended", 0.88, churn=0.03)


@maker("probation_within_limits")
def probation_within_limits(ctx: Context) -> np.ndarray:
    return ctx.flag("probation", 0.91, churn=0.03)


@maker("double_wage_cases")
def double_wage_cases(ctx: Context) -> np.ndarray:
    """Workers without a written contract claim double wages, a few each quarter."""
    missing = ctx.headcount - value(ctx, "employees_with_contract")
    return ctx.incidents("double-wage", 0.04 * missing)


@maker("termination_union_notified")
def termination_union_notified(ctx: Context) -> np.ndarray:
    union = value(ctx, "union_established").astype(bool)
    return ctx.flag("termination-notice", 0.88, shift=np.where(union, 0.3, -0.3))


@maker("unlawful_termination_cases")
def unlawful_termination_cases(ctx: Context) -> np.ndarray:
    return ctx.incidents("unlawful-termination", 0.0015 * ctx.headcount**0.6 * np.exp(-0.8 * ctx.quality))


def dispatch_ratio(ctx: Context) -> np.ndarray:
    """Dispatched workers as a share of the total workforce: most firms use none; users stay
    under the 10% cap, bad employers and construction or manufacturing firms go over it."""

    def make() -> np.ndarray:
        users = ctx.flag("dispatch-use", ctx.by_size(0.6, 0.35, 0.12, 0.02), loading=0.0, shift=0.3 * ctx.hazard())
        over = ctx.latent("dispatch-over", loading=-0.6, churn=0.04) + 0.25 * ctx.hazard() > 1.3
        within = 0.01 + 0.085 * ctx.skewed("dispatch-share", 1.5, 2.0)
        above = 0.105 + 0.22 * ctx.skewed("dispatch-excess", 1.2, 3.0)
        return np.where(users, np.where(over, above, within), 0.0)

    return memo(ctx, "_dispatch_ratio", make)


@maker("dispatched_workers")
def dispatched_workers(ctx: Context) -> np.ndarray:
    ratio = dispatch_ratio(ctx)
    return np.rint(ctx.headcount * ratio / (1 - ratio)).astype(np.int64)


@maker("total_workforce")
def total_workforce(ctx: Context) -> np.ndarray:
    """Contracted employees plus dispatched workers (Interim Provisions on Labour Dispatch, Art. 4)."""
    return np.maximum(1, value(ctx, "employees_with_contract") + value(ctx, "dispatched_workers"))


def _dispatch_users(ctx: Context) -> np.ndarray:
    return value(ctx, "dispatched_workers") > 0


@maker("dispatch_posts_compliant")
def dispatch_posts_compliant(ctx: Context) -> np.ndarray:
    over = dispatch_ratio(ctx) > 0.1
    ok = ctx.flag("dispatch-posts", 0.85, shift=np.where(over, -0.8, 0.0))
    return ~_dispatch_users(ctx) | ok


@maker("dispatch_term_split")
def dispatch_term_split(ctx: Context) -> np.ndarray:
    return _dispatch_users(ctx) & ctx.flag("dispatch-split", 0.04, loading=-0.7, churn=0.03)


@maker("dispatched_equal_pay")
def dispatched_equal_pay(ctx: Context) -> np.ndarray:
    return ~_dispatch_users(ctx) | ctx.flag("dispatch-pay", 0.82)


@maker("wages_paid_on_time_in_full")
def wages_paid_on_time_in_full(ctx: Context) -> np.ndarray:
    """Arrears at bad employers; a firm newly on the arrears blacklist is still in arrears."""
    paid = ctx.flag("wages-paid", 0.95, loading=0.75, churn=0.05)
    return paid & ~(arrears_listing(ctx) < 2)


def arrears_listing(ctx: Context) -> np.ndarray:
    """Quarters since the firm was put on the wage-arrears blacklist (NaN: not listed)."""
    return memo(ctx, "_arrears_listing", lambda: ctx.episode("arrears-list", 0.055 * np.exp(-1.1 * ctx.quality)))


@maker("wage_arrears_cases")
def wage_arrears_cases(ctx: Context) -> np.ndarray:
    unpaid = ~value(ctx, "wages_paid_on_time_in_full").astype(bool)
    rate = np.where(unpaid, 0.8 + 0.15 * ctx.headcount**0.3, 0.01)
    return ctx.incidents("arrears-cases", rate)


@maker("wage_ledger_kept")
def wage_ledger_kept(ctx: Context) -> np.ndarray:
    return ctx.flag("wage-ledger", ctx.by_size(0.99, 0.96, 0.88, 0.72), loading=0.5, churn=0.04)


LOW_PAY = {"H": 0.8, "O": 0.8, "A": 0.6, "F": 0.4, "L": 0.3}


@maker("employees_below_minimum_wage")
def employees_below_minimum_wage(ctx: Context) -> np.ndarray:
    tilt = np.array([LOW_PAY.get(k, 0.0) for k in LETTERS])[ctx.firms.industry]
    some = ctx.flag("below-minimum", 0.04, loading=-0.7, shift=tilt, churn=0.04)
    share = 0.02 + 0.2 * ctx.skewed("below-minimum-share", 1.0, 3.0)
    return np.where(some, np.maximum(1, ctx.people(share)), 0)


@maker("overtime_pay_statutory")
def overtime_pay_statutory(ctx: Context) -> np.ndarray:
    return ctx.flag("overtime-pay", 0.86, shift=-0.15 * ctx.hazard(), churn=0.03)


@maker("average_wage_growth_rate")
def average_wage_growth_rate(ctx: Context) -> np.ndarray:
    """Year-on-year growth of the average wage, as a fraction (0.05 = 5%)."""
    growth = 0.045 + 0.02 * ctx.latent("wage-growth", 0.6, churn=0.06) + 0.01 * ctx.draws.normal("wage-growth-noise")
    return np.round(np.clip(growth, -0.3, 0.5), 3)


@maker("overtime_hours_max_monthly")
def overtime_hours_max_monthly(ctx: Context) -> np.ndarray:
    """Longest monthly overtime of any worker: none in many offices, well over the 36-hour
    limit in busy factories and on building sites."""
    pressure = -ctx.latent("overtime", 0.6, churn=0.04) + 0.35 * ctx.hazard()
    none = ctx.draws.uniform("no-overtime") < np.where(ctx.hazard() < 1, 0.35, 0.1)
    hours = 22 * np.exp(0.55 * pressure)
    return np.where(none, 0.0, np.round(np.clip(hours, 1, 160) * 2) / 2)


@maker("forced_labour_found")
def forced_labour_found(ctx: Context) -> np.ndarray:
    return ctx.incidents("forced-labour", 0.00015 * np.exp(-1.5 * ctx.quality)) > 0


@maker("weekly_rest_guaranteed")
def weekly_rest_guaranteed(ctx: Context) -> np.ndarray:
    return ctx.flag("weekly-rest", 0.91, shift=-0.2 * ctx.hazard(), churn=0.03)


@maker("employees_annual_leave_taken")
def employees_annual_leave_taken(ctx: Context) -> np.ndarray:
    return ctx.people(ctx.coverage("annual-leave", ctx.by_size(0.45, 0.4, 0.3, 0.25), spread=0.18, loading=0.6))
