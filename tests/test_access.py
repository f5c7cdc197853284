"""Accounts, roles, scope and the audit log, through the service layer on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select, text

from lrc.errors import ConflictError, InputValidationError, NotFoundError, PermissionDenied, UsageError
from lrc.samples import write_sample
from lrc.scope import Scope
from lrc.service import accounts, explain, ingest_file, load_results, ranking, score_period
from lrc.service.access import PERMISSIONS, Action, Principal, Role, permitted
from lrc.service.analytics import enterprise_trend, packed_matrix
from lrc.service.audit import audit_log, refusal
from lrc.service.record_views import list_records
from lrc.service.records import add_record
from lrc.store import accounts as account_store
from lrc.store import make_engine
from lrc.store.tables import ApiToken, User
from lrc.times import today_in_china
from tests.conftest import ADMIN, StoreBuild, module_store_build, office_accounts, scored_sample
from tests.test_cli import lrc

PERIOD = "2026Q3"
DALIAN = "210200"
# what each role may do, written out independently of lrc.service.access.PERMISSIONS
EXPECTED = {
    Role.viewer: {"read", "export", "verify", "login"},
    Role.analyst: {
        "read", "export", "ingest", "score", "record", "watchlist", "alert", "verify", "forecast", "login", "hearing",
        "object", "decide",
    },
    Role.publisher: {
        "read", "export", "ingest", "score", "record", "watchlist", "alert", "verify", "forecast", "publish", "login",
        "hearing", "object", "decide",
    },
    Role.admin: {a.value for a in Action},
    Role.enterprise: {"read", "export", "ingest", "object", "login"},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_the_permission_table(role: Role, action: Action) -> None:
    assert permitted(role, action) == (action.value in EXPECTED[role])
    who = Principal(name="x", role=role)
    assert (refusal(who, action) is None) == (action.value in EXPECTED[role])


def test_province_wide_actions_need_the_province() -> None:
    city = Principal(name="x", role=Role.analyst, scope=Scope(DALIAN))
    assert refusal(city, Action.score) is not None and "全省" in (refusal(city, Action.score) or "")
    assert refusal(city, Action.ingest) is None and refusal(city, Action.record) is None
    assert set(PERMISSIONS) == set(Action)


def _office(engine: Engine, directory: Path) -> pd.DataFrame:
    """90 sample enterprises (several cities), scored; an admin, a Dalian analyst, a viewer."""
    sample = scored_sample(engine, directory, 90, 8, PERIOD)
    office_accounts(engine)
    return sample


store_build = module_store_build(_office, "office")


@pytest.fixture
def store(engine: Engine, store_build: StoreBuild) -> tuple[Engine, pd.DataFrame]:
    """A copy of the office's store: 90 sample enterprises (several cities), scored; an admin, a Dalian
    analyst, a viewer."""
    return engine, store_build.value(engine)


def who(engine: Engine, name: str) -> Principal:
    return accounts.acting(engine, name)


def test_single_user_mode_until_the_first_account(engine: Engine) -> None:
    assert accounts.acting(engine, None).single_user
    with pytest.raises(ConflictError, match="管理员"):
        accounts.add_user(engine, ADMIN, "first", "viewer", "viewer-pass")
    accounts.add_user(engine, ADMIN, "first", "admin", "admin-pass")
    with pytest.raises(PermissionDenied, match="--as"):
        accounts.acting(engine, None)
    with pytest.raises(PermissionDenied, match="不存在"):
        accounts.acting(engine, "nobody")
    assert accounts.acting(engine, "first").role is Role.admin


def test_lrc_hashes_at_the_library_s_recommended_cost(tmp_path: Path) -> None:
    """tests/conftest.py hashes at the lowest cost in the test processes: a real `lrc` process is held to
    argon2's recommended cost here."""
    from argon2 import PasswordHasher

    url = f"sqlite:///{tmp_path / 'lrc.db'}"
    lrc(tmp_path, "init", "--db", url)
    lrc(tmp_path, "user", "add", "boss", "--role", "admin", "--password-stdin", "--db", url,
        stdin="boss-password\n", process=True)  # fmt: skip
    with make_engine(url).connect() as conn:
        stored = conn.scalar(select(User.password_hash).where(User.name == "boss"))
    recommended = PasswordHasher()
    cost = (recommended.memory_cost, recommended.time_cost, recommended.parallelism)
    assert cost[0] >= 65536 and stored.startswith("$argon2id$v=19$m={},t={},p={}$".format(*cost)), stored


