"""Reading and checking a results file of the national job (``lrc import-results``): every problem is named
by file, row, column and reason, and one problem refuses the whole file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from indicators import Catalogue
from lrc.errors import InputValidationError, NotFoundError, RowProblem, UsageError
from lrc.frames import in_index
from lrc.periods import check_period
from scoring import Scores, assign_grades

REQUIRED = ("uscc", "total", "grade", "red_line")
SHOWN = 20  # problems named per check; the rest of a check's rows are counted in one line
TRUE, FALSE = {"true", "1", "1.0", "yes"}, {"false", "0", "0.0", "no"}


@dataclass(frozen=True)
class ResultsFile:
    name: str
    period: str
    frame: pd.DataFrame


def read_results(path: Path, catalogue: Catalogue, period: str | None) -> ResultsFile:
    """The results at ``path`` (a parquet file, or the folder Spark writes) with their columns checked,
    and their period: the ``period`` column's one value, or ``period`` when the file has no such column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not path.exists():
        raise NotFoundError(f"找不到结果文件 {path} (no such file)")
    try:
        frame = pq.read_table(path).to_pandas()
    except (pa.ArrowException, OSError) as exc:
        problem = RowProblem(path.name, None, None, None, f"不是可读的 parquet 文件 (not a parquet file): {exc}")
        raise InputValidationError([problem], path.name) from None
    if frame.empty:
        raise InputValidationError([RowProblem(path.name, None, None, None, "文件中没有结果 (no rows)")], path.name)
    missing = [c for c in (*REQUIRED, *catalogue.item_codes) if c not in frame.columns]
    if missing:
        reason = f"缺少此列,指标体系 {catalogue.version} 的结果需要它 (column missing)"
        raise InputValidationError([RowProblem(path.name, None, c, None, reason) for c in missing], path.name)
    return ResultsFile(path.name, _period(path.name, frame, period), frame)


def _period(name: str, frame: pd.DataFrame, given: str | None) -> str:
    if "period" not in frame.columns:
        if given is None:
            raise UsageError(f"{name} 没有 period 列,请用 --period 指定期间 (give --period)")
        return check_period(given)
    found = sorted({str(v) for v in frame["period"].dropna()})
    if len(found) != 1:
        reason = f"一个结果文件只能有一个期间,实际有 {'、'.join(found[:5]) or '空值'} (one period per file)"
        raise InputValidationError([RowProblem(name, None, "period", None, reason)], name)
    if given is not None and check_period(given) != check_period(found[0]):
        raise UsageError(f"--period {given} 与 {name} 的期间 {found[0]} 不符 (period does not match the file)")
    return check_period(found[0])


