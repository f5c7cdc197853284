"""Publications: frozen, numbered, hashed rankings under the publication policy, on SQLite and PostgreSQL;
who may publish; new versions; verification against a tampered store; the CLI end to end."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from indicators.publication_policy import POLICY_DIR, parse_policy
from lrc.errors import PermissionDenied
from lrc.publication.content import canonical_bytes, content_hash
from lrc.scope import Scope
from lrc.service import ranking
from lrc.service.access import Principal, Role
from lrc.service.publications import (
    competition_ranks,
    get_publication,
    list_publications,
    publish,
    verify_publication,
)
from lrc.service.records import receive_objects
from tests.conftest import ADMIN, StoreBuild, module_store_build, scored_sample
from tests.test_cli import lrc

PERIOD = "2026Q3"
PUBLISHER = Principal(name="pub", role=Role.publisher)


def _scored(engine: Engine, directory: Path) -> pd.DataFrame:
    return scored_sample(engine, directory, 60, 21, PERIOD)


store_build = module_store_build(_scored, "scored")


@pytest.fixture
def store(engine: Engine, store_build: StoreBuild) -> tuple[Engine, pd.DataFrame]:
    """A copy of a store of 60 scored sample enterprises."""
    return engine, store_build.value(engine)


def _blacklist(uscc: str) -> dict[str, str]:
    return {"uscc": uscc, "type": "WAGE_ARREARS_BLACKLIST", "date": "2026-08-03",
            "source": "沈阳市人力资源和社会保障局", "ref": "沈人社失信〔2026〕7号"}  # fmt: skip


def test_a_publication_freezes_the_current_ranking_with_its_lists(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, sample = store
    _, ranked = ranking(engine, ADMIN, PERIOD)
    listed = ranked["uscc"].iloc[10]
    receive_objects(engine, ADMIN, [_blacklist(listed)])  # rescored: the publication shows the new result
    _, ranked = ranking(engine, ADMIN, PERIOD)
    made = publish(engine, PUBLISHER, PERIOD)
    meta, content = get_publication(engine, ADMIN, made.id)
    assert meta.hash == made.hash == content_hash(content) and made.entries == len(sample) == len(content.entries)
    assert [e.uscc for e in content.entries] == ranked["uscc"].tolist()
    assert [e.total for e in content.entries] == ranked["total"].tolist()
    assert [e.rank for e in content.entries] == ranked["rank"].tolist()
    entry = next(e for e in content.entries if e.uscc == listed)
    assert entry.public_records and entry.public_records[0].ref == "沈人社失信〔2026〕7号"
    assert entry.rights_status.startswith("拖欠") or "名单" in entry.rights_status
    exposed = {x.uscc: x.reason for x in content.exposure}
    assert "沈人社失信〔2026〕7号" in exposed[listed] and "沈阳市人力资源和社会保障局" in exposed[listed]
    assert all(e.red_line for e in content.entries if e.uscc in exposed and e.uscc != listed)
    honour = {x.uscc for x in content.honour}
    assert honour and all(e.grade == "A" and not e.red_line for e in content.entries if e.uscc in honour)
    assert listed not in honour
    assert content.number.startswith("辽工信评〔") and content.issuer == "辽宁省总工会"
    assert any("异议" in f for f in content.footnotes) and content.catalogue_version in content.footnotes[0]
    words = json.dumps(content.model_dump(mode="json"), ensure_ascii=False)
    for internal in ("facts", "headcount", "evidence", "completeness", "submission"):
        assert internal not in words  # nothing the policy keeps private


def test_publishing_again_is_a_new_version_and_nothing_published_changes(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, _ = store
    first = publish(engine, PUBLISHER, PERIOD)
    city = publish(engine, PUBLISHER, PERIOD, scope="city:210100")
    second = publish(engine, PUBLISHER, PERIOD)
    assert (first.replaces, city.replaces, second.replaces) == (None, None, first.id)
    assert second.number != first.number and second.hash != first.hash  # its time and number differ
    listed = {p.id: p for p in list_publications(engine, ADMIN)}
    assert listed[first.id].replaced_by == second.id and listed[second.id].replaced_by is None
    offsets = {p.published_at.utcoffset() for p in listed.values()}  # one zone on both backends
    assert offsets == {timedelta(hours=8)}
    shown = listed[first.id].model_dump(mode="json")["published_at"]
    assert shown.endswith("+08:00") and "." not in shown  # to the second, as every time in JSON
    _, content = get_publication(engine, ADMIN, city.id)
    assert content.entries and all(e.city_code == "210100" for e in content.entries)
    for statement in ("UPDATE publications SET title = 'x'", "DELETE FROM publications"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


def test_only_province_publishers_and_admins_publish(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, _ = store
    for role in (Role.viewer, Role.analyst, Role.enterprise):
        with pytest.raises(PermissionDenied):
            publish(engine, Principal(name="x", role=role), PERIOD)
    with pytest.raises(PermissionDenied, match="全省"):
        publish(engine, Principal(name="dl", role=Role.publisher, scope=Scope("210200")), PERIOD)
    assert list_publications(engine, ADMIN) == []


def test_a_policy_decides_who_is_listed_and_what_is_shown(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, _ = store
    raw = yaml.safe_load((POLICY_DIR / "2026.1.yaml").read_text(encoding="utf-8"))
    raw.update(version="t", public_fields=["name", "uscc", "total", "grade", "city"],
               listed={"mode": "top", "top": 5, "also_grades": ["D"]})  # fmt: skip
    made = publish(engine, PUBLISHER, PERIOD, policy=parse_policy(raw))
    _, content = get_publication(engine, ADMIN, made.id)
    _, ranked = ranking(engine, ADMIN, PERIOD)
    expected = ranked[(ranked["rank"] <= 5) | (ranked["grade"] == "D")]["uscc"].tolist()
    assert [e.uscc for e in content.entries] == expected and content.policy_version == "t"
    assert all(e.level1 == {} and e.district == "" and e.size == "" and e.city for e in content.entries)


def test_competition_ranks() -> None:
    assert competition_ranks(pd.Series([900, 850, 850, 800, 800, 800, 10]).to_numpy()).tolist() == [1, 2, 2, 4, 4, 4, 7]


def _tamper(engine: Engine, statement: str, **values: object) -> None:
    """Change a stored row behind the append-only triggers, as someone with database access could."""
    table = statement.split()[1]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            conn.execute(text(statement), values)
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        else:
            triggers = conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": table}
            ).all()
            for name, _ in triggers:
                conn.execute(text(f"DROP TRIGGER {name}"))
            conn.execute(text(statement), values)
            for _, sql in triggers:
                conn.execute(text(sql))


def test_verify_recomputes_every_listed_result_and_names_the_first_that_differs(
    store: tuple[Engine, pd.DataFrame],
) -> None:
    engine, _ = store
    made = publish(engine, PUBLISHER, PERIOD)
    assert verify_publication(engine, ADMIN, made.id).verified
    _, content = get_publication(engine, ADMIN, made.id)
    victim = content.entries[7]
    run, enterprise = victim.result_id.split(":")
    _tamper(engine, "UPDATE score_results SET total = total + 50 WHERE run_id = :r AND enterprise_id = :e",
            r=int(run), e=int(enterprise))  # fmt: skip
    check = verify_publication(engine, ADMIN, made.id)
    assert not check.verified and check.hash_matches and check.mismatched[0] == victim.uscc


def test_verify_catches_a_changed_publication(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, _ = store
    made = publish(engine, PUBLISHER, PERIOD)
    _, content = get_publication(engine, ADMIN, made.id)
    changed = content.model_copy(update={"title": "改过的标题"})
    _tamper(engine, "UPDATE publications SET content = :body WHERE id = :id", body=canonical_bytes(changed).decode(),
            id=made.id)  # fmt: skip
    check = verify_publication(engine, ADMIN, made.id)
    assert not check.hash_matches and not check.verified
    assert hashlib.sha256(canonical_bytes(changed)).hexdigest() != made.hash


def _cli_store(tmp_path: Path, n: int, seed: int, hostile: str) -> tuple[str, pd.DataFrame]:
    """A store scored through the CLI (``n`` sample enterprises, the first named ``hostile``)."""
    from lrc.samples import generate, write_sample

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    lrc(tmp_path, "init", "--db", url)
    frame = generate(n, seed=seed, period=PERIOD)
    frame.loc[0, "name"] = hostile
    write_sample(frame, tmp_path / "s.csv")
    lrc(tmp_path, "ingest", str(tmp_path / "s.csv"), "--period", PERIOD, "--db", url)
    lrc(tmp_path, "score", "--period", PERIOD, "--db", url)
    return url, frame


def test_the_cli_end_to_end(tmp_path: Path) -> None:
    url, frame = _cli_store(tmp_path, 40, 3, "=HYPERLINK(\"http://x\")<script>有限公司")
    made = lrc(tmp_path, "publish", "--period", PERIOD, "--db", url)
    first = made.stdout.strip().splitlines()[-1]
    assert first.isdigit() and "SHA-256" in made.stdout
    again = json.loads(lrc(tmp_path, "publish", "--period", PERIOD, "--format", "json", "--db", url).stdout)
    assert set(again) == {"id", "hash", "period", "scope", "entries", "replaces"}
    assert again["replaces"] == int(first) and again["entries"] == 40 and again["scope"] == "province"
    listed = json.loads(lrc(tmp_path, "publications", "--format", "json", "--db", url).stdout)
    assert [p["id"] for p in listed] == [again["id"], int(first)] and listed[1]["replaced_by"] == again["id"]
    shown = json.loads(lrc(tmp_path, "publication", "show", first, "--format", "json", "--db", url).stdout)
    names = [e["name"] for e in shown["content"]["entries"]]
    assert frame.loc[0, "name"] in names and shown["hash"] == listed[1]["hash"]
    as_published = json.loads(lrc(tmp_path, "rank", "--period", PERIOD, "--published", "--format", "json",
                                  "--db", url).stdout)  # fmt: skip
    assert [r["uscc"] for r in as_published] == [e["uscc"] for e in shown["content"]["entries"]]
    assert not any(r["changed"] for r in as_published)
    newest = listed[0]  # each entry names the publication it comes from: the newest, not the one replaced
    keys = ("publication_id", "publication_number", "publication_title", "published_at")
    named = {tuple(r[k] for k in keys) for r in as_published}
    assert named == {(again["id"], newest["number"], newest["title"], newest["published_at"])}
    ok = lrc(tmp_path, "verify", "--publication", first, "--db", url)
    assert "复现" in ok.stdout
    from lrc.store import make_engine

    engine = make_engine(url)
    _, content = get_publication(engine, ADMIN, int(first))
    run, enterprise = content.entries[3].result_id.split(":")
    _tamper(engine, "UPDATE score_results SET grade = 'A', total = 999 WHERE run_id = :r AND enterprise_id = :e",
            r=int(run), e=int(enterprise))  # fmt: skip
    bad = lrc(tmp_path, "verify", "--publication", first, "--db", url, ok=False)
    assert bad.returncode == 8 and content.entries[3].uscc in bad.stdout
    refused = lrc(tmp_path, "publish", "--period", PERIOD, "--scope", "city:99", "--db", url, ok=False)
    assert refused.returncode == 2 and "发布范围" in refused.stderr and "Traceback" not in refused.stderr


def test_exports_and_the_credit_platform_exchange(tmp_path: Path) -> None:
    url, frame = _cli_store(tmp_path, 30, 8, "=cmd|' /C calc'!A0有限公司")
    pid = lrc(tmp_path, "publish", "--period", PERIOD, "--db", url).stdout.strip().splitlines()[-1]
    for suffix in ("csv", "xlsx", "html"):  # the same notice twice: the same bytes
        first, second = tmp_path / f"a.{suffix}", tmp_path / f"b.{suffix}"
        lrc(tmp_path, "publication", "export", pid, "--output", str(first), "--db", url)
        lrc(tmp_path, "publication", "export", pid, "--output", str(second), "--db", url)
        assert first.read_bytes() == second.read_bytes() and first.stat().st_size > 0
    lrc(tmp_path, "exchange", "export", "--publication", pid, "--output", str(tmp_path / "x.jsonl"), "--db", url)
    rows = [json.loads(line) for line in (tmp_path / "x.jsonl").read_text(encoding="utf-8").splitlines()]
    meta = json.loads(lrc(tmp_path, "publication", "show", pid, "--format", "json", "--db", url).stdout)
    assert [r["uscc"] for r in rows] == [e["uscc"] for e in meta["content"]["entries"]]
    assert {r["publication_hash"] for r in rows} == {meta["hash"]} and rows[0]["format"] == "lrc-credit-exchange/1"
    assert rows[0]["valid_until"] > rows[0]["evaluation_date"]
    lrc(tmp_path, "exchange", "export", "--publication", pid, "--output", str(tmp_path / "x.csv"), "--db", url)
    table = (tmp_path / "x.csv").read_bytes()
    assert table.startswith(b"\xef\xbb\xbf") and b"'=cmd|" in table  # never a formula
    uscc = frame["uscc"].iloc[1]
    feed = tmp_path / "feed.jsonl"
    good = {"uscc": uscc, "list_type": "wage_arrears_blacklist", "decision_date": "2026-08-09",
            "authority": "沈阳市人力资源和社会保障局", "document_no": "沈人社失信〔2026〕99号",
            "note": "SECRET-NOTE-4711 内部核查备注"}  # fmt: skip
    bad = {**good, "list_type": "not_a_list"}
    feed.write_text(json.dumps(good, ensure_ascii=False) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    refused = lrc(tmp_path, "exchange", "import", str(feed), "--db", url, ok=False)
    assert refused.returncode == 4 and "第 2 条记录" in refused.stderr and "list_type" in refused.stderr
    listed = json.loads(lrc(tmp_path, "records", "--uscc", uscc, "--format", "json", "--db", url).stdout)
    assert listed == []  # all or nothing
    twice = json.dumps(good, ensure_ascii=False)[:-1] + ', "decision_date": "2026-08-10"}'  # the last won, unsaid
    feed.write_text(twice + "\n" + json.dumps(good)[:-1] + ', "amount": NaN}\n', encoding="utf-8")
    refused = lrc(tmp_path, "exchange", "import", str(feed), "--db", url, ok=False)
    assert refused.returncode == 4 and "第 1 行" in refused.stderr and "出现了两次" in refused.stderr
    assert "第 2 行" in refused.stderr and "NaN" in refused.stderr
    feed.write_text(json.dumps(good, ensure_ascii=False) + "\n\n\n{broken\n", encoding="utf-8")
    broken = lrc(tmp_path, "exchange", "import", str(feed), "--db", url, ok=False)
    assert broken.returncode == 4 and "第 4 行" in broken.stderr  # the line it is on, blank lines counted
    feed.write_text(json.dumps(good, ensure_ascii=False) + "\n", encoding="utf-8")
    lrc(tmp_path, "exchange", "import", str(feed), "--db", url)
    lrc(tmp_path, "exchange", "import", str(feed), "--db", url)  # delivered again: not stored twice
    listed = json.loads(lrc(tmp_path, "records", "--uscc", uscc, "--format", "json", "--db", url).stdout)
    assert [r["ref"] for r in listed] == ["沈人社失信〔2026〕99号"] and listed[0]["type"] == "WAGE_ARREARS_BLACKLIST"
    # the public site from the store: the listing is public (with its number), the note is not
    newer = lrc(tmp_path, "publish", "--period", PERIOD, "--db", url).stdout.strip().splitlines()[-1]
    lrc(tmp_path, "site", "build", "--output", str(tmp_path / "site"), "--db", url)
    site = tmp_path / "site"
    shown = json.loads(lrc(tmp_path, "publication", "show", newer, "--format", "json", "--db", url).stdout)
    assert (site / "data" / f"{newer}.json.sha256").read_text().split()[0] == shown["hash"]
    everything = b"".join(p.read_bytes() for p in site.rglob("*") if p.is_file())
    assert "沈人社失信〔2026〕99号".encode() in everything and b"SECRET-NOTE-4711" not in everything
    assert b"headcount" not in everything and b"completeness" not in everything


def test_a_removal_delivered_again_is_answered_as_removed_before(
    store: tuple[Engine, pd.DataFrame], tmp_path: Path
) -> None:
    """A credit-platform removal delivered twice (naming its listing or not): the second stores nothing and
    says the listing was removed before, in its counts too (it said 新写入 0 条,已存在 0 条 both times, or
    refused the one without ``removes``)."""
    engine, sample = store
    url = engine.url.render_as_string(hide_password=False)
    uscc, authority, listing = sample["uscc"].iloc[5], "沈阳市人力资源和社会保障局", "沈人社失信〔2026〕61号"
    removal = {"uscc": uscc, "list_type": "removal", "decision_date": "2026-09-20", "authority": authority,
               "document_no": "沈人社移〔2026〕62号"}  # fmt: skip
    feeds = {
        "list.jsonl": {**removal, "list_type": "wage_arrears_blacklist", "decision_date": "2026-06-01",
                       "document_no": listing},
        "rm.jsonl": {**removal, "removes": listing},
        "rm-unnamed.jsonl": removal,
        "list-2.jsonl": {**removal, "list_type": "wage_arrears_blacklist", "decision_date": "2026-07-01",
                         "document_no": "沈人社失信〔2026〕63号"},
    }  # fmt: skip
    for name, item in feeds.items():
        (tmp_path / name).write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")

    def feed(name: str, *more: str) -> Any:
        return lrc(tmp_path, "exchange", "import", name, "--db", url, *more)

    record = json.loads(feed("list.jsonl", "--format", "json").stdout)["stored"][0]
    first = json.loads(feed("rm.jsonl", "--format", "json").stdout)
    assert (first["removed"], first["already_removed"], len(first["results"])) == ([record], [], 1)
    again = feed("rm.jsonl").stdout
    assert "移出名单 0 条,早已移出 1 条,重算 0 个结果" in again and f"未重复处理 (removed before):{record}" in again
    second = json.loads(feed("list-2.jsonl", "--format", "json").stdout)["stored"][0]  # a later listing stays
    unnamed = json.loads(feed("rm-unnamed.jsonl", "--format", "json").stdout)
    assert (unnamed["removed"], unnamed["already_removed"], unnamed["results"]) == ([], [record], [])
    deliveries = json.loads(lrc(tmp_path, "deliveries", "--format", "json", "--db", url).stdout)
    assert [(d["stored"], d["already"]) for d in deliveries[:4]] == [(0, 1), (1, 0), (0, 1), (1, 0)]
    listed = json.loads(lrc(tmp_path, "records", "--uscc", uscc, "--format", "json", "--db", url).stdout)
    assert [r["id"] for r in listed if r["live"]] == [second]


def test_a_feed_in_gbk_is_read_and_a_bad_byte_named_by_its_line(
    store: tuple[Engine, pd.DataFrame], tmp_path: Path
) -> None:
    """A JSON Lines feed saved in GBK (as a Chinese Windows system writes one) is read as a CSV is; a byte that
    decodes in nothing is named by its line. It was read as UTF-8 only: "无法读取 (UnicodeDecodeError)", naming
    no line and no encoding."""
    engine, sample = store
    url = engine.url.render_as_string(hide_password=False)
    uscc = sample["uscc"].iloc[7]
    entry = {"uscc": uscc, "list_type": "wage_arrears_blacklist", "decision_date": "2026-08-11",
             "authority": "大连市人力资源和社会保障局", "document_no": "大人社失信〔2026〕5号"}  # fmt: skip
    feed = tmp_path / "gbk.jsonl"
    feed.write_bytes((json.dumps(entry, ensure_ascii=False) + "\n").encode("gbk"))
    lrc(tmp_path, "exchange", "import", str(feed), "--db", url)
    listed = json.loads(lrc(tmp_path, "records", "--uscc", uscc, "--format", "json", "--db", url).stdout)
    assert [(r["ref"], r["source"]) for r in listed] == [("大人社失信〔2026〕5号", "大连市人力资源和社会保障局")]
    line = json.dumps({**entry, "document_no": "大人社失信〔2026〕6号"}, ensure_ascii=False).encode("gbk")
    feed.write_bytes(line + b"\n" + line + b"\n" + line.replace("6号".encode("gbk"), b"\xff\xff") + b"\n")
    refused = lrc(tmp_path, "exchange", "import", str(feed), "--db", url, ok=False)
    assert refused.returncode == 4 and "第 3 行" in refused.stderr and "UnicodeDecodeError" not in refused.stderr
