"""The risk forecast (风险预测): train a model on the store's scored periods, keep it with what it was trained
on, and forecast for a period with the model whose labels end at that period.

Training for period P reads only results of periods up to P and records decided up to the last day of P: the
pairs (t → next) with next ≤ P are its examples. A forecast for P applies that model to P's features and is
the chance that each enterprise's grade falls in the period after P. Nothing after P is read by either."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Connection, Engine, insert, select

from indicators import Catalogue, load_catalogue
from lrc.errors import ConflictError, NotScored
from lrc.periods import check_period, period_end, period_key
from lrc.risk.features import BOTTOM, LABEL, RESULT_COLUMNS, features_upto, forecast_periods, learnable
from lrc.risk.model import METHOD, RiskModel, evaluate, fit, input_hash, naive_score, reasons, rule_score
from lrc.service.access import Action, Principal
from lrc.service.audit import check, guarded
from lrc.service.json_times import ChinaTime
from lrc.service.runs import get_run
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store.tables import Record
from lrc.store.tables import RiskModel as RiskModelRow

MIN_ROWS = 30  # labelled examples a model needs, with both outcomes among them


class RiskReason(BaseModel):
    feature: str
    value: float
    contribution: float
    text_zh: str


class RiskOut(BaseModel):
    uscc: str
    name: str
    region_code: str
    period: str
    grade: str
    risk: float
    reasons: list[RiskReason]


class RiskModelOut(BaseModel):
    id: int
    label_period: str
    train_periods: list[str]
    method: str
    features: list[str]
    rows: int
    positives: int
    metrics: dict[str, Any]
    input_hash: str
    created_by: str
    created_at: ChinaTime


class Forecast(BaseModel):
    model_id: int
    period: str
    trained_now: bool
    items: list[RiskOut]


def panel(conn: Connection, catalogue: Catalogue, upto: str, uscc: str | None = None) -> pd.DataFrame:
    """Features (and labels) of every scored period up to ``upto`` (``features_upto``): each period's current
    results, and the records decided by the last day of ``upto``; of one enterprise only when ``uscc`` is
    given (the same rows as the province's, read in milliseconds)."""
    periods = [p for p in forecast_periods(repo.scored_periods(conn)) if period_key(p) <= period_key(upto)]
    frames = []
    for period in periods:
        run = get_run(conn, period, None)
        columns = [c for c in RESULT_COLUMNS if c != "period"]
        frame = repo.results(conn, repo.current_runs(conn, run), columns, uscc=uscc)
        frames.append(frame.assign(period=period))
    results = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(RESULT_COLUMNS))
    query = select(Record.enterprise_id, Record.type, Record.decision_date).where(
        Record.decision_date <= period_end(upto)
    )
    if uscc is not None:
        query = query.where(Record.uscc == uscc)
    records = pd.DataFrame(conn.execute(query).all(), columns=["enterprise_id", "type", "decision_date"])
    return features_upto(results, records, catalogue, upto, periods)


def train(
    engine: Engine, who: Principal, period: str | None = None, *, catalogue: Catalogue | None = None
) -> RiskModelOut:
    """Train and store a model whose labels end at ``period`` (default: the newest scored period)."""
    require_schema(engine)
    catalogue = catalogue or load_catalogue()
    with engine.connect() as conn:
        label_period = _period(conn, period)
    with guarded(engine, who, Action.forecast, f"risk:{label_period}") as entry:
        with engine.connect() as conn:
            frame = panel(conn, catalogue, label_period)
        row = _trained(frame, label_period, who.name)
        with repo.writing(engine) as conn:
            model_id = int(conn.execute(insert(RiskModelRow).returning(RiskModelRow.id), [row]).scalar_one())
            entry.target = f"risk_model:{model_id}"
            entry.detail = f"labels to {label_period}, {row['rows']} rows, {row['positives']} fell"
            entry.write(conn)
            stored = conn.execute(select(RiskModelRow.__table__).where(RiskModelRow.id == model_id)).mappings().one()
    return _model_out(stored)


def _period(conn: Connection, period: str | None) -> str:
    scored = forecast_periods(repo.scored_periods(conn))
    if not scored:
        raise NotScored()
    if period is None:
        return scored[-1]
    period = check_period(period)
    if period not in scored:
        raise NotScored(period)
    return period


def _trained(frame: pd.DataFrame, label_period: str, actor: str) -> dict[str, Any]:
    """The row of a model fitted on the labelled rows of ``frame``, with its metrics: on its own rows, and,
    where there are two label periods or more, a backtest fitted without the last and judged on it."""
    labelled = learnable(frame)
    positives = int(labelled[LABEL].sum())
    if len(labelled) < MIN_ROWS or positives == 0 or positives == len(labelled):
        raise ConflictError(
            f"到期间 {label_period} 为止只有 {len(labelled)} 个可学习的样本(其中等级下降 {positives} 个);"
            f"训练需要至少两个连续评分的期间、{MIN_ROWS} 个以上样本且下降与未下降都有 "
            "(not enough labelled examples to train)"
        )
    model = fit(labelled)
    y = labelled[LABEL].to_numpy(dtype=np.float64)
    metrics: dict[str, Any] = {"training": evaluate(y, model.predict(labelled))}
    periods = sorted(labelled["period"].unique(), key=period_key)
    if len(periods) >= 2:
        earlier, last = labelled[labelled["period"] != periods[-1]], labelled[labelled["period"] == periods[-1]]
        if 0 < earlier[LABEL].sum() < len(earlier):
            y_last = last[LABEL].to_numpy(dtype=np.float64)
            metrics["backtest"] = {
                "trained_on": [str(p) for p in periods[:-1]],
                "judged_on": str(periods[-1]),
                "model": evaluate(y_last, fit(earlier).predict(last)),
                "naive": evaluate(y_last, naive_score(last)),
                "rule": evaluate(y_last, rule_score(last)),
            }
    return {
        "label_period": label_period, "train_periods": json.dumps([str(p) for p in periods]), "method": METHOD,
        "features": json.dumps(model.features), "model": model.to_json(), "metrics": json.dumps(metrics, default=_nan),
        "rows": len(labelled), "positives": positives, "input_hash": input_hash(labelled), "created_by": actor[:128],
        "created_at": repo.now(),
    }  # fmt: skip


