"""``frames.in_index`` answers as pandas' ``isin`` does, on text as lrc reads it (pandas 3's Arrow-backed
strings) and as ``astype("string")`` makes it, with repeats on both sides."""

from __future__ import annotations

import json

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from lrc.frames import in_index

CODES = st.text(alphabet="91AB0", min_size=0, max_size=3)


@given(st.lists(CODES, max_size=30), st.lists(CODES, max_size=30), st.booleans())
def test_in_index_is_isin(values: list[str], index: list[str], nullable: bool) -> None:
    series = pd.Series(values, dtype="string" if nullable else "str")
    expected = series.isin(pd.Index(index)).to_numpy(dtype=bool)
    assert in_index(series, pd.Index(index)).tolist() == expected.tolist()


def test_in_index_on_a_frames_text_index() -> None:
    subs = pd.DataFrame({"n": [1, 2, 3]}, index=pd.Index(["A", "B", "C"], name="uscc"))
    records = pd.DataFrame({"uscc": ["C", "Z", "A", "A"]})
    assert in_index(records["uscc"], subs.index).tolist() == [True, False, True, True]


MISSING = st.sampled_from([None, float("nan"), pd.NA])


@given(
    st.lists(st.one_of(st.text(max_size=3), MISSING, st.integers(-5, 5)), max_size=30),
    st.sampled_from(["list", "object", "str", "string"]),
)
def test_nullable_text_is_text_or_null(values: list[object], kind: str) -> None:
    """Every missing value is NULL (None), never the text 'nan' or '<NA>'; every other value is its text; as
    a list, a column of objects and a column of either kind of pandas text (``tolist`` taken first)."""
    from lrc.store.repository import nullable_text

    if kind in ("str", "string"):
        values = [v if v is None or isinstance(v, str) or v is pd.NA or v != v else str(v) for v in values]
    column = values if kind == "list" else pd.Series(values, dtype=object if kind == "object" else kind)
    expected = [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v) for v in values]
    assert nullable_text(column) == expected


@given(
    st.integers(0, 40).flatmap(
        lambda rows: st.integers(0, 9).flatmap(
            lambda cols: st.lists(
                st.lists(st.integers(-300, 300), min_size=cols, max_size=cols), min_size=rows, max_size=rows
            )
        )
    )
)
def test_pack_writes_each_row_as_its_comma_separated_values(matrix: list[list[int]]) -> None:
    """``pack`` (how item points and first-level scores are stored) against the plain definition, with
    negative points, one column, no columns and no rows; ``unpack`` reads each row back."""
    import numpy as np

    from lrc.service.runs import pack, unpack

    width = len(matrix[0]) if matrix else 0
    values = np.array(matrix, dtype=np.int64).reshape(len(matrix), width)
    packed = pack(values)
    assert packed == [",".join(str(v) for v in row) for row in matrix]
    assert [unpack(p).tolist() for p in packed if p] == [row for row in matrix if row]


def test_json_rows_give_times_as_iso_text_in_china_time_and_missing_values_as_null() -> None:
    from lrc.export import to_records

    frame = pd.DataFrame(
        {
            "naive": pd.to_datetime(["2026-11-30 12:34:07.467", None]),  # as SQLite gives them back: UTC
            "china": pd.to_datetime(["2026-11-30 20:34:07", "2026-12-01 08:00:00"]).tz_localize("Asia/Shanghai"),
            "n": [1.5, None],
        }
    )
    assert to_records(frame) == [
        {"naive": "2026-11-30T20:34:07+08:00", "china": "2026-11-30T20:34:07+08:00", "n": 1.5},
        {"naive": None, "china": "2026-12-01T08:00:00+08:00", "n": None},
    ]


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text())
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=2), st.dictionaries(st.text(max_size=2), SCALARS, max_size=2))


@given(st.lists(st.dictionaries(st.text(), VALUES, max_size=4), max_size=4))
def test_records_json_is_json_dumps_with_an_indent_of_two(records: list[dict[str, object]]) -> None:
    """The C encoder's text of flat records (and json.dumps' own of any other) equals ``json.dumps(…, indent=2)``
    to the byte: hostile keys and values, NaN, empty records and lists, nested values."""
    from lrc.export import records_json

    assert records_json(records) == json.dumps(records, ensure_ascii=False, indent=2)


@given(st.lists(st.tuples(st.text(max_size=5), st.integers(), st.floats(), st.booleans() | st.none()), max_size=12),
       st.integers(min_value=1, max_value=5))  # fmt: skip
def test_a_frame_s_json_made_a_part_at_a_time_is_the_same_text(rows: list[tuple], part: int) -> None:
    """``frame_json`` writes the rows of a big frame a part at a time (a province's million as one list of dicts
    took 3.7 GB): the text is ``records_json(to_records(frame))`` to the byte, whatever the part's size."""
    from lrc import export

    frame = pd.DataFrame(rows, columns=["name", "n", "x", "flag"])
    whole = export.records_json(export.to_records(frame))
    original = export.JSON_PART
    try:
        export.JSON_PART = part
        assert export.frame_json(frame) == whole
    finally:
        export.JSON_PART = original
