"""SQL generated from the catalogue: the engine's scores as one SELECT over a facts table, in the DuckDB,
PostgreSQL or Spark SQL dialect. One generator from the one catalogue; the dialects differ only in
``DIALECTS`` (identifier quotes, the floating type's name). Used by bench/score.py and by the differential
tests (tests/test_differential.py), which hold it equal to the pandas engine (item points, gaps, totals,
red lines, grades) on DuckDB, PostgreSQL and Spark SQL, on sample and hypothesis-generated facts.

The facts table has ``uscc``, one column per catalogue field (a yes/no field BOOLEAN, the others numeric;
NULL = not reported) and the ``record:TYPE:tier`` count columns of the records items. The SQL reads it as
the engine reads a frame: a missing input scores 0 and is a gap; a zero denominator divides as IEEE floats
do (x/0 = ±inf, 0/0 meets no threshold), where SQL would give NULL or raise. Known differences, all outside
the fields' ranges: 0/0 in a banded rule reaches no band here, the engine's top band (numpy sorts NaN last);
PostgreSQL raises "value out of range: underflow" where a subnormal numerator's quotient rounds to 0."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from indicators import Catalogue, to_tenths
from indicators.models import Condition
from scoring.operators import SQL_OPS
from scoring.rule_types import handler

DialectName = Literal["duckdb", "postgresql", "spark"]


@dataclass(frozen=True)
class Dialect:
    """What differs between the SQL dialects the generator writes."""

    quote: str  # around identifiers (Spark SQL: backticks; a double quote there starts a string)
    double: str  # the 64-bit floating type

    def name(self, identifier: str) -> str:
        return f"{self.quote}{identifier}{self.quote}"

    def number(self, value: float) -> str:
        """``value`` as a double, exactly (a bare 0.95 is a DECIMAL in all three dialects)."""
        return f"CAST('{value!r}' AS {self.double})"


DIALECTS: dict[str, Dialect] = {
    "duckdb": Dialect('"', "DOUBLE"),
    "postgresql": Dialect('"', "DOUBLE PRECISION"),
    "spark": Dialect("`", "DOUBLE"),
}


class SqlWriter:
    """SQL expressions of one catalogue in one dialect (each rule type writes its own: ``RuleType.sql``)."""

    def __init__(self, catalogue: Catalogue, dialect: Dialect) -> None:
        self.catalogue, self.d = catalogue, dialect

    def numeric(self, field: str) -> str:
        """A field as a double; a yes/no field as 1/0 (PostgreSQL cannot cast BOOLEAN to a float)."""
        column = self.d.name(field)
        if self.catalogue.field_map[field].type == "bool":
            return f"CASE WHEN {column} THEN {self.d.number(1.0)} WHEN NOT {column} THEN {self.d.number(0.0)} END"
        return f"CAST({column} AS {self.d.double})"

    def outside(self, condition: Condition | None) -> str:
        """The law does not ask the item here: the condition's field is reported and the condition fails."""
        if condition is None:
            return "FALSE"
        field = self.numeric(condition.field)
        return f"({field} IS NOT NULL AND NOT ({field} {SQL_OPS[condition.op]} {self.d.number(condition.value)}))"

    def linked(self, k: int) -> tuple[str, str]:
        """(tenths, gap) of item ``k`` after applicability and ``requires``, as the engine links them."""
        catalogue = self.catalogue
        item = catalogue.items[k]
        value = handler(item).sql(self, item, k)
        gap = " OR ".join(f"{self.d.name(f)} IS NULL" for f in item.reads) or "FALSE"
        if item.requires is not None:
            r = catalogue.item_codes.index(item.requires)
            parent, parent_gap = self.linked(r)
            applies = f"NOT {self.outside(catalogue.items[r].applies_when)}"
            value = f"CASE WHEN {applies} AND ({parent}) <= 0 THEN 0 ELSE {value} END"
            gap = f"({gap}) OR ({parent_gap})"
        full = item.points_tenths if item.kind == "add" else 0
        outside = self.outside(item.applies_when)
        return f"CASE WHEN {outside} THEN {full} ELSE {value} END", f"(NOT {outside} AND ({gap}))"


def scoring_sql(catalogue: Catalogue, table: str = "facts", dialect: DialectName = "duckdb") -> str:
    """SELECT uscc, total, red_line, grade, reported, i0..iN (item points), g0..gN (item gaps) FROM ``table``:
    points in integer tenths, items in catalogue order, ``reported`` the items without a gap."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect {dialect!r}: one of {', '.join(DIALECTS)}")
    writer = SqlWriter(catalogue, DIALECTS[dialect])
    uscc = writer.d.name("uscc")
    n = len(catalogue.items)
    measured = [(k, handler(item).sql_measure(writer, item)) for k, item in enumerate(catalogue.items)]
    measures = [f"{value} AS __m{k}" for k, value in measured if value is not None]
    linked = [writer.linked(k) for k in range(n)]
    points = [f"({value}) AS i{k}" for k, (value, _) in enumerate(linked)]
    gaps = [f"({gap}) AS g{k}" for k, (_, gap) in enumerate(linked)]
    reported = " + ".join(f"(CASE WHEN g{k} THEN 0 ELSE 1 END)" for k in range(n)) or "0"
    total = " + ".join(f"i{k}" for k in range(n)) or "0"
    reds = [f"i{k} <> 0" for k, i in enumerate(catalogue.items) if i.red_line]
    red = " OR ".join(reds) if reds else "FALSE"
    grades = " ".join(
        f"WHEN total >= {to_tenths(g.min_total)} AND reported >= {g.reported_needed(n)} THEN '{g.grade}'"
        for g in catalogue.grades[:-1]
        if g.min_total is not None
    )
    columns = ", ".join([*(f"i{k}" for k in range(n)), *(f"g{k}" for k in range(n))])
    return (
        f"WITH measures AS (SELECT *, {', '.join(measures or ['0 AS __m'])} FROM {table}), "
        f"items AS (SELECT {uscc} AS uscc, {', '.join(points + gaps)} FROM measures), "
        f"totals AS (SELECT uscc, {total} AS total, ({red}) AS red_line, {reported} AS reported, {columns} "
        f"FROM items) "
        f"SELECT uscc, total, red_line, CASE WHEN red_line THEN '{catalogue.lowest_grade}' {grades} "
        f"ELSE '{catalogue.lowest_grade}' END AS grade, reported, {columns} FROM totals"
    )
