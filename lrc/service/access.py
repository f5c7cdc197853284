"""Who acts (a ``Principal``) and what each role may do (``PERMISSIONS``, the one table of it).

Front doors build the principal (the CLI from ``--as``, the dashboard from its login, the HTTP API
from a token); the service checks it. Reading is narrowed by the principal's scope in the store's
queries; acting is checked against this table (``lrc.service.audit.guarded``)."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, replace
from enum import StrEnum

from lrc.scope import Scope


class Role(StrEnum):
    viewer = "viewer"
    analyst = "analyst"
    publisher = "publisher"
    admin = "admin"
    enterprise = "enterprise"


ROLE_ZH: dict[str, str] = {
    "viewer": "查看者",
    "analyst": "分析员",
    "publisher": "发布人",
    "admin": "管理员",
    "enterprise": "企业用户",
}

DOORS = ("cli", "dashboard", "api")


class Action(StrEnum):
    read = "read"  # results, rankings, explanations, records (within scope)
    export = "export"  # rankings and tables written to a file or downloaded
    ingest = "ingest"  # a file of submissions (the role enterprise: its own only)
    score = "score"  # a whole period: a new run
    record = "record"  # records, and the rescoring they cause
    watchlist = "watchlist"
    alert = "alert"
    verify = "verify"
    forecast = "forecast"  # training a risk model on the whole province's results
    publish = "publish"
    object = "object"  # an objection to a result, a credit-repair request (an enterprise for itself)
    decide = "decide"  # deciding objections and credit repairs; record expiry
    users = "users"  # accounts and tokens of other people
    audit = "audit"  # reading the audit log
    init = "init"  # creating or upgrading the database schema
    login = "login"
    webhooks = "webhooks"  # alerts delivered to other systems: the webhooks, and running the sender
    hearing = "hearing"  # CSR hearings, their attachments and outcome, and improvement plans


ACTION_ZH: dict[str, str] = {
    "read": "查看数据", "export": "导出数据", "ingest": "导入数据", "score": "评分", "record": "登记记录",
    "watchlist": "管理关注清单", "alert": "管理预警", "verify": "核验评分批次", "forecast": "训练风险模型",
    "publish": "发布", "object": "提出异议或修复申请", "decide": "处理异议与信用修复", "users": "管理用户",
    "audit": "查看审计日志", "init": "升级数据库",
    "login": "登录", "webhooks": "管理预警推送", "hearing": "管理听证",
}  # fmt: skip

_ALL = frozenset(Role)
_ANALYSTS = frozenset({Role.analyst, Role.publisher, Role.admin})
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.read: _ALL,
    Action.export: _ALL,
    Action.ingest: _ANALYSTS | {Role.enterprise},
    Action.score: _ANALYSTS,
    Action.record: _ANALYSTS,
    Action.watchlist: _ANALYSTS,
    Action.alert: _ANALYSTS,
    Action.verify: _ANALYSTS | {Role.viewer},
    Action.forecast: _ANALYSTS,
    Action.publish: frozenset({Role.publisher, Role.admin}),
    Action.object: _ANALYSTS | {Role.enterprise},
    Action.decide: _ANALYSTS,
    Action.users: frozenset({Role.admin}),
    Action.audit: frozenset({Role.admin}),
    Action.init: frozenset({Role.admin}),
    Action.login: _ALL,
    Action.webhooks: frozenset({Role.admin}),
    Action.hearing: _ANALYSTS,
}
# acts on the whole province, so a city, district or enterprise scope is not enough
PROVINCE_WIDE = frozenset(
    {
        Action.score, Action.verify, Action.forecast, Action.publish, Action.users, Action.audit, Action.init,
        Action.webhooks,
    }
)  # fmt: skip


def permitted(role: str, action: Action) -> bool:
    return role in PERMISSIONS[action]


@dataclass(frozen=True)
class Principal:
    """Someone acting through a front door, as the service sees them."""

    name: str
    role: Role
    scope: Scope = Scope()
    door: str = "cli"
    address: str | None = None  # the client, for the network front doors
    single_user: bool = False  # no account exists yet: the OS user acts as admin

    def at(self, door: str, address: str | None = None) -> Principal:
        return replace(self, door=door, address=address)


def os_user() -> str:
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def single_user(door: str = "cli") -> Principal:
    """The principal while no account exists: whoever runs lrc on this machine, as admin."""
    return Principal(name=os_user(), role=Role.admin, door=door, single_user=True)
