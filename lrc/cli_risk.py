"""`lrc risk` (the forecast for a period), `lrc risk train` and `lrc risk models`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from lrc import render
from lrc.cli_common import MAX_COUNT, ActAs, DbUrl, JsonOrText, TextOrJson, err, out, store_and_principal, text_or_json

if TYPE_CHECKING:
    from lrc.service.risk import Forecast, RiskModelOut

risk_app = typer.Typer(
    help="风险预测:下一期等级下降的可能性 (the chance that an enterprise's grade falls next period)",
    invoke_without_command=True,
)
RiskPeriod = Annotated[
    str | None, typer.Option("--period", "-p", help="期间,默认最新的已评分期间 (default: the newest scored)")
]


@risk_app.callback()
def risk(
    ctx: typer.Context,
    period: RiskPeriod = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, max=MAX_COUNT, help="只列出风险最高的若干家 (top N)")
    ] = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """列出期间内每家企业下一期等级下降的概率与主要原因,最高的在前 (risk forecast, highest first).

    用标签截至该期间的已存模型;没有时先训练一个 (trains a model first when none is stored).
    --format json 为数组,每家企业 {uscc, name, risk, reasons: [{feature, contribution, text_zh}]}。"""
    if ctx.invoked_subcommand is not None:
        return
    from lrc.service.risk import forecast

    engine, who = store_and_principal(db, as_)
    made = forecast(engine, who, period, limit=limit)
    if made.trained_now:
        err.print(f"已训练风险模型 {made.model_id}(标签截至 {made.period})(trained a model)")
    text_or_json(fmt, lambda: [i.model_dump(mode="json") for i in made.items], lambda: _forecast_table(made))


def _forecast_table(made: Forecast) -> None:
    if not made.items:
        out.print(f"期间 {made.period} 在你的权限范围内没有企业 (no enterprises)")
        return
    render.table(out, f"{made.period} 风险预测 (model {made.model_id}):下一期等级下降的概率",
                 ("企业", "信用代码", "等级", "风险", "主要原因"), [
        (i.name, i.uscc, i.grade, f"{i.risk:.1%}", ";".join(r.text_zh for r in i.reasons) or "—")
        for i in made.items[:50]
    ])  # fmt: skip
    if len(made.items) > 50:
        out.print(f"另有 {len(made.items) - 50} 家未列出,用 --format json 或 --limit (more not shown)")


@risk_app.command("train")
def train(
    period: RiskPeriod = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """用截至该期间的已评分期间训练并保存一个风险模型;最后一行是模型编号 (train and store; last line: id).

    只读取该期间及以前的评分结果和记录;另存一次回测:不用最后一期训练,再用它检验 (a backtest)."""
    from lrc.service.risk import train as train_model

    engine, who = store_and_principal(db, as_)
    made = train_model(engine, who, period)
    text_or_json(fmt, lambda: made.model_dump(mode="json"), lambda: _trained(made))


def _trained(made: RiskModelOut) -> None:
    out.print(
        f"风险模型 {made.id}:标签截至 {made.label_period},训练期间 {'、'.join(made.train_periods)},"
        f"样本 {made.rows} 个(其中下降 {made.positives} 个)"
    )
    backtest = made.metrics.get("backtest")
    if backtest:
        line = ";".join(
            f"{name} 前 5% 精确率 {_pct(backtest[key]['precision_at_top'])} AUC {_num(backtest[key]['auc'])}"
            for key, name in (("model", "模型"), ("naive", "上期降幅"), ("rule", "投诉/查处规则"))
        )
        out.print(f"回测(用 {backtest['judged_on']} 检验):{line}")
    out.print(str(made.id))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


@risk_app.command("models")
def models(fmt: JsonOrText = TextOrJson.text, db: DbUrl = None, as_: ActAs = None) -> None:
    """列出已保存的风险模型,最新的在前 (stored risk models, newest first)."""
    from lrc.service.risk import models as stored

    engine, who = store_and_principal(db, as_)
    listed = stored(engine, who)

    def table() -> None:
        if not listed:
            out.print("还没有风险模型,运行 `lrc risk train` (no models)")
            return
        rows = []
        for m in listed:
            backtest = m.metrics.get("backtest") or {}
            precision = _pct((backtest.get("model") or {}).get("precision_at_top"))
            periods = f"{m.train_periods[0]}–{m.train_periods[-1]}" if m.train_periods else "—"
            rows.append((str(m.id), m.label_period, periods, str(m.rows), str(m.positives), precision, m.created_by))
        columns = ("编号", "标签截至", "训练期间", "样本", "下降", "回测前5%精确率", "创建人")
        render.table(out, f"风险模型 (risk models): {len(listed)} 个", columns, rows)

    text_or_json(fmt, lambda: [json.loads(m.model_dump_json()) for m in listed], table)