class Problems:
    """Problems of one file, found a whole column at a time."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: list[RowProblem] = []

    def where(self, bad: np.ndarray, column: str | None, reason: str, values: pd.Series | None = None) -> None:
        rows = np.flatnonzero(bad)
        for k in rows[:SHOWN]:
            value = None if values is None else str(values.iloc[k])
            self.found.append(RowProblem(self.name, int(k) + 1, column, value, reason, record=True))
        if len(rows) > SHOWN:
            more = f"另有 {len(rows) - SHOWN} 行同样的问题 ({len(rows) - SHOWN} more rows): {reason}"
            self.found.append(RowProblem(self.name, None, column, None, more))

    def raise_any(self) -> None:
        if self.found:
            raise InputValidationError(self.found, self.name)


def check_results(file: ResultsFile, catalogue: Catalogue, current: pd.DataFrame, same_catalogue: bool) -> Scores:
    """The file's results as the engine's ``Scores``, in file order, after checking every row against
    ``current`` (the period's current results by USCC) and the catalogue; raises with every problem found."""
    frame, problems = file.frame, Problems(file.name)
    usccs = frame["uscc"].astype("string").fillna("").str.strip()
    problems.where((usccs == "").to_numpy(), "uscc", "缺少信用代码 (no USCC)")
    problems.where(usccs.duplicated(keep="first").to_numpy() & (usccs != "").to_numpy(), "uscc",
                   "信用代码重复 (USCC repeated)", usccs)  # fmt: skip
    known = in_index(usccs, current.index)
    unknown = f"期间 {file.period} 没有这家企业的当前评分结果,它不在导出的数据中 (unknown enterprise)"
    problems.where(~known & (usccs != "").to_numpy(), "uscc", unknown, usccs)
    here = current.reindex(usccs.to_numpy())
    _check_stale(frame, here, known, problems, file.period)
    points = _item_tenths(frame, catalogue, problems)
    total = _tenths(frame["total"], "total", problems)
    problems.where(known & (total != points.sum(axis=1)), "total", "总分不等于各项得分之和 (total is not the sum)",
                   frame["total"])  # fmt: skip
    red_line = _flags(frame["red_line"], problems)
    red_items = [j for j, i in enumerate(catalogue.items) if i.red_line]
    problems.where(red_line != (points[:, red_items] != 0).any(axis=1), "red_line",
                   "红线标记与红线项得分不符 (red line does not match its items)", frame["red_line"])  # fmt: skip
    gaps = _gaps(frame, here, known, catalogue, same_catalogue, problems)
    reported = len(catalogue.items) - gaps.sum(axis=1)
    if "completeness" in frame.columns:
        given = pd.to_numeric(frame["completeness"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        share = reported / len(catalogue.items) if catalogue.items else np.ones(len(frame))
        problems.where(~(np.abs(given - share) <= 1e-6), "completeness",
                       "完整度与缺项不符 (completeness does not match the gaps)", frame["completeness"])  # fmt: skip
    grade = frame["grade"].astype("string").fillna("").to_numpy(dtype=object)
    expected = assign_grades(catalogue, total, red_line, reported)
    wrong = "等级与总分、红线和已报送项数按指标体系给出的等级不符 (grade does not follow)"
    problems.where(known & (grade != expected), "grade", wrong, frame["grade"])
    problems.raise_any()
    m = len(catalogue.items)
    return Scores(
        catalogue_version=catalogue.version, index=pd.Index(usccs.to_numpy(dtype=object), name="uscc"),
        item_codes=catalogue.item_codes, points=np.asfortranarray(points.astype(np.int16)), gaps=gaps,
        total=total, red_line=red_line, grade=grade, completeness=reported / m if m else np.ones(len(frame)),
        catalogue=catalogue,
    )  # fmt: skip


def _check_stale(frame: pd.DataFrame, here: pd.DataFrame, known: np.ndarray, problems: Problems, period: str) -> None:
    """Facts exported before a newer submission or a change of records no longer match the current result."""
    if "submission_id" in frame.columns:
        given = pd.to_numeric(frame["submission_id"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        now = pd.to_numeric(here["submission_id"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        problems.where(known & (given != now), "submission_id",
                       f"导出后这家企业在 {period} 重新报送过,请重新导出并评分 (a newer submission)",
                       frame["submission_id"])  # fmt: skip
    if "records" in frame.columns:
        given_ids = frame["records"].astype("string").fillna("").to_numpy(dtype=object)
        now_ids = here["records"].astype("string").fillna("").to_numpy(dtype=object)
        changed = "导出后这家企业计分的记录有变化,请重新导出并评分 (records changed)"
        problems.where(known & (given_ids != now_ids), "records", changed, frame["records"])


def _tenths(values: pd.Series, column: str, problems: Problems) -> np.ndarray:
    """Points as integer tenths; a missing, non-numeric or finer-than-0.1 value is a problem (0 stands in)."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    scaled = numbers * 10
    tenths = np.rint(np.nan_to_num(scaled, nan=0.0, posinf=0.0, neginf=0.0))
    problems.where(~np.isfinite(numbers), column, "应为分值 (not a number of points)", values)
    problems.where(np.isfinite(numbers) & (np.abs(scaled - tenths) > 1e-6), column,
                   "分值应精确到 0.1 分 (points come in tenths)", values)  # fmt: skip
    return tenths.astype(np.int64)


def _item_tenths(frame: pd.DataFrame, catalogue: Catalogue, problems: Problems) -> np.ndarray:
    points = np.zeros((len(frame), len(catalogue.items)), dtype=np.int64)
    for j, item in enumerate(catalogue.items):
        points[:, j] = _tenths(frame[item.code], item.code, problems)
        low, high = sorted((0, item.points_tenths))
        problems.where((points[:, j] < low) | (points[:, j] > high), item.code,
                       f"超出该项的分值范围 {low / 10:g} 至 {high / 10:g} (out of the item's range)",
                       frame[item.code])  # fmt: skip
    return points


def _flags(values: pd.Series, problems: Problems) -> np.ndarray:
    text = values.astype("string").str.strip().str.lower().fillna("")
    problems.where(~text.isin(TRUE | FALSE).to_numpy(), "red_line", "应为 true 或 false (not a yes/no)", values)
    return text.isin(TRUE).to_numpy()


def _gaps(
    frame: pd.DataFrame, here: pd.DataFrame, known: np.ndarray, catalogue: Catalogue, same: bool, problems: Problems
) -> np.ndarray:
    """Which items each result had no data for: the file's ``gaps`` column (one '0'/'1' per item), else the
    current result's, which scored the same facts (only under the same catalogue)."""
    m = len(catalogue.items)
    if "gaps" in frame.columns:
        text = frame["gaps"].astype("string").fillna("")
    elif same:
        text = here["gaps"].astype("string").fillna("0" * m).where(known, "0" * m)
    else:
        reason = "缺少此列:结果用的指标体系与期间当前结果的不同,无法沿用其缺项 (column missing)"
        problems.found.append(RowProblem(problems.name, None, "gaps", None, reason))
        return np.zeros((len(frame), m), dtype=bool)
    valid = text.str.fullmatch(f"[01]{{{m}}}").fillna(False).to_numpy(dtype=bool)
    problems.where(~valid, "gaps", f"应为 {m} 个 0 或 1 (one 0/1 per item)", frame["gaps"] if "gaps" in frame else None)
    digits = text.where(valid, "0" * m).to_numpy(dtype=object).astype(f"S{m}") if m else None
    if digits is None:
        return np.zeros((len(frame), 0), dtype=bool)
    return np.asfortranarray(np.frombuffer(digits.tobytes(), dtype=np.uint8).reshape(len(frame), m) == ord("1"))
