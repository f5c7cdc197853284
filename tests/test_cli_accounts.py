"""Accounts at the command line, end to end: `lrc user`, `lrc token`, `lrc audit`, `--as` and `LRC_USER`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.test_cli import lrc

DALIAN = "210200"


def with_stdin(cwd: Path, text: str, *args: str) -> subprocess.CompletedProcess:
    """`lrc` with ``text`` on standard input (a password), whatever its exit code."""
    return lrc(cwd, *args, ok=False, stdin=text)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scored store (single-user mode), then an admin, a Dalian analyst and a viewer."""
    cwd = tmp_path_factory.mktemp("accounts")
    lrc(cwd, "init")
    lrc(cwd, "sample", "--n", "90", "--seed", "4", "--period", "2026Q3", "--output", "s.csv")
    lrc(cwd, "ingest", "s.csv", "--period", "2026Q3")
    lrc(cwd, "score", "--period", "2026Q3")
    made = with_stdin(cwd, "boss-password\n", "user", "add", "boss", "--role", "admin", "--password-stdin")
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip().splitlines()[-1] == "1"
    for args in (("dl", "--role", "analyst", "--scope", DALIAN), ("vv", "--role", "viewer")):
        done = with_stdin(cwd, "some-password\n", "user", "add", *args, "--password-stdin", "--as", "boss")
        assert done.returncode == 0, done.stderr
    return cwd


def test_without_a_name_every_command_asks_who(office: Path) -> None:
    done = lrc(office, "rank", "--period", "2026Q3", ok=False)
    assert done.returncode == 9 and "--as" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert lrc(office, "rank", "--period", "2026Q3", "--top", "1", env={"LRC_USER": "vv"}).returncode == 0


@pytest.mark.parametrize(
    "command",
    [
        ("ingest", "s.csv", "--period", "2026Q4"),
        ("score", "--period", "2026Q3"),
        ("token", "create", "dl"),
        ("user", "disable", "dl"),
        ("audit",),
    ],
)
def test_a_viewer_is_refused_in_one_chinese_line(office: Path, command: tuple[str, ...]) -> None:
    done = lrc(office, *command, "--as", "vv", ok=False)
    assert done.returncode == 9, done.stderr
    assert done.stderr.startswith("错误 (error): 无权操作") and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_refusals_are_in_the_audit_log(office: Path) -> None:
    lrc(office, "score", "--period", "2026Q3", "--as", "vv", ok=False)
    entries = json.loads(
        lrc(office, "audit", "--outcome", "denied", "--user", "vv", "--format", "json", "--as", "boss").stdout
    )
    assert entries and all(e["outcome"] == "denied" and e["actor"] == "vv" and e["door"] == "cli" for e in entries)
    assert "score" in {e["action"] for e in entries}


def test_a_city_analyst_ranks_explains_and_exports_only_that_city(office: Path) -> None:
    rows = json.loads(lrc(office, "rank", "--period", "2026Q3", "--format", "json", "--as", "dl").stdout)
    everyone = json.loads(lrc(office, "rank", "--period", "2026Q3", "--format", "json", "--as", "boss").stdout)
    assert rows and {r["city_code"] for r in rows} == {DALIAN}
    assert len(rows) == sum(r["city_code"] == DALIAN for r in everyone)
    other = next(r["uscc"] for r in everyone if r["city_code"] != DALIAN)
    done = lrc(office, "explain", other, "--period", "2026Q3", "--as", "dl", ok=False)
    assert done.returncode == 5 and "无权查看" in done.stderr and "total" not in done.stdout
    lrc(office, "rank", "--period", "2026Q3", "--output", "dl.csv", "--as", "dl")
    text = (office / "dl.csv").read_text(encoding="utf-8-sig")
    assert other not in text and rows[0]["uscc"] in text
    exports = json.loads(lrc(office, "audit", "--action", "export", "--format", "json", "--as", "boss").stdout)
    assert exports[0]["actor"] == "dl" and exports[0]["detail"].startswith(f"{len(rows)} rows")


def test_tokens_print_the_id_first_and_the_token_last_once(office: Path) -> None:
    done = lrc(office, "token", "create", "dl", "--label", "人社局交换", "--as", "boss")
    lines = done.stdout.strip().splitlines()
    token_id, token = lines[0], lines[-1]
    assert token_id.isdigit() and token.startswith("lrc_") and len(token) > 40
    listed = json.loads(lrc(office, "token", "list", "--format", "json", "--as", "boss").stdout)
    assert [t["id"] for t in listed if t["label"] == "人社局交换"] == [int(token_id)]
    assert token not in json.dumps(listed) and token not in (office / "lrc.db").read_bytes().decode("latin-1")
    made = json.loads(lrc(office, "token", "create", "vv", "--format", "json", "--as", "boss").stdout)
    assert set(made) >= {"id", "token"}
    revoked = json.loads(lrc(office, "token", "revoke", str(made["id"]), "--format", "json", "--as", "boss").stdout)
    assert revoked["revoked_at"]


def test_user_list_json_and_a_password_change(office: Path) -> None:
    users = json.loads(lrc(office, "user", "list", "--format", "json", "--as", "boss").stdout)
    assert {u["name"]: u["role"] for u in users}.items() >= {"boss": "admin", "dl": "analyst", "vv": "viewer"}.items()
    assert all("password" not in key for u in users for key in u)
    short = with_stdin(office, "short\n", "user", "passwd", "vv", "--password-stdin", "--as", "boss")
    assert short.returncode == 2 and "至少 8" in short.stderr
    own = with_stdin(office, "a-new-password\n", "user", "passwd", "vv", "--password-stdin", "--as", "vv")
    assert own.returncode == 0, own.stderr
    other = with_stdin(office, "a-new-password\n", "user", "passwd", "dl", "--password-stdin", "--as", "vv")
    assert other.returncode == 9


