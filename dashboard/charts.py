"""Plotly figures, all on one template whose font draws Chinese (on screen and in
the PNG the modebar downloads, which uses the browser's fonts). Figures are
built from summaries; nothing here reads the store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from dashboard.geo import OFFLINE_TOPOJSON_URL

FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
TEMPLATE = "lrc"
GRADE_COLOURS = ("#1a9850", "#66bd63", "#fdae61", "#d73027", "#a50026", "#762a83")
DIVERGING = [[0.0, "#d73027"], [0.5, "#fee08b"], [1.0, "#1a9850"]]
SEQUENTIAL = "YlGn"
LOSS_COLOURS = {"deduct": "#d73027", "add": "#fdae61"}


def _register() -> None:
    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.font = {"family": FONT, "size": 13, "color": "#262730"}
    template.layout.title = {"font": {"family": FONT, "size": 16}, "x": 0.0, "xanchor": "left"}
    template.layout.hoverlabel = {"font": {"family": FONT}}
    template.layout.legend = {"font": {"family": FONT}}
    template.layout.margin = {"l": 10, "r": 10, "t": 50, "b": 10}
    pio.templates[TEMPLATE] = template
    pio.templates.default = TEMPLATE


_register()


def show(fig: go.Figure, name: str, *, key: str | None = None) -> None:
    """Draw a figure; the modebar's camera saves a 2x PNG named ``name``. Maps get
    their (empty) base topology inline, so nothing is fetched from the network."""
    config: dict[str, Any] = {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": name, "scale": 2},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }
    if any(trace.type == "choropleth" for trace in fig.data):
        config["topojsonURL"] = OFFLINE_TOPOJSON_URL
    st.plotly_chart(fig, theme=None, config=config, key=key, width="stretch")


def grade_colours(grades: Sequence[str]) -> dict[str, str]:
    return {g: GRADE_COLOURS[min(k, len(GRADE_COLOURS) - 1)] for k, g in enumerate(grades)}


def grade_bars(counts: pd.DataFrame, grades: Sequence[str], title: str) -> go.Figure:
    """Grouped bars of enterprises per grade; ``counts`` has one column per series
    (e.g. this period and the previous one), indexed by grade."""
    colours = grade_colours(grades)
    fig = go.Figure()
    for k, column in enumerate(counts.columns):
        fig.add_bar(
            x=[str(g) for g in counts.index],
            y=counts[column],
            name=str(column),
            text=counts[column],
            textposition="outside",
            textfont={"color": "#262730"},
            marker={"color": [colours[g] for g in counts.index], "opacity": 1.0 if k == 0 else 0.45},
        )
    fig.update_layout(title=title, barmode="group", height=340, showlegend=False)
    fig.update_yaxes(rangemode="tozero")
    return fig


NO_DATA_COLOUR = "#d9d9d9"


def city_map(
    summary: pd.DataFrame,
    geojson: dict[str, Any],
    value: str,
    title: str,
    label: str,
    *,
    no_data: str = "无数据",
) -> go.Figure:
    """Choropleth of the 14 cities on a blank projection (no tiles, no network). Every
    city of ``geojson`` is drawn: those without a row in ``summary`` in neutral grey,
    with ``no_data`` as their hover text."""
    fig = go.Figure()
    outline = {"line": {"color": "white", "width": 1}}
    names = {f["id"]: f["properties"]["name"] for f in geojson["features"]}
    empty = [code for code in names if code not in set(summary["city_code"])]
    if empty:
        fig.add_choropleth(
            geojson=geojson,
            locations=empty,
            z=[0] * len(empty),
            text=[names[c] for c in empty],
            colorscale=[[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]],
            showscale=False,
            marker=outline,
            name=no_data,
            hovertemplate="%{text}<br>" + no_data + "<extra></extra>",
        )
    if len(summary):
        fig.add_choropleth(
            geojson=geojson,
            locations=summary["city_code"],
            z=summary[value],
            text=summary["city"],
            customdata=summary[["enterprises", "red_lines"]],
            colorscale=SEQUENTIAL,
            marker=outline,
            colorbar={"title": {"text": label}, "thickness": 12},
            hovertemplate="%{text}<br>" + label + " %{z:.1f}<br>企业 %{customdata[0]:,} · 红线 %{customdata[1]:,}"
            "<extra></extra>",
        )
    fig.update_geos(fitbounds="locations", visible=False, projection={"type": "mercator"})
    fig.update_layout(title=title, height=460, margin={"l": 0, "r": 0, "t": 50, "b": 0}, showlegend=False)
    return fig


def bars(
    frame: pd.DataFrame,
    x: str,
    y: str,
    title: str,
    *,
    colour: str | None = None,
    height: int = 420,
    fmt: str = ".1f",
) -> go.Figure:
    """Horizontal bars of ``x`` by ``y`` (largest at the top)."""
    shown = frame.sort_values(x)
    marker: dict[str, Any] = {"color": shown[x], "colorscale": SEQUENTIAL} if colour is None else {"color": colour}
    fig = go.Figure(
        go.Bar(
            x=shown[x],
            y=shown[y],
            orientation="h",
            marker=marker,
            text=shown[x].map(lambda v: format(v, fmt)),
            textposition="outside",
            textfont={"color": "#262730"},
            cliponaxis=False,
        )
    )
    top = float(shown[x].max()) if len(shown) else 1.0
    fig.update_layout(
        title=title,
        height=height,
        yaxis={"automargin": True},
        xaxis={"automargin": True, "range": [0, top * 1.12] if top > 0 else None},
    )
    return fig


def item_losses(losses: pd.DataFrame, title: str, names: dict[str, str], axis: str) -> go.Figure:
    """Points lost per item, stacked by kind (deductions taken, add points missed)."""
    shown = losses.iloc[::-1]
    labels = shown["code"] + " " + shown["name_zh"]
    fig = go.Figure()
    for kind, colour in LOSS_COLOURS.items():
        part = shown["kind"] == kind
        fig.add_bar(
            x=shown["lost_mean"].where(part),
            y=labels,
            orientation="h",
            name=names[kind],
            marker={"color": colour},
            customdata=shown[["losing_share", "max_points"]],
            hovertemplate="%{y}<br>" + axis + " %{x:.2f}<br>满分 %{customdata[1]} · 失分企业 %{customdata[0]:.0%}"
            "<extra></extra>",
        )
    fig.update_layout(
        title=title,
        barmode="stack",
        height=max(360, 26 * len(shown) + 80),
        xaxis_title=axis,
        yaxis={"automargin": True},
        legend={"orientation": "h", "y": -0.12},
    )
    return fig


def sunburst(nodes: pd.DataFrame, title: str) -> go.Figure:
    """Tree sized by ``size`` and coloured by ``colour`` (-1 red: every point lost,
    +1 green: every point kept). ``nodes``: id, parent, label, size, colour, hover."""
    limit = 1.0
    fig = go.Figure(
        go.Sunburst(
            ids=nodes["id"],
            parents=nodes["parent"],
            labels=nodes["label"],
            values=nodes["size"],
            branchvalues="total",
            customdata=nodes["hover"],
            hovertemplate="%{customdata}<extra></extra>",
            texttemplate=nodes["text"] if "text" in nodes else None,
            marker={
                "colors": nodes["colour"],
                "colorscale": DIVERGING,
                "cmin": -limit,
                "cmax": limit,
                "cmid": 0,
                "line": {"color": "white", "width": 0.5},
            },
        )
    )
    fig.update_layout(title=title, height=600, margin={"l": 0, "r": 0, "t": 50, "b": 0})
    return fig


def radar(
    axes: Sequence[str],
    series: Mapping[str, Sequence[float]],
    title: str,
    *,
    hover: Mapping[str, Sequence[str]] | None = None,
) -> go.Figure:
    """First-level score rates (percent of each indicator's add points, 0..100) of one
    enterprise against a reference line (e.g. the industry median); ``hover`` holds a
    text per axis and series (e.g. the raw points and the maximum)."""
    colours = ("#1f77b4", "#ff7f0e")
    fig = go.Figure()
    for k, (name, values) in enumerate(series.items()):
        texts = list((hover or {}).get(name, [""] * len(values)))
        fig.add_scatterpolar(
            r=[*values, values[0]],
            theta=[*axes, axes[0]],
            name=name,
            text=[*texts, texts[0]],
            hovertemplate="%{theta}<br>" + name + "<br>%{text}<extra></extra>",
            fill="toself" if k == 0 else "none",
            line={"color": colours[k % 2], "dash": "solid" if k == 0 else "dash"},
            opacity=0.85,
        )
    top = max((v for values in series.values() for v in values), default=100.0)
    fig.update_layout(
        title=title,
        height=460,
        legend={"orientation": "h", "y": -0.1},
        polar={
            "radialaxis": {
                "range": [0, max(100.0, top)],
                "ticksuffix": "%",
                "angle": 90 + 180 / max(len(axes), 1),
                "tickfont": {"size": 10},
            },
            "angularaxis": {"direction": "clockwise", "rotation": 90},
        },
    )
    return fig


def risk_trend(frame: pd.DataFrame, title: str, axis: str) -> go.Figure:
    """Risk (percent) by period: the chance, forecast at the end of each period, that the grade falls next."""
    fig = go.Figure(
        go.Scatter(
            x=frame["period"], y=frame["risk"], mode="lines+markers+text",
            text=frame["risk"].map("{:.1f}%".format), textposition="top center",
            line={"color": "#d62728"}, marker={"size": 9},
        )
    )  # fmt: skip
    fig.update_layout(
        title=title, height=300, yaxis_title=axis, xaxis={"type": "category", "range": [-0.5, len(frame) - 0.5]}
    )
    fig.update_yaxes(range=[0, 100])
    return fig


def trend(frame: pd.DataFrame, title: str, axis: str) -> go.Figure:
    """Total by period, each point labelled with its grade."""
    fig = go.Figure(
        go.Scatter(
            x=frame["period"],
            y=frame["total"],
            mode="lines+markers+text",
            text=frame["total"].map("{:.1f}".format) + " (" + frame["grade"] + ")",
            textposition="top center",
            line={"color": "#1f77b4"},
            marker={"size": 9},
        )
    )
    fig.update_layout(
        title=title,
        height=340,
        yaxis_title=axis,
        xaxis={"type": "category", "range": [-0.5, len(frame) - 0.5]},
    )
    fig.update_yaxes(rangemode="tozero")
    return fig
