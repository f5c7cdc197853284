"""The risk model: a logistic regression on standardised features (scikit-learn fits it), kept as plain
numbers so that a stored model gives the same forecast anywhere, and each forecast splits into per-feature
contributions (log-odds relative to the average enterprise of the training data).

Also the measures a forecast is judged by: precision and recall among the top share by risk (ties broken
as a fair lottery would, so a yes/no baseline is not flattered by row order) and the area under the ROC."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lrc.risk.features import FEATURES, LABEL, NAMES

__all__ = ["TOP_SHARE", "RiskModel", "evaluate", "fit", "input_hash"]

TOP_SHARE = 0.05
C = 0.5  # inverse regularisation strength
METHOD = "logistic"


@dataclass(frozen=True)
class RiskModel:
    features: list[str]
    intercept: float
    coef: list[float]
    mean: list[float]
    scale: list[float]

    def _z(self, frame: pd.DataFrame) -> np.ndarray:
        x = frame[self.features].to_numpy(dtype=np.float64)
        return (x - np.array(self.mean)) / np.array(self.scale)

    def contributions(self, frame: pd.DataFrame) -> np.ndarray:
        """Per-feature log-odds of each row against the training average (rows × features)."""
        return self._z(frame) * np.array(self.coef)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """The chance, 0..1, that each row's grade falls in the next period."""
        logit = self.intercept + self.contributions(frame).sum(axis=1)
        return 1.0 / (1.0 + np.exp(-logit))

    def to_json(self) -> str:
        return json.dumps(
            {"intercept": self.intercept, "coef": self.coef, "mean": self.mean, "scale": self.scale},
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, features: list[str], text: str) -> RiskModel:
        data = json.loads(text)
        return cls(features, float(data["intercept"]), data["coef"], data["mean"], data["scale"])


def fit(train: pd.DataFrame) -> RiskModel:
    """Fit on rows with a label (``LABEL`` 0 or 1); both outcomes must occur."""
    from sklearn.linear_model import LogisticRegression

    x = train[NAMES].to_numpy(dtype=np.float64)
    y = train[LABEL].to_numpy(dtype=np.float64).astype(np.int64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    model = LogisticRegression(C=C, max_iter=2000)
    model.fit((x - mean) / scale, y)
    return RiskModel(NAMES, float(model.intercept_[0]), model.coef_[0].tolist(), mean.tolist(), scale.tolist())


def input_hash(train: pd.DataFrame) -> str:
    """SHA-256 of the training rows (period, enterprise, features, label) as they were fitted."""
    digest = hashlib.sha256()
    columns = ["period", "enterprise_id", *NAMES, LABEL]
    digest.update(train[columns].to_csv(index=False, float_format="%.10g").encode("utf-8"))
    return digest.hexdigest()


def top_measures(y: np.ndarray, score: np.ndarray, share: float = TOP_SHARE) -> tuple[float, float]:
    """(precision, recall) among the top ``share`` of rows by ``score``, the expected values when the rows
    tied at the cut are drawn at random."""
    n, positives = len(y), float(y.sum())
    if n == 0 or positives == 0:
        return (math.nan, math.nan)
    k = max(1, math.ceil(share * n))
    order = np.argsort(-score, kind="stable")
    cut = score[order[k - 1]]
    above = score > cut
    tied = score == cut
    hits = float(y[above].sum()) + (k - above.sum()) * float(y[tied].mean())
    return hits / k, hits / positives


def auc(y: np.ndarray, score: np.ndarray) -> float:
    if len(np.unique(y)) < 2:
        return math.nan
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, score))


def evaluate(y: np.ndarray, score: np.ndarray, share: float = TOP_SHARE) -> dict[str, Any]:
    """Precision and recall at the top ``share``, AUC, and how many rows and positives were judged."""
    precision, recall = top_measures(y, score, share)
    return {
        "rows": int(len(y)),
        "positives": int(y.sum()),
        "base_rate": float(y.mean()) if len(y) else math.nan,
        "precision_at_top": precision,
        "recall_at_top": recall,
        "auc": auc(y, score),
        "top_share": share,
    }


def naive_score(frame: pd.DataFrame) -> np.ndarray:
    """The naive baseline: last period's drop in total (a fall last time predicts a fall next time)."""
    return -frame["change"].to_numpy(dtype=np.float64)


def rule_score(frame: pd.DataFrame) -> np.ndarray:
    """The rule baseline: any verified complaint or inspection finding in the period (yes/no)."""
    return ((frame["complaints"] + frame["findings"]) > 0).to_numpy(dtype=np.float64)


def reasons(model: RiskModel, frame: pd.DataFrame, top: int = 3) -> list[list[dict[str, Any]]]:
    """For each row, the features that raise its risk most (positive contributions, largest first)."""
    texts = {f.name: f.text_zh for f in FEATURES}
    flags = {f.name: f.binary for f in FEATURES}
    binary = np.array([flags[name] for name in model.features])
    parts = model.contributions(frame)
    values = frame[model.features].to_numpy(dtype=np.float64)
    parts = np.where(binary & (values == 0), 0.0, parts)  # "not new" is no reason to worry
    out: list[list[dict[str, Any]]] = []
    for row, value in zip(parts, values, strict=True):
        chosen = [j for j in np.argsort(-row, kind="stable")[:top] if row[j] > 0.05]
        out.append(
            [
                {
                    "feature": model.features[j],
                    "value": round(float(value[j]), 4),
                    "contribution": round(float(row[j]), 4),
                    "text_zh": texts[model.features[j]].format(v=value[j]),
                }
                for j in chosen
            ]
        )
    return out