def test_bad_account_input_is_one_line(office: Path) -> None:
    cases = [
        (("user", "add", "x y", "--role", "viewer"), 2, "用户名"),
        (("user", "add", "zz", "--role", "boss"), 2, "角色"),
        (("user", "add", "zz", "--role", "analyst", "--scope", "999999"), 2, "区县代码"),
        (("user", "add", "zz", "--role", "enterprise"), 2, "--uscc"),
        (("user", "add", "dl", "--role", "viewer"), 6, "已存在"),
        (("token", "revoke", "99999"), 5, "不存在"),
    ]
    for args, code, words in cases:
        done = (
            with_stdin(office, "long-enough-pw\n", *args, "--password-stdin", "--as", "boss")
            if args[0] == "user"
            else lrc(office, *args, "--as", "boss", ok=False)
        )
        assert done.returncode == code and words in done.stderr, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1


def test_an_old_quarter_loaded_late_does_not_move_an_enterprise_back(tmp_path: Path) -> None:
    """Where an enterprise is registered, for every write's scope check, is its newest period's submission, not
    the file stored last: its 2025Q3 row (then in Dalian) loaded after 2026Q3 (now in another city) left its own
    city's analyst refused, and let a Dalian analyst record against it and read its new total."""
    import csv

    from lrc.reference import city_of

    lrc(tmp_path, "init")
    lrc(tmp_path, "sample", "--n", "30", "--seed", "4", "--period", "2026Q3", "--output", "s.csv")
    lrc(tmp_path, "ingest", "s.csv", "--period", "2026Q3")
    lrc(tmp_path, "score", "--period", "2026Q3")
    with (tmp_path / "s.csv").open(encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    region = header.index("region_code")
    row = next(r for r in rows if city_of(r[region]) not in (DALIAN, None))
    uscc, city = row[0], city_of(row[region])
    for name, where in (("old.csv", "210202"), ("new.csv", row[region])):
        with (tmp_path / name).open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([header, [*row[:region], where, *row[region + 1 :]]])
    lrc(tmp_path, "ingest", "old.csv", "--period", "2025Q3")  # then in Dalian, loaded last
    with_stdin(tmp_path, "boss-password\n", "user", "add", "boss", "--role", "admin", "--password-stdin")
    for user, scope in (("dl", DALIAN), ("own", str(city))):
        made = with_stdin(tmp_path, "some-password\n", "user", "add", user, "--role", "analyst", "--scope", scope,
                          "--password-stdin", "--as", "boss")  # fmt: skip
        assert made.returncode == 0, made.stderr
    record = ("record", "add", uscc, "--type", "CORRECTION_ORDER", "--date", "2026-09-10", "--source", "人社局")
    refused = lrc(tmp_path, *record, "--ref", "人社监〔2026〕1号", "--as", "dl", ok=False)
    assert refused.returncode == 4 and "不在你的权限范围内" in refused.stderr and "→" not in refused.stdout
    added = lrc(tmp_path, *record, "--ref", "人社监〔2026〕2号", "--as", "own")
    assert added.stdout.strip().splitlines()[-1].isdigit() and "已重算" in added.stdout
    assert lrc(tmp_path, "ingest", "new.csv", "--period", "2026Q4", "--as", "own").stdout.strip().endswith("3")
    hearing = ("hearing", "add", "--kind", "individual", "--date", "2026-12-15", "--title", "听证")
    assert lrc(tmp_path, *hearing, "--enterprises", uscc, "--as", "own").returncode == 0
    assert lrc(tmp_path, *hearing, "--enterprises", uscc, "--as", "dl", ok=False).returncode == 5


def test_an_enterprise_that_moved_away_is_no_longer_its_old_city_s(tmp_path: Path) -> None:
    """`lrc records` under a scope lists the records of the enterprises registered there now (their newest
    period's submission): a Dalian analyst went on listing, for ever, the records of an enterprise that had moved
    to another city, which its ranking, `explain` and `record add` already treated as outside Dalian."""
    import csv

    from lrc.reference import city_of

    lrc(tmp_path, "init")
    lrc(tmp_path, "sample", "--n", "30", "--seed", "4", "--period", "2026Q3", "--output", "s.csv")
    with (tmp_path / "s.csv").open(encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    region = header.index("region_code")
    row = next(r for r in rows if city_of(r[region]) not in (DALIAN, None))
    with (tmp_path / "old.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, [*row[:region], "210202", *row[region + 1 :]]])  # in Dalian then
    lrc(tmp_path, "ingest", "old.csv", "--period", "2026Q2")
    lrc(tmp_path, "ingest", "s.csv", "--period", "2026Q3")
    lrc(tmp_path, "score", "--period", "2026Q3")
    record = ("record", "add", row[0], "--type", "CORRECTION_ORDER", "--date", "2026-09-10", "--source", "人社局")
    lrc(tmp_path, *record, "--ref", "人社监〔2026〕1号")
    with_stdin(tmp_path, "boss-password\n", "user", "add", "boss", "--role", "admin", "--password-stdin")
    for user, scope in (("dl", DALIAN), ("own", str(city_of(row[region])))):
        made = with_stdin(tmp_path, "some-password\n", "user", "add", user, "--role", "analyst", "--scope", scope,
                          "--password-stdin", "--as", "boss")  # fmt: skip
        assert made.returncode == 0, made.stderr

    def listed(user: str) -> list[str]:
        return [r["uscc"] for r in json.loads(lrc(tmp_path, "records", "--format", "json", "--as", user).stdout)]

    assert listed("own") == [row[0]] and listed("dl") == [] and listed("boss") == [row[0]]
