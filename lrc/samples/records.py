"""Deterministic sample records (样例记录) for the sample enterprises: inspection findings, awards and
judgments, accidents, complaints, list entries and honours, dated over the three years up to a given
day (never after it), from the authorities of each firm's city.

Poor employers (low latent quality) and hazardous industries collect more violations; good ones the
honours; large firms more of everything. The same (n, seed, day) always gives the same records."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from indicators import Catalogue, load_catalogue
from indicators.record_types import TIER_ZH, RecordType
from lrc import reference
from lrc.errors import LrcError, UsageError
from lrc.export import csv_bytes, to_records, xlsx_bytes
from lrc.ingest.records import TIERS_BY_WORD
from lrc.periods import check_period
from lrc.samples import generate
from lrc.samples.identity import firms
from lrc.samples.quality import make_context
from scoring.vectors import COMPARISONS

RECORD_COLUMNS = ("uscc", "type", "date", "source", "ref", "severity", "workers", "amount", "note")
SPAN_DAYS = 3 * 365
DEMO_AS_OF = date(2026, 11, 29)  # the shipped sample records (data/samples/records.csv) end on this day
# Expected records of a type per average firm over the three years, before quality, hazard and size.
BASE_RATE: dict[str, float] = {
    "LABOUR_PENALTY": 0.10, "CORRECTION_ORDER": 0.22, "WAGE_ARREARS_FINDING": 0.08,
    "COMPLAINT_VERIFIED_UNION": 0.10, "COMPLAINT_VERIFIED_INSPECTION": 0.08, "DISPUTE_AWARD_LOST": 0.12,
    "DISPUTE_JUDGMENT_LOST": 0.04, "DOUBLE_WAGE_AWARD": 0.05, "DOUBLE_WAGE_JUDGMENT": 0.015,
    "UNLAWFUL_TERMINATION_AWARD": 0.05, "UNLAWFUL_TERMINATION_JUDGMENT": 0.015, "DISPATCH_TERM_SPLIT": 0.01,
    "SOCIAL_INSURANCE_ARREARS_ORDER": 0.08, "INJURY_ACCIDENT_RESPONSIBLE": 0.06, "FATAL_ACCIDENT_RESPONSIBLE": 0.004,
    "OCCUPATIONAL_DISEASE_FINDING": 0.02, "PREGNANCY_PROTECTION_VIOLATION": 0.01, "CHILD_LABOUR": 0.002,
    "FORCED_LABOUR": 0.001, "MASS_INCIDENT_VIOLATION": 0.003, "UNION_OBSTRUCTION": 0.01,
    "UNION_OFFICER_RETALIATION": 0.004, "MAJOR_VIOLATION_PUBLISHED": 0.004, "WAGE_ARREARS_BLACKLIST": 0.003,
    "HONOUR_PROVINCIAL_NATIONAL": 0.02, "HONOUR_MUNICIPAL": 0.08,
}  # fmt: skip
DEFAULT_RATE = 0.03
HAZARDOUS = ("INJURY_ACCIDENT_RESPONSIBLE", "FATAL_ACCIDENT_RESPONSIBLE", "OCCUPATIONAL_DISEASE_FINDING")
TIER_WEIGHTS = {"minor": 0.45, "general": 0.4, "serious": 0.15}
AUTHORITY = {  # source kind → the deciding body in a city (honours: the government that awards them)
    "labour_inspection": "{city}人力资源和社会保障局",
    "arbitration": "{city}劳动人事争议仲裁委员会",
    "court": "{city}中级人民法院",
    "work_safety": "{city}应急管理局",
    "health": "{city}卫生健康委员会",
    "credit_platform": "信用中国(辽宁)",
    "union": "{city}总工会",
    "honour_body": "{city}人民政府",
}
REF_WORD = {
    "labour_inspection": "人社监", "arbitration": "劳人仲裁", "court": "民终", "work_safety": "应急罚",
    "health": "卫职诊", "credit_platform": "信公", "union": "工会核", "honour_body": "政表",
}  # fmt: skip


def generate_records(
    n: int, *, seed: int, today: date, catalogue: Catalogue | None = None
) -> pd.DataFrame:
    """Records of the first ``n`` sample enterprises of ``seed``, decided in the three years up to ``today``."""
    catalogue = catalogue or load_catalogue()
    who = firms(n, seed)
    period = check_period(f"{today.year}Q{(today.month - 1) // 3 + 1}")
    ctx = make_context(who, seed, period)
    facts = generate(n, seed=seed, period=period, catalogue=catalogue)
    rng = np.random.default_rng([seed, 0x5EC0D5])
    size = np.sqrt(np.maximum(ctx.headcount, 1) / 60.0).clip(0.4, 6.0)
    parts = []
    for kind in catalogue.record_types:
        rate = BASE_RATE.get(kind.code, DEFAULT_RATE) * size
        bad = kind.tiers[next(iter(kind.tiers))].points < 0
        rate = rate * np.exp((-1.1 if bad else 1.2) * ctx.quality)
        if kind.code in HAZARDOUS:
            rate = rate * ctx.hazard()
        count = rng.poisson(rate) * _eligible(catalogue, kind, facts)
        rows = np.repeat(np.arange(n), count)
        if len(rows):
            parts.append(_records_of(kind, rows, who.frame, rng, today))
    if not parts:
        return pd.DataFrame(columns=list(RECORD_COLUMNS))
    records = pd.concat(parts, ignore_index=True).sort_values(["date", "uscc", "type"], ignore_index=True)
    return _numbered(records)


def _eligible(catalogue: Catalogue, kind: RecordType, facts: pd.DataFrame) -> np.ndarray:
    """Firms a record of ``kind`` can concern, consistent with their facts: where the items beside the
    one it scores apply only under a condition (dispatched workers, pregnant employees, a union), the
    firm must meet it (a dispatch finding needs dispatched workers)."""
    item = catalogue.item(kind.item)
    eligible = np.ones(len(facts), dtype=bool)
    for sibling in catalogue.items:
        condition = sibling.applies_when
        if sibling.level3 == item.level3 and condition is not None and condition.field in facts:
            values = facts[condition.field].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
            with np.errstate(invalid="ignore"):
                holds = COMPARISONS[condition.op](values, condition.value)
            eligible &= holds | np.isnan(values)
    return eligible.astype(np.int64)



def _records_of(
    kind: RecordType,
    rows: np.ndarray,
    identity: pd.DataFrame,
    rng: np.random.Generator,
    today: date,
    span_days: int = SPAN_DAYS,
) -> pd.DataFrame:
    """Records of ``kind`` for the firms at ``rows`` (a firm once per record), decided within the
    ``span_days`` up to ``today``."""
    tiers = list(kind.tiers)
    weights = np.array([TIER_WEIGHTS[t] for t in tiers])
    tier = rng.choice(tiers, size=len(rows), p=weights / weights.sum())
    days = rng.integers(0, span_days, size=len(rows))
    region = identity["region_code"].to_numpy()[rows]
    cities = [reference.CITIES[c] for c in reference.city_codes(region)]
    provincial = kind.code == "HONOUR_PROVINCIAL_NATIONAL"
    workers = rng.integers(1, 40, size=len(rows)) if kind.workers else None
    amount = np.round(rng.lognormal(10.5, 1.0, size=len(rows)), -2) if kind.amount else None
    return pd.DataFrame(
        {
            "uscc": identity["uscc"].to_numpy()[rows],
            "type": kind.code,
            "date": [today - timedelta(days=int(d)) for d in days],
            "source": [
                "辽宁省人民政府" if provincial else AUTHORITY[kind.source_kind].format(city=c) for c in cities
            ],
            "kind": kind.source_kind,
            "city": cities,
            "severity": [TIER_ZH[t] if kind.tiered else "" for t in tier],
            "workers": workers if workers is not None else pd.array([None] * len(rows), dtype="Int64"),
            "amount": amount if amount is not None else pd.array([None] * len(rows), dtype="Float64"),
            "note": kind.name_zh,
        }
    )


def _numbered(records: pd.DataFrame) -> pd.DataFrame:
    """Document numbers like 沈阳人社监〔2026〕482913号, drawn from what the record says: the same record made
    by another seed, size or day has the same number (delivering it again is a no-op), a different one a
    different number (files of several samples load into one store)."""
    year = [d.year for d in records["date"]]
    abbreviation = records["city"].str.removesuffix("市")
    words = records["kind"].map(REF_WORD)
    content = [
        "|".join(map(str, row))
        for row in zip(records["uscc"], records["type"], records["date"], records["severity"],
                       records["workers"], records["amount"], strict=True)
    ]  # fmt: skip
    numbers = [int(hashlib.sha256(c.encode("utf-8")).hexdigest()[:12], 16) % 900_000 + 100_000 for c in content]
    refs = pd.Series([f"{a}{w}〔{y}〕{n}号" for a, w, y, n in zip(abbreviation, words, year, numbers, strict=True)])
    repeat = refs.groupby(refs).cumcount()  # the same record twice in one sample: a second number
    records["ref"] = [r if k == 0 else r.replace("号", f"-{k + 1}号") for r, k in zip(refs, repeat, strict=True)]
    records["date"] = [d.isoformat() for d in records["date"]]
    return records[list(RECORD_COLUMNS)]


def write_records(records: pd.DataFrame, path: Path) -> None:
    """Write sample records as CSV (UTF-8 with BOM), XLSX or JSON, in the columns `lrc record ingest` reads."""
    target = Path(str(path))
    suffix = target.suffix.lower()
    if not target.parent.is_dir():
        raise UsageError(f"目录 {target.parent} 不存在,请先创建 (directory does not exist)")
    if suffix == ".csv":
        data = csv_bytes(records)
    elif suffix == ".xlsx":
        data = xlsx_bytes(records, "记录 records")
    elif suffix == ".json":
        data = (json.dumps(to_records(records), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    else:
        raise UsageError(f"不支持的记录文件类型 {suffix or '(无后缀)'},可用 .csv、.xlsx、.json (unsupported file type)")
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise LrcError(f"无法写入 {target}:{exc.strerror or exc} (cannot write the file)") from None


def stored_form(records: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Sample records as the store keeps them for scoring (``scoring.records.RECORD_COLUMNS``):
    the tier as its id (``serious``), implied for a type with one tier, the date as ``decision_date``."""
    kinds = catalogue.record_type_map
    tiers = [
        TIERS_BY_WORD[s] if s else kinds[t].default_tier
        for t, s in zip(records["type"], records["severity"], strict=True)
    ]
    return pd.DataFrame(
        {"uscc": records["uscc"], "type": records["type"], "tier": tiers, "decision_date": records["date"]}
    )