def test_passwords_are_argon2_hashes(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, _ = store
    with engine.connect() as conn:
        stored = conn.scalar(select(User.password_hash).where(User.name == "dl"))
    assert stored.startswith("$argon2id$") and "dalian-pass" not in stored
    assert accounts.login(engine, "dl", "dalian-pass", "dashboard").scope == Scope(DALIAN)
    with pytest.raises(PermissionDenied, match="用户名或密码错误"):
        accounts.login(engine, "dl", "wrong-pass", "dashboard")
    with pytest.raises(PermissionDenied, match="用户名或密码错误"):  # the same words for an unknown user
        accounts.login(engine, "ghost", "dalian-pass", "dashboard")


def test_five_wrong_passwords_lock_the_account(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, _ = store
    for attempt in range(4):
        with pytest.raises(PermissionDenied, match="用户名或密码错误"):
            accounts.login(engine, "vv", f"wrong-{attempt}", "dashboard", "10.0.0.7")
    with pytest.raises(PermissionDenied, match="锁定"):
        accounts.login(engine, "vv", "wrong-5", "dashboard", "10.0.0.7")
    with pytest.raises(PermissionDenied, match="锁定"):  # the right password does not open it now
        accounts.login(engine, "vv", "viewer-pass", "dashboard")
    with engine.connect() as conn:
        locked = conn.scalar(select(User.locked_until).where(User.name == "vv"))
    assert locked is not None
    denied = audit_log(engine, who(engine, "boss"), user="vv", action="login", outcome="denied")
    assert len(denied) == 6 and "locked" in (denied[1].detail or "") and denied[-1].address == "10.0.0.7"
    accounts.enable_user(engine, who(engine, "boss"), "vv")  # an admin lifts it
    assert accounts.login(engine, "vv", "viewer-pass", "dashboard").role is Role.viewer


def test_a_lock_ends_after_its_time(store: tuple[Engine, pd.DataFrame], monkeypatch: pytest.MonkeyPatch) -> None:
    engine, _ = store
    monkeypatch.setattr(accounts, "LOCKOUT", timedelta(seconds=0))
    for attempt in range(5):
        with pytest.raises(PermissionDenied):
            accounts.login(engine, "vv", f"wrong-{attempt}", "dashboard")
    assert accounts.login(engine, "vv", "viewer-pass", "dashboard").name == "vv"


def test_tokens_are_stored_hashed_and_stop_working_when_revoked(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, _ = store
    boss = who(engine, "boss")
    made = accounts.create_token(engine, boss, "dl", "exchange")
    with engine.connect() as conn:
        stored = conn.execute(select(ApiToken.token_hash, ApiToken.label)).one()
    assert made.token not in stored.token_hash and len(stored.token_hash) == 64 and stored.label == "exchange"
    assert accounts.token_principal(engine, made.token).scope == Scope(DALIAN)
    with pytest.raises(PermissionDenied):
        accounts.token_principal(engine, made.token + "x")
    accounts.revoke_token(engine, boss, made.id)
    with pytest.raises(PermissionDenied, match="吊销"):
        accounts.token_principal(engine, made.token)
    assert [t.revoked_at is not None for t in accounts.list_tokens(engine, boss)] == [True]


def test_a_disabled_user_and_their_tokens_stop(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, _ = store
    boss = who(engine, "boss")
    made = accounts.create_token(engine, boss, "vv")
    accounts.disable_user(engine, boss, "vv")
    with pytest.raises(PermissionDenied):
        accounts.acting(engine, "vv")
    with pytest.raises(PermissionDenied):
        accounts.token_principal(engine, made.token)
    with pytest.raises(ConflictError, match="最后一个"):
        accounts.disable_user(engine, boss, "boss")
    accounts.enable_user(engine, boss, "vv")
    accounts.acting(engine, "vv")  # the account is back, its token is not: disabling revoked it
    with pytest.raises(PermissionDenied):
        accounts.token_principal(engine, made.token)
    assert [(t.id, t.revoked_at is not None) for t in accounts.list_tokens(engine, boss, "vv")] == [(made.id, True)]


def test_a_viewer_cannot_write_and_the_attempt_is_logged(store: tuple[Engine, pd.DataFrame], tmp_path: Path) -> None:
    engine, sample = store
    viewer = who(engine, "vv")
    path = tmp_path / "again.csv"
    write_sample(sample, path)
    with pytest.raises(PermissionDenied, match="查看者"):
        ingest_file(engine, viewer, path, PERIOD)
    with pytest.raises(PermissionDenied):
        score_period(engine, viewer, PERIOD)
    with pytest.raises(PermissionDenied):
        accounts.add_user(engine, viewer, "sneaky", "admin", "sneaky-pass")
    with pytest.raises(PermissionDenied):
        add_record(engine, viewer, {"uscc": sample["uscc"].iloc[0]})
    actions = [e.action for e in audit_log(engine, who(engine, "boss"), user="vv", outcome="denied")]
    assert actions == ["record", "users", "score", "ingest"]
    with engine.connect() as conn:
        assert account_store.user_by_name(conn, "sneaky") is None


def test_a_city_analyst_reads_only_that_city(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, sample = store
    city = who(engine, "dl")
    _, everyone = load_results(engine, ADMIN, PERIOD)
    _, mine = load_results(engine, city, PERIOD)
    dalian = everyone[everyone["city_code"] == DALIAN]
    assert len(mine) == len(dalian) > 0 and set(mine["city_code"]) == {DALIAN}
    # the province rank is the rank among everyone, not among the city's
    ranks = dict(zip(everyone["uscc"], everyone["province_rank"], strict=True))
    assert all(ranks[u] == r for u, r in zip(mine["uscc"], mine["province_rank"], strict=True))
    _, shown = ranking(engine, city, PERIOD)
    assert shown["rank"].tolist()[:1] == [1] and set(shown["uscc"]) == set(dalian["uscc"])
    info, _ = load_results(engine, city, PERIOD)
    usccs, matrix = packed_matrix(engine, city, info.run_id)
    assert set(usccs) == set(dalian["uscc"]) and matrix.shape[0] == len(dalian)
    other = everyone.loc[everyone["city_code"] != DALIAN, "uscc"].iloc[0]
    assert explain(engine, city, dalian["uscc"].iloc[0], PERIOD).uscc == dalian["uscc"].iloc[0]
    with pytest.raises(NotFoundError, match="无权查看") as hidden:
        explain(engine, city, other, PERIOD)
    with pytest.raises(NotFoundError) as absent:
        explain(engine, city, "91210100MA0000000X", PERIOD)
    assert str(hidden.value).replace(other, "?") == str(absent.value).replace("91210100MA0000000X", "?")
    assert enterprise_trend(engine, city, other).empty and not enterprise_trend(engine, ADMIN, other).empty
    denied = audit_log(engine, who(engine, "boss"), user="dl", outcome="denied")
    assert [(e.action, e.target) for e in denied] == [("read", f"enterprise:{other}")]


def test_an_enterprise_account_sees_only_itself(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, sample = store
    own = sample["uscc"].iloc[3]
    accounts.add_user(engine, who(engine, "boss"), "firm", "enterprise", "firm-pass-1", uscc=own)
    firm = who(engine, "firm")
    _, mine = load_results(engine, firm, PERIOD)
    assert mine["uscc"].tolist() == [own]
    with pytest.raises(NotFoundError):
        explain(engine, firm, sample["uscc"].iloc[4], PERIOD)
    with pytest.raises(PermissionDenied):
        score_period(engine, firm, PERIOD)


def test_a_city_analyst_submits_only_that_city(store: tuple[Engine, pd.DataFrame], tmp_path: Path) -> None:
    engine, sample = store
    city = who(engine, "dl")
    outside = sample[~sample["region_code"].astype(str).str.startswith("2102")].head(2)
    inside = sample[sample["region_code"].astype(str).str.startswith("2102")].head(3)
    path = tmp_path / "mixed.csv"
    write_sample(pd.concat([inside, outside]), path)
    with pytest.raises(InputValidationError) as refused:
        ingest_file(engine, city, path, "2026Q4")
    # the column as the file names it (the sample's English headers)
    assert [(p.row, p.column) for p in refused.value.problems] == [(5, "region_code"), (6, "region_code")]
    assert all("权限范围" in p.reason for p in refused.value.problems)
    chinese = pd.read_csv(path, dtype=str, keep_default_na=False).rename(columns={"region_code": "行政区划代码"})
    chinese.to_csv(tmp_path / "chinese.csv", index=False)
    with pytest.raises(InputValidationError) as refused:
        ingest_file(engine, city, tmp_path / "chinese.csv", "2026Q4")
    assert {p.column for p in refused.value.problems} == {"行政区划代码"}
    # moving an enterprise of another city into Dalian is refused too
    moved = outside.head(1).assign(region_code="210202")
    write_sample(moved, tmp_path / "moved.csv")
    with pytest.raises(InputValidationError, match="1 处错误") as moving:
        ingest_file(engine, city, tmp_path / "moved.csv", "2026Q4")
    reason = moving.value.problems[0].reason
    assert "权限范围之外" in reason and str(outside["region_code"].iloc[0]) not in reason  # where is not told
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM submissions WHERE period = '2026Q4'")) == 0
    write_sample(inside, tmp_path / "inside.csv")
    assert ingest_file(engine, city, tmp_path / "inside.csv", "2026Q4").new_versions == 3


def test_records_outside_the_scope_are_unknown(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, sample = store
    city = who(engine, "dl")
    outside = sample.loc[~sample["region_code"].astype(str).str.startswith("2102"), "uscc"].iloc[0]
    decided = (today_in_china() - timedelta(days=20)).isoformat()
    values = {"uscc": outside, "type": "FATAL_ACCIDENT_RESPONSIBLE", "date": decided, "source": "大连市应急管理局",
              "ref": "大应急罚〔2026〕1号", "severity": "严重", "workers": "1"}  # fmt: skip
    with pytest.raises(InputValidationError) as refused:
        add_record(engine, city, values)
    assert "不在你的权限范围" in refused.value.problems[0].reason
    add_record(engine, ADMIN, values)
    assert list_records(engine, city) == [] and len(list_records(engine, ADMIN)) == 1


def test_hostile_names_are_stored_as_text(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, _ = store
    shown = "<script>alert(1)</script>'; DROP TABLE users;--"
    user = accounts.add_user(engine, who(engine, "boss"), "hostile", "viewer", "hostile-pass", display_name=shown)
    assert user.display_name == shown
    assert [u.display_name for u in accounts.list_users(engine, ADMIN) if u.name == "hostile"] == [shown]
    with pytest.raises(UsageError, match="用户名"):
        accounts.add_user(engine, who(engine, "boss"), "x'; DROP TABLE users;--", "viewer", "hostile-pass")
    assert len(accounts.list_users(engine, ADMIN)) == 4


def test_the_audit_log_is_append_only(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, _ = store
    assert audit_log(engine, who(engine, "boss"))
    for statement in ("UPDATE audit_log SET outcome = 'ok'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


def test_every_write_is_logged_with_its_outcome(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, _ = store
    entries = audit_log(engine, who(engine, "boss"))
    kinds = [(e.actor, e.action, e.outcome) for e in reversed(entries)]
    assert kinds[:5] == [
        ("test-admin", "ingest", "ok"),
        ("test-admin", "score", "ok"),
        ("test-admin", "users", "ok"),
        ("test-admin", "users", "ok"),
        ("test-admin", "users", "ok"),
    ]
    assert entries[-1].detail and "sha256:" in entries[-1].detail
    with pytest.raises(PermissionDenied):
        audit_log(engine, who(engine, "dl"))


def test_a_scope_is_named_with_its_district_s_own_name() -> None:
    """A county-level city or district scope is named by its own name under its city (it was "葫芦岛市辖区" for
    兴城市 and for every other district of the city alike); an unknown district code keeps the city's 辖区."""
    from lrc.reference import district_label

    assert Scope("211481").label() == "葫芦岛市兴城市 (211481)"
    assert Scope("210203").label() == "大连市西岗区 (210203)"
    assert (Scope("210200").label(), Scope("210299").label()) == ("大连市 (210200)", "大连市辖区 (210299)")
    assert (Scope().label(), district_label("210000")) == ("全省 (province)", "")
