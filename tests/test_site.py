"""The public disclosure site: built from publications' public content only, byte for byte the same on every
build, each data file checkable against its hash, a tampered store refused, hostile names shown as text,
nothing internal in any file; and in Chromium from file://, search and filters work, the pages read on a
phone, and no request leaves the page."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from lrc.publication.commitments import Commitment
from lrc.publication.content import Entry, ListEntry, PublicationContent, PublicRecord, canonical_bytes, content_hash
from lrc.site import SiteError, SiteSummary, build_site
from lrc.uscc import make_uscc

SECRET = "机密SEED-7Q3X-13800000000"  # seeded into internal fields only; must be in no file of the site
HOSTILE = "<img src=x onerror=alert(1)>有限公司"
BREAKOUT = "</script><script>alert(2)</script>\"'&amp;劳务公司"
INTERNAL_NAMES = [  # store columns and submission fields a publication must never carry
    "facts", "gaps", "evidence", "note", "headcount", "completeness", "legal_representative", "contact_phone",
    "content_hash", "input_hash", "source_row", "file_name", "submission_id", "submitted_at", "cause_record_id",
    "enterprise_id", "uscc_override", "actor", "created_by", "revoked_by", "user_id", "password", "password_hash",
    "token", "token_hash", "failed_logins", "locked_until", "idempotency_key", "tier", "workers",
]  # fmt: skip
LEVEL1 = {
    "A": "企业基本信息", "B": "依法用工", "C": "调解机制", "D": "劳动保障机制",
    "E": "民主管理", "F": "工会组织", "G": "社会责任", "H": "荣誉及惩戒",
}  # fmt: skip


def firm(n: int, name: str, city: tuple[str, str], district: tuple[str, str], industry: tuple[str, str]) -> dict:
    """An enterprise as the store holds it: its public identity and internal data beside it."""
    return {
        "uscc": make_uscc(district[0], f"MA0LN00{n}"),
        "name": name,
        "city_code": city[0],
        "city": city[1],
        "region_code": district[0],
        "district": district[1],
        "industry": industry[0],
        "industry_name": industry[1],
        "size": "中型",
        "ownership": "私营",
        "headcount": 350,
        "legal_representative": SECRET,
        "facts": {"wage_arrears_cases": 2, "note": SECRET},
        "evidence": [f"扫描件-{SECRET}.pdf"],
        "note": SECRET,
    }


SHENYANG, DALIAN, ANSHAN = ("210100", "沈阳市"), ("210200", "大连市"), ("210300", "鞍山市")
FIRMS = [
    firm(1, "沈阳和平精密机械有限公司", SHENYANG, ("210102", "和平区"), ("C", "制造业")),
    firm(2, HOSTILE, DALIAN, ("210202", "中山区"), ("F", "批发和零售业")),
    firm(3, BREAKOUT, DALIAN, ("210203", "西岗区"), ("C", "制造业")),
    firm(4, "鞍山钢花建筑工程有限公司", ANSHAN, ("210302", "铁东区"), ("E", "建筑业")),
    firm(5, "沈阳浑南云图软件有限公司", SHENYANG, ("210112", "浑南区"), ("I", "信息传输、软件和信息技术服务业")),
    firm(6, "大连港湾物流有限公司", DALIAN, ("210204", "沙河口区"), ("G", "交通运输、仓储和邮政业")),
]
BLACKLIST = PublicRecord(
    type="WAGE_ARREARS_BLACKLIST",
    name_zh="列入拖欠农民工工资失信联合惩戒对象名单",
    decision_date="2026-08-20",
    source="大连市人力资源和社会保障局",
    ref="大人社失信〔2026〕12号",
    display_until="2029-08-20",
)
LISTED = "列入拖欠农民工工资失信联合惩戒对象名单"
OBJECTION = "企业已提出异议,正在复核"


def entry(f: dict, total: float, grade: str, **standing: Any) -> Entry:
    """The public part of ``f`` and its result (rank filled in by ``ranked``)."""
    public = {key: value for key, value in f.items() if key in Entry.model_fields}
    level1 = {code: round(total / 8, 1) for code in LEVEL1}
    fields = {"rank": 1, "result_id": f"7:{f['uscc'][-6:]}", "total": total, "grade": grade, "level1": level1}
    return Entry(**public, **fields, **{"red_line": False, "rights_status": "正常", **standing})


def ranked(entries: list[Entry]) -> list[Entry]:
    """By total, highest first; ties share a rank (1, 2, 2, 4)."""
    ordered = sorted(entries, key=lambda e: -e.total)
    ranks = [1]
    for i in range(1, len(ordered)):
        ranks.append(ranks[-1] if ordered[i].total == ordered[i - 1].total else i + 1)
    return [e.model_copy(update={"rank": r}) for e, r in zip(ordered, ranks, strict=True)]


def listed(e: Entry, reason: str) -> ListEntry:
    return ListEntry(uscc=e.uscc, name=e.name, city=e.city, grade=e.grade, total=e.total, reason=reason)


def publication(number: str, period: str, published_at: str, entries: list[Entry], **more: Any) -> PublicationContent:
    entries = ranked(entries)
    exposed = [listed(e, f"{LISTED}({BLACKLIST.source} {BLACKLIST.ref})") for e in entries if e.red_line]
    fields = {
        "number": number,
        "title": f"{period} 企业劳动关系信用评价结果公告",
        "issuer": "辽宁省总工会",
        "period": period,
        "scope": "province",
        "scope_zh": "全省",
        "catalogue_version": "2027.1",
        "catalogue_hash": "c" * 64,
        "policy_version": "2026.1",
        "run_id": 7,
        "published_at": published_at,
        "publisher": "辽宁省总工会法律工作部",
        "level1_names": LEVEL1,
        "entries": entries,
        "honour": [listed(e, "评价等级为 A(和谐),无不良记录") for e in entries if e.grade == "A"],
        "exposure": exposed,
        "footnotes": ["依据指标体系 2027.1 评价。", "对结果有异议的,可于公告之日起 15 个工作日内书面提出。"],
    }
    return PublicationContent(**{**fields, **more})


def contents() -> dict[int, PublicationContent]:
    f1, f2, f3, f4, f5, f6 = FIRMS
    red = {"red_line": True, "rights_status": LISTED, "public_records": [BLACKLIST]}
    q3 = [entry(f1, 91.5, "A"), entry(f2, 78.0, "B"), entry(f3, 41.0, "D", **red), entry(f4, 66.5, "C")]
    q3 += [entry(f5, 88.0, "A"), entry(f6, 72.5, "B")]
    q4 = [entry(f1, 90.0, "A"), entry(f2, 80.5, "B"), entry(f4, 61.0, "C"), entry(f5, 86.5, "A")]
    contested = entry(f3, 38.5, "D", **red, objection=OBJECTION)
    settled = entry(f3, 44.0, "D", **red)
    dalian = publication(
        "辽工信评〔2027〕1号", "2026Q4", "2027-01-10T09:30:00+08:00", [q4[1], contested],
        scope="city:210200", scope_zh="大连市",
    )  # fmt: skip
    return {
        1: publication("辽工信评〔2026〕3号", "2026Q3", "2026-10-15T10:00:00+08:00", q3),
        2: publication("辽工信评〔2027〕2号", "2026Q4", "2027-01-15T10:00:00+08:00", [*q4, contested]),
        3: publication("辽工信评〔2027〕3号", "2026Q4", "2027-01-20T10:00:00+08:00", [*q4, settled], replaces=2),
        4: dalian,
    }


PLAN_ACTION = "与全体职工补签书面劳动合同"


def commitments() -> list[Commitment]:
    """Plan actions of two listed enterprises (one with a hostile action text) and of one never listed."""
    heard = {"hearing_title": "大连市制造业集体听证", "hearing_date": "2026-10-15", "item_code": "B1.1.1",
             "item_name_zh": "劳动合同签订率"}  # fmt: skip
    return [
        Commitment(uscc=FIRMS[2]["uscc"], **heard, action=PLAN_ACTION, due="2026-12-31", status_zh="已完成"),
        Commitment(uscc=FIRMS[2]["uscc"], **{**heard, "item_code": "D1.1.1", "item_name_zh": "社会保险"},
                   action="补缴社会保险", due="2026-11-30", status_zh="逾期"),  # fmt: skip
        Commitment(uscc=FIRMS[1]["uscc"], **heard, action=HOSTILE, due="2027-03-31", status_zh="进行中"),
        Commitment(uscc=make_uscc("210202", "MA0LN009"), **heard, action="不在任何发布中", due="2027-03-31",
                   status_zh="进行中"),  # fmt: skip
    ]


def stored() -> list[tuple[int, PublicationContent, str]]:
    return [(pub_id, content, content_hash(content)) for pub_id, content in contents().items()]


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("site") / "公示"
    build_site(stored(), output, commitments=commitments())
    return output


# ---- files ----


def test_the_site_has_an_index_a_page_per_publication_and_per_enterprise(tmp_path: Path) -> None:
    summary = build_site(stored(), tmp_path / "site")
    files = set(tree(tmp_path / "site"))
    assert summary == SiteSummary(output=tmp_path / "site", publications=4, enterprises=6, files=len(files))
    assert {"index.html", "assets/site.css", "assets/site.js"} <= files
    for pub_id in contents():
        assert {f"p/{pub_id}.html", f"data/{pub_id}.json", f"data/{pub_id}.json.sha256"} <= files
    assert {f"e/{f['uscc']}.html" for f in FIRMS} == {name for name in files if name.startswith("e/")}


def test_each_data_file_is_the_canonical_content_and_its_sha256_is_the_stored_hash(site: Path) -> None:
    for pub_id, content in contents().items():
        data = (site / "data" / f"{pub_id}.json").read_bytes()
        assert data == canonical_bytes(content)
        assert PublicationContent.model_validate_json(data) == content
        digest = content_hash(content)
        assert hashlib.sha256(data).hexdigest() == digest
        assert (site / "data" / f"{pub_id}.json.sha256").read_text() == f"{digest}  {pub_id}.json\n"
        assert digest in (site / "p" / f"{pub_id}.html").read_text()
    if shutil.which("sha256sum"):
        names = [f"{pub_id}.json.sha256" for pub_id in contents()]
        checked = subprocess.run(["sha256sum", "-c", *names], cwd=site / "data", capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_same_publications_give_the_same_bytes(tmp_path: Path) -> None:
    build_site(stored(), tmp_path / "a")
    build_site(list(reversed(stored())), tmp_path / "b")
    first = tree(tmp_path / "a")
    assert tree(tmp_path / "b") == first
    build_site(stored(), tmp_path / "a")  # over the earlier site
    assert tree(tmp_path / "a") == first
    assert not any("生成于".encode() in data for data in first.values())  # no clock in the pages
    build_site(stored(), tmp_path / "c", built_at="2027-01-21 08:00")
    assert "本站生成于 2027-01-21 08:00" in (tmp_path / "c" / "index.html").read_text()


def test_a_content_that_does_not_match_its_stored_hash_is_not_published(tmp_path: Path) -> None:
    good = stored()
    build_site(good, tmp_path / "site")
    before = tree(tmp_path / "site")
    pub_id, content, digest = good[2]
    raised = content.model_copy(update={"entries": [e.model_copy(update={"total": 99.9}) for e in content.entries]})
    for bad in [(pub_id, raised, digest), (pub_id, content, "0" * 64), (pub_id, content, digest.upper())]:
        with pytest.raises(SiteError, match=re.escape(f"发布 3({content.number})的内容与存档的哈希值不符")):
            build_site([*good[:2], bad, good[3]], tmp_path / "site")
        assert tree(tmp_path / "site") == before  # the earlier site stays as it was
    with pytest.raises(SiteError):
        build_site([bad], tmp_path / "new")
    assert not (tmp_path / "new").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging folder left behind


def test_an_enterprise_code_that_is_not_a_uscc_is_refused(tmp_path: Path) -> None:
    content = contents()[1]
    escape = content.model_copy(
        update={"entries": [content.entries[0].model_copy(update={"uscc": "../../index"}), *content.entries[1:]]}
    )
    with pytest.raises(SiteError, match="统一社会信用代码"):
        build_site([(1, escape, content_hash(escape))], tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_a_folder_that_is_not_an_earlier_site_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "thesis.txt").write_text("mine")
    with pytest.raises(SiteError, match="不是空文件夹"):
        build_site(stored(), tmp_path / "docs")
    assert tree(tmp_path / "docs") == {"thesis.txt": b"mine"}
    (tmp_path / "empty").mkdir()
    build_site(stored(), tmp_path / "empty")
    build_site([stored()[3]], tmp_path / "empty")  # a rebuild drops what is no longer published
    assert sorted(p.name for p in (tmp_path / "empty" / "e").iterdir()) == sorted(
        f"{FIRMS[i]['uscc']}.html" for i in (1, 2)
    )
    assert not (tmp_path / "empty" / "p" / "1.html").exists()


def test_an_empty_store_gives_an_index_saying_so(tmp_path: Path) -> None:
    summary = build_site([], tmp_path / "site")
    assert (summary.publications, summary.enterprises) == (0, 0)
    assert "尚无发布" in (tmp_path / "site" / "index.html").read_text()


# ---- what the pages say ----


def test_the_index_lists_publications_newest_first_and_marks_the_superseded(site: Path) -> None:
    index = (site / "index.html").read_text()
    assert [int(n) for n in re.findall(r'<th scope="row"><a href="p/(\d+)\.html"', index)] == [3, 2, 4, 1]
    row = next(r for r in index.split("<tr") if 'href="p/2.html"' in r)
    assert 'class="superseded"' in row and '已被 <a href="p/3.html">辽工信评〔2027〕3号</a> 取代' in row
    current = next(r for r in index.split("<tr") if '<th scope="row"><a href="p/3.html">' in r)
    assert "现行" in current and "全省" in current and "2027-01-20" in current and "<td>5</td>" in current
    assert '本发布已被 <a href="../p/3.html">辽工信评〔2027〕3号</a> 取代' in (site / "p" / "2.html").read_text()
    assert '本发布取代 <a href="../p/2.html">辽工信评〔2027〕2号</a>' in (site / "p" / "3.html").read_text()


def test_a_publication_page_has_its_ranking_lists_footnotes_and_hash(site: Path) -> None:
    page = (site / "p" / "1.html").read_text()
    ranking = page.split('id="ranking"')[1].split("</table>")[0]
    names = re.findall(r'<th scope="row"><a href="\.\./e/\w+\.html">([^<]*)</a>', ranking)
    assert len(names) == 6 and names[0] == "沈阳和平精密机械有限公司"
    for label in ['<h2 id="honour">红榜</h2>', '<h2 id="exposure">曝光台</h2>', "对结果有异议的", "JSON"]:
        assert label in page or label.replace("JSON", "1.json") in page
    honour = page.split('id="honour"')[1].split("</section>")[0]
    assert "沈阳浑南云图软件有限公司" in honour and "大连港湾物流有限公司" not in honour
    exposure = page.split('id="exposure"')[1].split("</section>")[0]
    assert "大人社失信〔2026〕12号" in exposure
    assert 'href="../data/1.json"' in page and 'href="../data/1.json.sha256"' in page
    assert all(f'<th scope="col">{name}</th>' in page for name in LEVEL1.values())


def test_an_enterprise_page_shows_its_standing_records_and_history(site: Path) -> None:
    f3 = FIRMS[2]
    page = (site / "e" / f"{f3['uscc']}.html").read_text()
    standing = page.split('id="standing"')[1].split("</section>")[0]
    assert "辽工信评〔2027〕3号" in standing  # the newest in force, not the superseded one
    assert "44.0" in standing and LISTED in standing and "无正在处理的异议" in standing
    assert all(f"{code} {name}" in standing for code, name in LEVEL1.items())
    records = page.split('id="records"')[1].split("</section>")[0]
    assert "大人社失信〔2026〕12号" in records and "2029-08-20" in records
    history = page.split('id="history"')[1].split("</section>")[0]
    rows = re.findall(r'href="\.\./p/(\d+)\.html"', history)
    assert rows == ["3", "2", "4", "1"]
    assert "已被取代" in history and "38.5" in history and "大连市" in history
    assert "曝光台" in page.split('id="lists"')[1]
    assert OBJECTION not in standing and OBJECTION in (site / "p" / "2.html").read_text()


def test_an_enterprise_page_shows_its_plan_commitments(site: Path) -> None:
    page = (site / "e" / f"{FIRMS[2]['uscc']}.html").read_text()
    plan = page.split('id="plan"')[1].split("</section>")[0]
    rows = plan.split("<tr")[2:]
    assert ["补缴社会保险" in rows[0], PLAN_ACTION in rows[1]] == [True, True]  # by due date
    assert all(text in plan for text in ("大连市制造业集体听证", "2026-10-15", "B1.1.1 劳动合同签订率", "2026-12-31"))
    assert "已完成" in rows[1] and "逾期" in rows[0]
    assert 'id="plan"' not in (site / "e" / f"{FIRMS[0]['uscc']}.html").read_text()  # no plan: no section
    assert not (site / "e" / f"{make_uscc('210202', 'MA0LN009')}.html").exists()  # listed nowhere: no page
    assert "&lt;img src=x" in (site / "e" / f"{FIRMS[1]['uscc']}.html").read_text().split('id="plan"')[1]


def test_hostile_names_show_as_text(site: Path) -> None:
    pages = [site / "p" / "1.html", site / "e" / f"{FIRMS[1]['uscc']}.html", site / "e" / f"{FIRMS[2]['uscc']}.html"]
    for path in pages:
        raw = path.read_text()
        assert "<img src=x" not in raw and "<script>alert" not in raw and "</script><script>" not in raw
    assert "&lt;img src=x onerror=alert(1)&gt;有限公司" in pages[0].read_text()
    assert "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;&quot;&#x27;&amp;amp;劳务公司" in pages[0].read_text()
    assert "<title>&lt;img src=x onerror=alert(1)&gt;有限公司 - " in pages[1].read_text()


def test_pages_are_semantic_chinese_and_self_contained(site: Path) -> None:
    for path in sorted(site.rglob("*.html")):
        raw = path.read_text()
        assert raw.startswith('<!DOCTYPE html>\n<html lang="zh-CN">'), path
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in raw
        assert all(tag in raw for tag in ("<header", "<nav", "<main>", "<h1>", "<footer"))
        assert "<script>" not in raw and " style=" not in raw  # nothing inline: the page's policy allows neither
        for target in re.findall(r'(?:href|src)="([^"]*)"', raw):
            assert not re.match(r"[a-z]+:|//|/", target), f"{path}: {target} is not relative"
            assert (path.parent / target).resolve().is_file(), f"{path}: {target} is missing"
    for path in [*site.rglob("*.html"), *site.rglob("*.css"), *site.rglob("*.js")]:
        assert not re.search(r"https?:|//[a-z]|@import|url\(", path.read_text()), path


# ---- nothing internal ----


def test_no_internal_field_or_seeded_secret_is_in_any_file(site: Path) -> None:
    with pytest.raises(ValidationError):  # a content cannot even carry them: the builder is given only content
        Entry(**{**entry(FIRMS[0], 90.0, "A").model_dump(), "headcount": 350, "note": SECRET})
    with pytest.raises(ValidationError):  # … nor can a plan commitment
        Commitment(**{**commitments()[0].model_dump(), "note": SECRET, "evidence_name": f"{SECRET}.pdf"})
    names = re.compile(r"(?<![\w-])(" + "|".join(INTERNAL_NAMES) + r")(?![\w-])")
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        assert SECRET not in text and "13800000000" not in text, path
        assert not names.search(text), f"{path}: {names.search(text)}"


# ---- in the browser ----


@pytest.fixture(scope="module")
def browser_tab() -> Iterator[tuple[Any, list[str], list[str]]]:
    """A Chromium tab; every URL it requests, and every dialog, page error and console error it meets."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.browser_support import launch

    urls: list[str] = []
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        tab = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        tab.on("request", lambda request: urls.append(request.url))
        tab.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        tab.on("console", lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None)
        yield tab, urls, problems
        browser.close()


