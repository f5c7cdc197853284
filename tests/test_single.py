"""The plain-Python check of one object (lrc.ingest.single) never accepts what the file path refuses,
and builds the very frame the file path builds; its facts are written as the same bytes, and read back as
the same numbers and hashed alike, by the Python and the pandas paths (hypothesis, over valid rows and
hostile cells)."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators import load_catalogue
from lrc.errors import InputValidationError
from lrc.ingest import read_object
from lrc.ingest.readers import json_table
from lrc.ingest.single import quick_object
from lrc.ingest.validate import IDENTITY_ZH, validate_table
from lrc.samples import generate
from lrc.service.ingesting import IDENTITY, content_hash, content_hashes
from lrc.store import facts_codec

CATALOGUE = load_catalogue()
PERIOD = "2026Q3"
SAMPLE = generate(60, seed=5, period=PERIOD)


def _row(k: int) -> dict[str, Any]:
    values = {key: v for key, v in SAMPLE.iloc[k].to_dict().items() if not pd.isna(v)}
    return {key: (v.item() if hasattr(v, "item") else v) for key, v in values.items()}


def _file_path(values: dict[str, Any]) -> Any:
    try:
        return validate_table(json_table([values], "API"), CATALOGUE, period=PERIOD)
    except InputValidationError:
        return None


def _agree(values: dict[str, Any]) -> bool:
    """Whether the quick path answered (it must then agree with the file path)."""
    quick = quick_object(values, CATALOGUE, period=PERIOD, source="API")
    slow = _file_path(values)
    if quick is None:
        return False
    assert slow is not None, f"quick path accepted what the file path refuses: {values}"
    pd.testing.assert_frame_equal(quick.frame, slow.frame)
    names = facts_codec.field_names(slow.frame, CATALOGUE)
    lines = facts_codec.encode_rows(quick.frame, names)
    assert lines == facts_codec.encode_table(slow.frame, names)
    assert quick.rows is not None and [facts_codec.encode_values(r, CATALOGUE) for r in quick.rows] == lines
    identity = [[r[c] for c in IDENTITY] for r in quick.rows]
    assert [content_hash(i, f) for i, f in zip(identity, lines, strict=True)] == content_hashes(slow.frame, lines)
    pd.testing.assert_frame_equal(facts_codec.decode(lines, names), facts_codec.decode_table(lines, names))
    decoded = facts_codec.decode(lines, names).iloc[0].to_dict()  # one explanation decodes its row alone
    assert facts_codec.decode_one(lines[0], json.dumps(names)).keys() == decoded.keys()
    assert all(_same(facts_codec.decode_one(lines[0], json.dumps(names))[k], v) for k, v in decoded.items())
    assert (quick.source_rows, quick.overridden_uscc, quick.file) == (slow.source_rows, slow.overridden_uscc, slow.file)
    return True


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_valid_sample_rows_take_the_quick_path_and_agree() -> None:
    taken = [_agree(_row(k)) for k in range(len(SAMPLE))]
    assert sum(taken) >= 0.9 * len(SAMPLE)  # the sample's rows are valid: nearly all go the quick way


def test_chinese_headers_and_written_forms_agree() -> None:
    values = _row(0)
    chinese = {(IDENTITY_ZH.get(k) or CATALOGUE.field_map[k].name_zh if k in CATALOGUE.field_map or k in IDENTITY_ZH
                else k): v for k, v in values.items()}  # fmt: skip
    assert _agree(chinese)
    bools = {f.name for f in CATALOGUE.fields if f.type == "bool"}
    written = {k: ("是" if v else "否") if k in bools and v is not None else v for k, v in values.items()}
    assert _agree({**written, "headcount": f" {int(values['headcount']):,} "})


HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10**17, 10**17),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([
        "", " ", "是", "否", "Y", "no", "√", "×", "1,234", "1,23", "12.", "12.0", "12.5", ".5", "95%", "150%",
        "1e3", "１２", "１２．５", "-1", "+3", "0x10", "\u3000７\u3000", "5\x1f", "\u202e5", "nan", "inf",
        "210102", "２１０１０２", "210000", "C", "制造业", "小型", "大型", "国有", "x" * 101, "=1+1",
        "<b>1</b>", "2026q3", "2025Q4", "9007199254740993", "9,007,199,254,740,992",
    ]),  # fmt: skip
    st.text(max_size=8),
)
FIELDS = ["uscc", *[n for n in IDENTITY_ZH if n != "uscc"], *(f.name for f in CATALOGUE.fields), "period",
          "报告期", "unknown", "统一社会信用代码", "企业名称"]  # fmt: skip


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    k=st.integers(0, len(SAMPLE) - 1),
    changes=st.dictionaries(st.sampled_from(FIELDS), HOSTILE, max_size=4),
    dropped=st.lists(st.sampled_from(FIELDS), max_size=2),
)
def test_quick_path_never_accepts_what_the_file_path_refuses(
    k: int, changes: dict[str, Any], dropped: list[str]
) -> None:
    values = {key: v for key, v in _row(k).items() if key not in dropped}
    values.update(changes)
    _agree(values)


def test_a_refused_object_is_worded_by_the_file_path() -> None:
    values = {**_row(1), "headcount": "十二"}
    assert quick_object(values, CATALOGUE, period=PERIOD, source="API") is None
    with pytest.raises(InputValidationError) as caught:
        read_object(values, CATALOGUE, period=PERIOD, source="API")
    assert [(p.column, p.value) for p in caught.value.problems] == [("headcount", "十二")]
