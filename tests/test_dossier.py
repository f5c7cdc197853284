"""Hearing dossiers (issue #12): the figures equal ``explain`` for the same result; the PDF embeds its CJK
fonts, its text is extractable and its charts are drawn; the HTML escapes hostile names and fetches nothing;
a collective dossier compares the enterprises and gives each its own section; scope is respected; the CLI
end to end."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from lrc.dossier.content import NO_PLAN, DossierContent
from lrc.dossier.html import dossier_html
from lrc.dossier.layout import CHART_MARK, TREND_MARK
from lrc.dossier.pdf import dossier_pdf, dossier_source
from lrc.errors import NotFoundError, UsageError
from lrc.samples import generate, write_sample
from lrc.service import explain, ingest_file, score_period
from lrc.service.accounts import acting
from lrc.service.dossiers import collective_dossier, dossier, dossier_content, hearing_dossier
from lrc.service.hearings import add_hearing
from lrc.service.plans import add_action
from lrc.service.records import add_record
from lrc.store import make_engine, upgrade
from tests.conftest import ADMIN, office_accounts, scored_sample
from tests.test_cli import lrc

PERIODS = ("2026Q2", "2026Q3")
HOSTILE = "<script>alert(1)</script>有限公司"
PLAN_ITEM = "B1.1.1"
RECORD = {"type": "FATAL_ACCIDENT_RESPONSIBLE", "date": "2026-09-01", "source": "大连市应急管理局",
          "ref": "大应急罚〔2026〕7号", "severity": "严重", "workers": "1"}  # fmt: skip


def _store(engine: Engine, directory: Path, n: int) -> pd.DataFrame:
    """``n`` sample enterprises scored in two periods; the first one's name is hostile in the newest."""
    scored_sample(engine, directory, n, 11, PERIODS[0])
    sample = generate(n, seed=11, period=PERIODS[1])
    sample.loc[0, "name"] = HOSTILE
    write_sample(sample, directory / "newest.csv")
    ingest_file(engine, ADMIN, directory / "newest.csv", PERIODS[1])
    score_period(engine, ADMIN, PERIODS[1])
    return sample


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, pd.DataFrame]:
    """A SQLite store: 40 enterprises, two periods, a record on a Dalian enterprise, the office's accounts."""
    directory = tmp_path_factory.mktemp("dossier")
    engine = make_engine(f"sqlite:///{directory / 'lrc.db'}")
    upgrade(engine)
    sample = _store(engine, directory, 40)
    dalian = sample.loc[sample["region_code"].astype(str).str.startswith("2102"), "uscc"].iloc[0]
    add_record(engine, ADMIN, {"uscc": dalian, **RECORD})
    office_accounts(engine)
    return engine, sample


@pytest.fixture(scope="module")
def hearing(store: tuple[Engine, pd.DataFrame]) -> int:
    """A collective hearing of the Dalian enterprise and two others, and one action of the first's plan."""
    engine, sample = store
    usccs = [dalian(sample), *[str(u) for u in sample["uscc"].iloc[6:8]]]
    held = add_hearing(engine, ADMIN, kind="collective", held_on=date(2026, 10, 15), title="大连市集体听证",
                       enterprises=usccs)  # fmt: skip
    add_action(engine, ADMIN, held.id, usccs[0], item=PLAN_ITEM, action="与全体职工补签书面劳动合同", due="2026-12-31")
    return held.id


def dalian(sample: pd.DataFrame) -> str:
    return str(sample.loc[sample["region_code"].astype(str).str.startswith("2102"), "uscc"].iloc[0])


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_equal_to_explain(engine: Engine, content: DossierContent) -> None:
    for section in content.enterprises:
        said = explain(engine, ADMIN, section.uscc, content.period).to_dict()
        assert (section.total, section.grade, section.red_line) == (said["total"], said["grade"], said["red_line"])
        assert (section.grade_label, section.result_run_id) == (said["grade_label"], said["result_run_id"])
        assert [(n.code, n.points) for n in section.level1] == [
            (n["code"], n["points"]) for n in said["levels"]["level1"]
        ]
        assert len(section.items) == len(said["items"]) == 75
        for mine, theirs in zip(section.items, said["items"], strict=True):
            assert (mine.code, mine.points, mine.max_points, mine.reason, mine.provenance) == (
                theirs["code"], theirs["points"], theirs["max_points"], theirs["reason"], theirs["provenance"],
            )  # fmt: skip
            assert mine.legal_basis == ([] if theirs["legal_basis"] == "none" else theirs["legal_basis"])
            assert mine.evidence_zh == theirs["evidence_zh"]
        lost = {i["code"] for i in said["items"]
                if (i["kind"] == "deduct" and i["points"] < 0)
                or (i["kind"] == "add" and i["points"] < i["max_points"] and not i["not_applicable"])}  # fmt: skip
        assert {i.code for i in section.lost_items} == lost and lost


