"""Risk forecast backtest: figures, not pass/fail tests.

    python bench/risk.py                     # 10,000 enterprises, 2024Q1..2026Q3, SQLite
    python bench/risk.py --n 3000 --seeds 11 12

For each seed it writes the multi-period sample panel (`lrc sample --periods`), loads it into a fresh store
the way an analyst would (each period's file, the records, then `lrc score` for each period), reads the
features from the store exactly as `lrc risk` does, and runs rolling time splits: for each period P from the
fourth on, a model trained on the pairs whose labels end before P (so it never sees P's outcome) forecasts
P's enterprises, and is judged on whether their grade fell in the period after P. In the same run it judges
two baselines: the naive one (last period's drop in total) and the rule one (any verified complaint or
inspection finding in the period). It prints precision and recall among the top 5% by risk and the AUC per
split and on average, and the ratio of the model's precision to the better baseline's (target: 1.5 or more)."""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from indicators import load_catalogue
from lrc.periods import period_key, period_range
from lrc.risk.features import LABEL, learnable
from lrc.risk.model import TOP_SHARE, evaluate, fit, naive_score, rule_score
from lrc.samples import write_sample
from lrc.samples.panel import generate_panel
from lrc.samples.records import write_records
from lrc.service import ingest_file, risk, score_period
from lrc.service.access import single_user
from lrc.service.records import ingest_records
from lrc.store import make_engine, upgrade

ADMIN = single_user()
TODAY = date(2026, 11, 29)
MIN_TRAIN = 3  # label periods a split trains on at least
console = Console(width=150)


def stored_features(n: int, seed: int, periods: list[str], directory: Path) -> pd.DataFrame:
    catalogue = load_catalogue()
    started = time.perf_counter()
    panel = generate_panel(n, seed=seed, periods=periods, today=TODAY, catalogue=catalogue)
    engine = make_engine(f"sqlite:///{directory / 'risk.db'}")
    upgrade(engine)
    for period in periods:
        path = directory / f"enterprises-{period}.csv"
        write_sample(panel.frames[period], path)
        ingest_file(engine, ADMIN, path, period, catalogue=catalogue)
    write_records(panel.records, directory / "records.csv")
    ingest_records(engine, ADMIN, directory / "records.csv", catalogue=catalogue)
    for period in periods:
        score_period(engine, ADMIN, period, catalogue=catalogue)
    loaded = time.perf_counter() - started
    with engine.connect() as conn:
        frame = risk.panel(conn, catalogue, periods[-1])
    read = time.perf_counter() - started - loaded
    console.print(
        f"seed {seed}: {n:,} enterprises, {len(periods)} periods, {len(panel.records):,} records; "
        f"generated, stored and scored in {loaded:.0f} s; features read in {read:.1f} s"
    )
    engine.dispose()
    return frame


def backtest(frame: pd.DataFrame) -> pd.DataFrame:
    labelled = learnable(frame)
    periods = sorted(labelled["period"].unique(), key=period_key)
    rows = []
    for k in range(MIN_TRAIN, len(periods)):
        train, test = labelled[labelled["period"].isin(periods[:k])], labelled[labelled["period"] == periods[k]]
        y = test[LABEL].to_numpy(dtype=np.float64)
        scores = {"model": fit(train).predict(test), "naive": naive_score(test), "rule": rule_score(test)}
        row = {"period": periods[k], "rows": len(test), "fell": int(y.sum())}
        for name, score in scores.items():
            measured = evaluate(y, score)
            row |= {f"{name}_p": measured["precision_at_top"], f"{name}_r": measured["recall_at_top"],
                    f"{name}_auc": measured["auc"]}  # fmt: skip
        rows.append(row)
    return pd.DataFrame(rows)


def show(seed: int, splits: pd.DataFrame) -> float:
    table = Table(title=f"seed {seed}: rolling splits (precision / recall at top {TOP_SHARE:.0%}, AUC)")
    for column in ("forecast for", "rows", "fell", "model", "naive: last drop", "rule: complaint/finding"):
        table.add_column(column, justify="right")
    for r in [*splits.to_dict("records"), {"period": "mean", **splits.drop(columns="period").mean().to_dict()}]:
        cells = [f"{r[f'{m}_p']:.3f} / {r[f'{m}_r']:.3f} / {r[f'{m}_auc']:.3f}" for m in ("model", "naive", "rule")]
        table.add_row(str(r["period"]), f"{r['rows']:,.0f}", f"{r['fell']:,.0f}", *cells)
    console.print(table)
    mean = splits.drop(columns="period").mean()
    better = max(mean["naive_p"], mean["rule_p"])
    ratio = mean["model_p"] / better if better > 0 else float("inf")
    verdict = "meets" if ratio >= 1.5 else "DOES NOT meet"
    console.print(
        f"model precision at top {TOP_SHARE:.0%}: {mean['model_p']:.3f}; better baseline {better:.3f}; "
        f"ratio {ratio:.2f}x ({verdict} the 1.5x target)"
    )
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[11])
    parser.add_argument("--periods", default="2024Q1..2026Q3")
    args = parser.parse_args()
    periods = period_range(args.periods)
    ratios = []
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as folder:
            ratios.append(show(seed, backtest(stored_features(args.n, seed, periods, Path(folder)))))
    console.print(f"ratios over seeds: {', '.join(f'{r:.2f}x' for r in ratios)}")


if __name__ == "__main__":
    main()