def _nan(value: Any) -> Any:
    return None if isinstance(value, float) and np.isnan(value) else value


def _model_out(row: Any) -> RiskModelOut:
    values = dict(row)
    values["train_periods"] = json.loads(values["train_periods"])
    values["features"] = json.loads(values["features"])
    values["metrics"] = json.loads(values["metrics"])
    return RiskModelOut(**{k: v for k, v in values.items() if k in RiskModelOut.model_fields})


def stored_model(conn: Connection, label_period: str) -> tuple[int, RiskModel] | None:
    """The newest stored model whose labels end at ``label_period``."""
    row = conn.execute(
        select(RiskModelRow.id, RiskModelRow.features, RiskModelRow.model)
        .where(RiskModelRow.label_period == label_period)
        .order_by(RiskModelRow.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row.id), RiskModel.from_json(json.loads(row.features), row.model))


def model_id_for(engine: Engine, who: Principal, period: str) -> int | None:
    """The id of the model a forecast for ``period`` would use (None: none is stored yet)."""
    require_schema(engine)
    check(engine, who, Action.read, "risk")
    with engine.connect() as conn:
        found = stored_model(conn, check_period(period))
    return None if found is None else found[0]


def models(engine: Engine, who: Principal) -> list[RiskModelOut]:
    """Every stored model, newest first."""
    require_schema(engine)
    check(engine, who, Action.read, "risk_models")
    with engine.connect() as conn:
        rows = conn.execute(select(RiskModelRow.__table__).order_by(RiskModelRow.id.desc())).mappings().all()
    return [_model_out(r) for r in rows]


def forecast(
    engine: Engine,
    who: Principal,
    period: str | None = None,
    *,
    limit: int | None = None,
    catalogue: Catalogue | None = None,
) -> Forecast:
    """Each enterprise of ``period`` inside ``who``'s scope with its risk and top reasons, highest first,
    from the stored model whose labels end at ``period`` (trained first when none is stored)."""
    require_schema(engine)
    catalogue = catalogue or load_catalogue()
    check(engine, who, Action.read, "risk")
    with engine.connect() as conn:
        period = _period(conn, period)
        found = stored_model(conn, period)
    trained = found is None
    if found is None:
        made = train(engine, who, period, catalogue=catalogue)
        with engine.connect() as conn:
            found = stored_model(conn, period)
        assert found is not None and found[0] == made.id
    model_id, model = found
    with engine.connect() as conn:
        frame = panel(conn, catalogue, period)
    now = frame[frame["period"] == period].reset_index(drop=True)
    now = now[_inside(who, now)].reset_index(drop=True)
    bottom = now[BOTTOM].to_numpy(dtype=bool)
    risk = np.where(bottom, 0.0, model.predict(now)) if len(now) else np.array([])
    order = np.argsort(-risk, kind="stable")[: limit if limit else None]
    chosen = now.iloc[order].reset_index(drop=True)
    why = reasons(model, chosen) if len(chosen) else []
    floor = {"feature": BOTTOM, "value": 1.0, "contribution": 0.0,
             "text_zh": f"已是最低等级 {catalogue.lowest_grade},不会再下降(风险记为 0)"}  # fmt: skip
    why = [[floor] if low else w for w, low in zip(why, chosen[BOTTOM].to_numpy(dtype=bool), strict=True)]
    items = [
        RiskOut(
            uscc=str(r.uscc), name=str(r.name), region_code=str(r.region_code), period=period, grade=str(r.grade),
            risk=round(float(risk[k]), 4), reasons=[RiskReason(**w) for w in why[j]],
        )
        for j, (k, r) in enumerate(zip(order, chosen.itertuples(index=False), strict=True))
    ]  # fmt: skip
    return Forecast(model_id=model_id, period=period, trained_now=trained, items=items)


def _inside(who: Principal, frame: pd.DataFrame) -> np.ndarray:
    return who.scope.mask(frame["region_code"], frame["uscc"])


def history(engine: Engine, who: Principal, uscc: str, *, catalogue: Catalogue | None = None) -> list[dict[str, Any]]:
    """The enterprise's risk in every period that has a stored model (the newest whose labels end there):
    ``period``, ``risk``, ``model_id``, oldest first. Empty outside ``who``'s scope."""
    require_schema(engine)
    catalogue = catalogue or load_catalogue()
    check(engine, who, Action.read, "risk")
    out: list[dict[str, Any]] = []
    with engine.connect() as conn:
        labelled = sorted({str(p) for p in conn.scalars(select(RiskModelRow.label_period))}, key=period_key)
        if not labelled:
            return out
        mine = panel(conn, catalogue, labelled[-1], uscc=uscc.strip().upper())
        if mine.empty or not _inside(who, mine.iloc[:1]).all():
            return out
        for period in labelled:
            row = mine[mine["period"] == period]
            found = stored_model(conn, period)
            if len(row) and found is not None:
                risk = 0.0 if bool(row[BOTTOM].iloc[0]) else float(found[1].predict(row)[0])
                out.append({"period": period, "risk": round(risk, 4), "model_id": found[0]})
    return out