def test_numbers_equal_explain_and_the_page_shows_them(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, sample = store
    usccs = [dalian(sample), str(sample["uscc"].iloc[5])]
    content = dossier_content(engine, ADMIN, usccs, PERIODS[1])
    check_equal_to_explain(engine, content)
    page = dossier_html(content).decode("utf-8")
    text = re.sub(r"<[^>]+>", " ", page)
    for section in content.enterprises:
        assert f"{section.total:.1f}" in text and f"{section.grade} {section.grade_label}" in text
        for item in section.lost_items:
            assert item.code in text and item.reason.replace("<", "&lt;").replace(">", "&gt;") in page
        assert [t.period for t in section.trend] == list(PERIODS)
    recorded = content.enterprises[0]
    assert [r.ref for r in recorded.records] == [RECORD["ref"]] and RECORD["ref"] in text
    from lrc.service.alerts import list_alerts
    from lrc.times import in_china

    raised = {a.id: a.raised_at for a in list_alerts(engine, ADMIN, limit=10_000)}
    assert recorded.alerts, "the record raises an alert"
    for line in recorded.alerts:  # in Beijing time (it was the stored UTC on SQLite)
        assert line.raised_at == in_china(raised[line.id]).strftime("%Y-%m-%d %H:%M") and line.raised_at in text
    assert any("记录" in i.provenance and RECORD["ref"] in i.provenance for i in recorded.lost_items)
    ranks = recorded.ranks
    assert [r.scope_zh for r in ranks] == ["全省", "大连市", recorded.industry_name] and ranks[0].n == 40
    assert all(1 <= r.rank <= r.n for r in ranks) and recorded.level1[0].peer_mean is not None
    other = content.enterprises[1]
    assert other.plan == [] and other.plan_note == NO_PLAN and NO_PLAN in text


def test_a_hearing_dossier_shows_the_improvement_plan(
    store: tuple[Engine, pd.DataFrame], hearing: int, tmp_path: Path
) -> None:
    engine, sample = store
    content = dossier_content(engine, ADMIN, [dalian(sample)], PERIODS[1])
    plan = content.enterprises[0].plan
    assert [(p.hearing_id, p.item.split()[0], p.status) for p in plan] == [(hearing, PLAN_ITEM, "进行中")]
    assert plan[0].before.startswith(PERIODS[1]) and plan[0].after == ""
    path = hearing_dossier(engine, ADMIN, hearing, PERIODS[1], tmp_path / "h.pdf")
    text = squash(poppler("pdftotext", "-raw", path, "-"))
    assert "参加听证企业对比" in text and "听证#" in text and "与全体职工补签书面劳动合同" in text
    assert text.count("一、企业概况") == 3
    assert "大连市集体听证(2026-10-15集体听证)听证材料" in text  # the hearing's own title and date
    one = add_hearing(engine, ADMIN, kind="individual", held_on=date(2026, 10, 20), title="个别约谈听证",
                      enterprises=[dalian(sample)])  # fmt: skip
    written = hearing_dossier(engine, ADMIN, one.id, PERIODS[1], tmp_path / "i.pdf")
    single = squash(poppler("pdftotext", "-raw", written, "-"))
    assert "个别约谈听证(2026-10-20个别听证)听证材料" in single and "集体听证材料" not in single
    assert "参加听证企业对比" not in single and single.count("一、企业概况") == 1


def test_numbers_equal_explain_on_each_backend(engine: Engine, tmp_path: Path) -> None:
    sample = scored_sample(engine, tmp_path, 15, 4, "2026Q3")
    content = dossier_content(engine, ADMIN, [str(sample["uscc"].iloc[-1])], "2026Q3")
    check_equal_to_explain(engine, content)
    assert not content.collective and content.enterprises[0].ranks[0].n == 15


@pytest.fixture(scope="module")
def pdf(store: tuple[Engine, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DossierContent]:
    engine, sample = store
    path = tmp_path_factory.mktemp("pdf") / "dossier.pdf"
    dossier(engine, ADMIN, dalian(sample), PERIODS[1], path)
    return path, dossier_content(engine, ADMIN, [dalian(sample)], PERIODS[1])


def poppler(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True).stdout


def test_pdf_embeds_every_font_and_its_text_is_extractable(pdf: tuple[Path, DossierContent]) -> None:
    path, content = pdf
    rows = poppler("pdffonts", path).splitlines()[2:]
    assert any("NotoSerifCJK" in r for r in rows) and any("NotoSansCJK" in r for r in rows)
    for row in rows:
        assert row.split()[-5] == "yes", f"font not embedded: {row}"
    text = squash(poppler("pdftotext", "-raw", path, "-"))  # in content order: a wrapped cell stays whole
    section = content.enterprises[0]
    assert squash(section.name) in text and section.uscc in text and f"{section.total:.1f}" in text
    deductions = [i for i in section.lost_items if i.kind == "deduct"]
    assert deductions
    for item in section.lost_items:
        assert squash(item.reason) in text, item.code
    assert squash(CHART_MARK) in text and squash(TREND_MARK) in text and squash(RECORD["ref"]) in text


def test_pdf_is_reproducible_with_source_date_epoch(
    pdf: tuple[Path, DossierContent], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, content = pdf
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = dossier_pdf(content)
    assert first == dossier_pdf(content) and b"2023" in first  # 2023-11-14, the epoch given
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(UsageError):
        dossier_pdf(content)


def test_pdf_draws_its_charts_from_data(pdf: tuple[Path, DossierContent]) -> None:
    _, content = pdf
    template, document = dossier_source(content)
    assert "rect(" in template and "line(start:" in template
    assert '"kind": "bars"' in document and '"kind": "trend"' in document
    assert document.count('"code": "') >= 8  # one bar per first-level indicator


def test_html_escapes_a_hostile_name_and_fetches_nothing(store: tuple[Engine, pd.DataFrame], tmp_path: Path) -> None:
    engine, sample = store
    path = dossier(engine, ADMIN, str(sample["uscc"].iloc[0]), PERIODS[1], tmp_path / "d.html")
    page = path.read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;有限公司" in page
    assert "default-src 'none'" in page
    assert not re.search(r"""(src|href|action)\s*=|<link|@import|url\(""", page, re.I)
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg"}  # a namespace only
    assert page.count("<svg") == 2 and CHART_MARK in page and TREND_MARK in page
    pdf_path = dossier(engine, ADMIN, str(sample["uscc"].iloc[0]), PERIODS[1], tmp_path / "d.pdf")
    assert squash(HOSTILE) in squash(poppler("pdftotext", pdf_path, "-"))


def test_a_collective_dossier_compares_and_has_a_section_each(
    store: tuple[Engine, pd.DataFrame], tmp_path: Path
) -> None:
    engine, sample = store
    usccs = [str(u) for u in sample["uscc"].iloc[1:4]]
    page = collective_dossier(engine, ADMIN, usccs, None, tmp_path / "c.html").read_text(encoding="utf-8")
    table = page.split('<section class="comparison">', 1)[1].split("</section>", 1)[0]
    for uscc in usccs:
        assert uscc in table and page.count(f'id="e-{uscc}"') == 1
    assert page.count('<section class="enterprise"') == 3 and "参加听证企业对比" in page
    path = collective_dossier(engine, ADMIN, usccs, PERIODS[1], tmp_path / "c.pdf")
    text = squash(poppler("pdftotext", path, "-"))
    assert "参加听证企业对比" in text and all(u in text for u in usccs)


def test_a_city_analyst_cannot_make_another_citys_dossier(store: tuple[Engine, pd.DataFrame], tmp_path: Path) -> None:
    engine, sample = store
    city = acting(engine, "dl")
    outside = str(sample.loc[~sample["region_code"].astype(str).str.startswith("2102"), "uscc"].iloc[0])
    with pytest.raises(NotFoundError):
        dossier(engine, city, outside, PERIODS[1], tmp_path / "x.html")
    with pytest.raises(NotFoundError):
        collective_dossier(engine, city, [dalian(sample), outside], PERIODS[1], tmp_path / "y.html")
    assert not (tmp_path / "x.html").exists() and not (tmp_path / "y.html").exists()
    mine = dossier_content(engine, city, [dalian(sample)], PERIODS[1]).enterprises[0]
    assert mine.ranks[0].scope_zh == "权限范围内" and mine.ranks[0].n < 40
    with pytest.raises(UsageError):
        dossier(engine, city, dalian(sample), PERIODS[1], tmp_path / "x.docx")


def test_cli_end_to_end(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'lrc.db'}")  # the store is made in-process; the commands run
    upgrade(engine)
    usccs = [str(u) for u in scored_sample(engine, tmp_path, 20, 8, "2026Q3")["uscc"]]
    engine.dispose()
    done = lrc(tmp_path, "dossier", usccs[0], "--period", "2026Q3", "--output", "one.pdf")
    assert done.stdout.strip().endswith("one.pdf") and (tmp_path / "one.pdf").read_bytes().startswith(b"%PDF")
    done = lrc(tmp_path, "dossier", "--enterprises", ",".join(usccs[:2]), "--output", "two.html")  # newest period
    page = (tmp_path / "two.html").read_text(encoding="utf-8")
    assert done.stdout.strip().endswith("two.html") and all(u in page for u in usccs[:2])
    for args in (
        [usccs[0], "--enterprises", usccs[1], "--output", "x.pdf"],
        ["91210000MA0000000X", "--output", "x.pdf"],
        ["--hearing", "999", "--output", "x.pdf"],
    ):
        failed = lrc(tmp_path, "dossier", *args, ok=False)
        assert failed.returncode != 0 and "Traceback" not in failed.stderr, args
        lines = [line for line in failed.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and re.search(r"[\u4e00-\u9fff]", lines[0]), failed.stderr
    assert not (tmp_path / "x.pdf").exists()