def visible_names(tab: Any) -> list[str]:
    return tab.eval_on_selector_all(
        "#ranking tbody tr:not([hidden]) th[scope=row] a", "links => links.map(a => a.textContent)"
    )


@pytest.mark.browser
def test_search_filters_and_links_work_from_file_and_nothing_leaves_the_page(
    site: Path, browser_tab: tuple[Any, list[str], list[str]]
) -> None:
    tab, urls, problems = browser_tab
    tab.goto((site / "index.html").as_uri())
    tab.get_by_role("heading", name="企业劳动关系信用评价公示").wait_for()
    tab.get_by_role("link", name="辽工信评〔2027〕3号").first.click()
    tab.wait_for_url("**/p/3.html")
    search = tab.get_by_label("搜索")
    search.wait_for()  # shown once the script has set the form up
    assert len(visible_names(tab)) == 5
    assert tab.locator("output").text_content() == "显示 5 / 5 家"
    search.fill("浑南")
    assert visible_names(tab) == ["沈阳浑南云图软件有限公司"]
    search.fill(FIRMS[3]["uscc"][-8:].lower())  # part of a code, in lower case
    assert visible_names(tab) == ["鞍山钢花建筑工程有限公司"]
    search.fill("<img")
    assert visible_names(tab) == [HOSTILE]
    search.fill("没有这家企业")
    assert visible_names(tab) == [] and tab.get_by_text("没有符合条件的企业。").is_visible()
    search.fill("")
    tab.get_by_label("城市").select_option(label="大连市")
    assert sorted(visible_names(tab)) == sorted([HOSTILE, BREAKOUT])
    tab.get_by_label("等级").select_option("D")
    assert visible_names(tab) == [BREAKOUT]
    tab.get_by_role("button", name="清除").click()
    tab.get_by_label("行业").select_option("C")
    assert sorted(visible_names(tab)) == sorted(["沈阳和平精密机械有限公司", BREAKOUT])
    tab.locator("#ranking").get_by_role("link", name=BREAKOUT).click()
    tab.wait_for_url(f"**/e/{FIRMS[2]['uscc']}.html")
    assert tab.get_by_role("heading", level=1).text_content() == BREAKOUT
    assert tab.get_by_role("heading", name="历次发布").is_visible()
    tab.get_by_role("link", name="首页").click()
    tab.wait_for_url("**/index.html")
    assert urls and all(url.startswith("file:") for url in urls), [u for u in urls if not u.startswith("file:")]
    assert any(url.endswith("assets/site.js") for url in urls)
    assert problems == []  # no alert from a hostile name, no script error, no blocked resource


@pytest.mark.browser
def test_pages_read_on_a_phone(site: Path, browser_tab: tuple[Any, list[str], list[str]]) -> None:
    tab, urls, problems = browser_tab
    tab.set_viewport_size({"width": 390, "height": 844})
    try:
        for path in ["index.html", "p/1.html", f"e/{FIRMS[2]['uscc']}.html"]:
            tab.goto((site / path).as_uri())
            tab.get_by_role("heading", level=1).wait_for()
            width = tab.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 390, f"{path}: the page is {width}px wide"
        tab.goto((site / "p" / "1.html").as_uri())
        box = tab.locator(".table-scroll").first
        assert box.evaluate("el => el.scrollWidth > el.clientWidth")
        assert box.evaluate("el => { el.scrollLeft = 120; return el.scrollLeft; }") > 0
        assert tab.get_by_label("搜索").bounding_box()["width"] <= 390
    finally:
        tab.set_viewport_size({"width": 1280, "height": 900})
    assert all(url.startswith("file:") for url in urls) and problems == []


@pytest.mark.browser
def test_a_long_ranking_shows_a_hundred_rows_at_a_time(
    tmp_path: Path, browser_tab: tuple[Any, list[str], list[str]]
) -> None:
    tab, urls, problems = browser_tab
    many = [{**FIRMS[i % 6], "uscc": make_uscc("210102", f"MB{i:06d}"), "name": f"第{i}号企业"} for i in range(250)]
    content = publication("辽工信评〔2027〕9号", "2027Q1", "2027-04-15T10:00:00+08:00", [
        entry(f, 30 + i / 10, "ABCD"[i % 4]) for i, f in enumerate(many)
    ])  # fmt: skip
    build_site([(9, content, content_hash(content))], tmp_path / "site")
    raw = (tmp_path / "site" / "p" / "9.html").read_text()
    assert raw.split('id="ranking"')[1].split("</table>")[0].count("<tr data-city") == 250  # all, without a script
    tab.goto((tmp_path / "site" / "p" / "9.html").as_uri())
    tab.get_by_label("搜索").wait_for()
    assert len(visible_names(tab)) == 100 and tab.locator("output").text_content() == "显示 100 / 250 家"
    tab.get_by_role("button", name="再显示 100 家").click()
    tab.get_by_role("button", name="再显示 100 家").click()
    assert len(visible_names(tab)) == 250 and not tab.get_by_role("button", name="再显示 100 家").is_visible()
    tab.get_by_label("等级").select_option("A")  # a new filter starts at the first hundred again
    assert len(visible_names(tab)) == 63 and tab.locator("output").text_content() == "显示 63 / 63 家(共 250 家)"
    tab.get_by_label("搜索").fill("第24")
    assert visible_names(tab) == ["第248号企业", "第244号企业", "第240号企业", "第24号企业"]
    assert all(url.startswith("file:") for url in urls) and problems == []
