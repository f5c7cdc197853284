"""Storage models (SQLAlchemy 2). Kept apart from the pydantic catalogue and
engine models: these are the shapes on disk, nothing more.

History is append-only: rows of submissions, runs and results are never
updated or deleted (database triggers enforce it, see the first migration)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

APPEND_ONLY_TABLES = (
    "catalogue_versions", "enterprises", "submissions", "ingest_batches", "score_runs", "score_results", "records",
    "audit_log", "outbox", "publications", "attachments", "plan_action_events", "case_events", "record_closures",
    "catalogue_items", "catalogue_levels", "record_deliveries",
)  # fmt: skip


class Base(DeclarativeBase):
    pass


class CatalogueVersion(Base):
    """Every catalogue a run used, stored whole so the run can be re-scored later."""

    __tablename__ = "catalogue_versions"
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(32), index=True)
    document: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CatalogueItem(Base):
    """One item of a stored catalogue copy, for SQL and BI tools (the views join results to it by the run's
    catalogue hash and the item's position); written with the copy, from its document."""

    __tablename__ = "catalogue_items"
    __table_args__ = (  # the views sum level-2 and level-3 points by these
        Index("ix_catalogue_items_level2", "content_hash", "level2"),
        Index("ix_catalogue_items_level3", "content_hash", "level3"),
    )
    content_hash: Mapped[str] = mapped_column(ForeignKey("catalogue_versions.content_hash"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1..75, the order of packed item points
    edition: Mapped[str] = mapped_column(String(32), index=True)
    code: Mapped[str] = mapped_column(String(32), index=True)
    level1: Mapped[str] = mapped_column(String(16))
    level2: Mapped[str] = mapped_column(String(16))
    level3: Mapped[str] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(8))  # add | deduct
    rule_type: Mapped[str] = mapped_column(String(16))
    points: Mapped[float] = mapped_column(Float)  # the item's full points (negative for a deduction)
    red_line: Mapped[bool] = mapped_column(Boolean)


class CatalogueLevel(Base):
    """One level-1, -2 or -3 indicator of a stored catalogue copy (its code, parent and names)."""

    __tablename__ = "catalogue_levels"
    content_hash: Mapped[str] = mapped_column(ForeignKey("catalogue_versions.content_hash"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1, 2 or 3
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1.., the order of packed level-1 points
    edition: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(16))
    parent: Mapped[str | None] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)


class Enterprise(Base):
    __tablename__ = "enterprises"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IngestBatch(Base):
    __tablename__ = "ingest_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(16), index=True)
    file_name: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64))
    fields: Mapped[str] = mapped_column(Text)  # JSON list: the order of values in each submission's facts
    rows: Mapped[int] = mapped_column(Integer)
    new_versions: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(128))
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Submission(Base):
    """One enterprise's facts for one period, exactly as submitted. A changed
    resubmission is a new version; an identical one is not stored again."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("enterprise_id", "period", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    period: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer)
    uscc: Mapped[str] = mapped_column(String(18))  # as submitted: verify checks results against it
    # indexed on SQLite alone (migration 0024: SQLite looks for children while the reference is deferred)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id", deferrable=True, initially="IMMEDIATE"))
    source_row: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(String(6))
    industry: Mapped[str] = mapped_column(String(1))
    size: Mapped[str] = mapped_column(String(8))
    ownership: Mapped[str | None] = mapped_column(String(32))
    uscc_override: Mapped[bool] = mapped_column(Boolean, default=False)
    facts: Mapped[str] = mapped_column(Text)  # see lrc.store.facts_codec
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScoreRun(Base):
    """An immutable scoring of one period: written once, with its results, in one transaction."""

    __tablename__ = "score_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(16), index=True)
    catalogue_version: Mapped[str] = mapped_column(String(32))
    catalogue_hash: Mapped[str] = mapped_column(ForeignKey("catalogue_versions.content_hash"))
    input_hash: Mapped[str] = mapped_column(String(64))
    enterprise_count: Mapped[int] = mapped_column(Integer)
    engine_version: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # period, or a one-enterprise rescoring caused by a record (records) or a submission (submission)
    kind: Mapped[str] = mapped_column(String(16), default="period")
    record_watermark: Mapped[int | None] = mapped_column(Integer)  # newest record id the run could see
    closure_watermark: Mapped[int | None] = mapped_column(Integer)  # newest record closure it could see
    cause_id: Mapped[int | None] = mapped_column(Integer)  # the objection or repair behind a run of that kind


class ScoreResult(Base):
    """One enterprise in one run. Identity is copied from the submission scored,
    so rankings filter without joins; items and gaps are packed (75 values)."""

    __tablename__ = "score_results"
    __table_args__ = (
        Index("ix_score_results_uscc_run", "uscc", "run_id"),
        # rankings: each run best first, with every column a ranking filters on (migration 0014); on
        # PostgreSQL the USCCs in byte order, as the ranking query orders them (0019)
        Index(
            "ix_score_results_ranking",
            "run_id",
            text("total DESC"),
            "uscc",
            "enterprise_id",
            "city_code",
            "region_code",
            "industry",
            "size",
            "grade",
            "ownership",
            "name",
        ),
    )
    run_id: Mapped[int] = mapped_column(ForeignKey("score_runs.id"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), primary_key=True, index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))  # indexed on SQLite alone (0024)
    uscc: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(String(6))
    city_code: Mapped[str] = mapped_column(String(6))
    industry: Mapped[str] = mapped_column(String(1))
    size: Mapped[str] = mapped_column(String(8))
    ownership: Mapped[str | None] = mapped_column(String(32))
    headcount: Mapped[int | None] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(Integer)  # tenths of a point
    grade: Mapped[str] = mapped_column(String(8))
    red_line: Mapped[bool] = mapped_column(Boolean)
    completeness: Mapped[float] = mapped_column(Float)
    level1: Mapped[str] = mapped_column(Text)  # comma-separated tenths, catalogue level-1 order
    items: Mapped[str] = mapped_column(Text)  # comma-separated tenths, catalogue item order
    gaps: Mapped[str] = mapped_column(Text)  # one '0'/'1' per item
    records: Mapped[str | None] = mapped_column(Text)  # comma-separated ids of the records that counted
    cause_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))  # the record that caused it


class RunSummaryPart(Base):
    """What the overview pages show of a period run's current results, for the enterprises of one city and
    industry (``body``: JSON of counts, a histogram of totals, per-item sums and losers, a histogram of each
    first-level score; ``lrc.service.summaries``, stored by ``lrc.store.summaries``). Derived and replaceable,
    not history: written while the run is scored, changed by each one-enterprise rescoring of its period
    (``through``: the newest run applied)."""

    __tablename__ = "run_summaries"
    run_id: Mapped[int] = mapped_column(ForeignKey("score_runs.id"), primary_key=True)
    city_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    industry: Mapped[str] = mapped_column(String(1), primary_key=True)
    through: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)


class RunMatchCount(Base):
    """How many results of a run (a period run, an import) share one city, county, industry, size, ownership and
    grade: a ranking's match count sums these instead of counting the run's results (``lrc.store.match_counts``,
    migration 0022). Derived from the run's results, written with them by one statement; a run stored before 0022
    has none, and any row of a run says its counts are kept."""

    __tablename__ = "run_match_counts"
    __table_args__ = (Index("ix_run_match_counts_run", "run_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("score_runs.id"))
    city_code: Mapped[str] = mapped_column(String(6))
    region_code: Mapped[str] = mapped_column(String(6))
    industry: Mapped[str] = mapped_column(String(1))
    size: Mapped[str] = mapped_column(String(8))
    ownership: Mapped[str | None] = mapped_column(String(32))
    grade: Mapped[str] = mapped_column(String(8))
    n: Mapped[int] = mapped_column(Integer)


class RunChangePart(Base):
    """How a period run's current results changed against another run's (``previous_id``), for the enterprises
    of one city now and then (``body``: JSON of counts and the top of each list the pages show;
    ``lrc.service.comparisons``, stored by ``lrc.store.comparisons``). Derived and replaceable: it holds for
    the two runs' current results as they were through ``through`` and ``previous_through`` (the newest run of
    each one's range)."""

    __tablename__ = "run_changes"
    run_id: Mapped[int] = mapped_column(ForeignKey("score_runs.id"), primary_key=True)
    previous_id: Mapped[int] = mapped_column(ForeignKey("score_runs.id"), primary_key=True)
    city_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    previous_city: Mapped[str] = mapped_column(String(6), primary_key=True)
    through: Mapped[int] = mapped_column(Integer)
    previous_through: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)


class Record(Base):
    """A dated, sourced fact about one enterprise decided by an authority (or the union).
    (source, ref) is its identity: delivered again, it is not stored again."""

    __tablename__ = "records"
    __table_args__ = (UniqueConstraint("source", "ref"), Index("ix_records_ref", "ref"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18))
    type: Mapped[str] = mapped_column(String(40))
    tier: Mapped[str] = mapped_column(String(8))
    decision_date: Mapped[date] = mapped_column(Date, index=True)
    source: Mapped[str] = mapped_column(String(100))
    ref: Mapped[str] = mapped_column(String(100))
    workers: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    edition: Mapped[str] = mapped_column(String(32))  # the record types it was checked against
    content_hash: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(Text)
    source_row: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("record_deliveries.id"), index=True)


class RecordDelivery(Base):
    """One delivery of records (a file, a feed, an API call, the command line): what it brought and stored."""

    __tablename__ = "record_deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(100))  # the file's name, or the door
    received: Mapped[int] = mapped_column(Integer)
    stored: Mapped[int] = mapped_column(Integer)  # new records, or listings closed
    already: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class User(Base):
    """A person (or an enterprise's account) who signs in. The only mutable table: a password, the
    active flag and the lockout counters change; every change is in the audit log."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(6))  # a city or district code; NULL = the province
    uscc: Mapped[str | None] = mapped_column(String(18))  # role enterprise: the one it may see and submit
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id, never the password
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A bearer token for programs (the HTTP API). Only its SHA-256 is stored; it is shown once."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    label: Mapped[str | None] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(128))


class AuditEntry(Base):
    """Who did (or tried) what, where, when and with what outcome. Append-only."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(128), index=True)
    role: Mapped[str] = mapped_column(String(16))
    door: Mapped[str] = mapped_column(String(16))  # cli | dashboard | api
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str | None] = mapped_column(String(200))  # run:12, enterprise:9121…, user:alice
    outcome: Mapped[str] = mapped_column(String(8))  # ok | denied | error
    detail: Mapped[str | None] = mapped_column(Text)  # a short summary, a content hash, the reason
    address: Mapped[str | None] = mapped_column(String(64))  # the client, for network front doors


class Draft(Base):
    """The web form's saved, unsubmitted values (one per user, enterprise and period)."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_name", "uscc", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_name: Mapped[str] = mapped_column(String(64))
    uscc: Mapped[str] = mapped_column(String(18))
    period: Mapped[str] = mapped_column(String(16))
    values: Mapped[str] = mapped_column(Text)  # JSON object, field name → value as entered
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Alert(Base):
    """A rule met by a new result: the rule, the enterprise, the result before and after, the run (and
    record) behind it. Its status moves new → acknowledged → closed, each step by a named user (audited);
    nothing else about it changes."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("rule_code", "run_id", "enterprise_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_code: Mapped[str] = mapped_column(String(40), index=True)
    rules_version: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(8))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    period: Mapped[str] = mapped_column(String(16))
    run_id: Mapped[int] = mapped_column(ForeignKey("score_runs.id"))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    before_total: Mapped[int | None] = mapped_column(Integer)  # tenths; NULL when there was no result before
    after_total: Mapped[int | None] = mapped_column(Integer)  # NULL: no new result (data still missing)
    before_grade: Mapped[str | None] = mapped_column(String(8))
    after_grade: Mapped[str | None] = mapped_column(String(8))
    detail: Mapped[str] = mapped_column(Text)  # what was met, in Chinese
    status: Mapped[str] = mapped_column(String(16), index=True)  # new | acknowledged | closed
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    acked_by: Mapped[str | None] = mapped_column(String(128))
    acked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(128))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    close_note: Mapped[str | None] = mapped_column(Text)


class Watch(Base):
    """One enterprise on one user's watchlist."""

    __tablename__ = "watchlist"
    __table_args__ = (UniqueConstraint("user_name", "uscc"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_name: Mapped[str] = mapped_column(String(64))
    uscc: Mapped[str] = mapped_column(String(18))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RiskModel(Base):
    """A trained forecast of "the grade falls next period": trained on pairs (t → t+1) whose labels end at
    ``label_period``; ``train_periods`` (JSON list of t), ``features`` (JSON list of names), ``model`` (JSON:
    intercept, coefficients, centring and scaling) and ``metrics`` (JSON) reproduce every forecast."""

    __tablename__ = "risk_models"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label_period: Mapped[str] = mapped_column(String(16), index=True)
    train_periods: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(32))
    features: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(Text)
    metrics: Mapped[str] = mapped_column(Text)
    rows: Mapped[int] = mapped_column(Integer)
    positives: Mapped[int] = mapped_column(Integer)
    input_hash: Mapped[str] = mapped_column(String(64))  # of the training pairs' features and labels
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutboxEvent(Base):
    """An event for other systems (``alert.raised``), written in the transaction that caused it. Its id is
    its place in the order of delivery; ``idempotency_key`` names it for receivers (the same key is the
    same event, however often it arrives); ``payload`` is the JSON body sent. Append-only."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event: Mapped[str] = mapped_column(String(32))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)  # alert:<rule>:<run>:<enterprise>
    payload: Mapped[str] = mapped_column(Text)  # UTF-8 JSON
    region_code: Mapped[str | None] = mapped_column(String(6))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Webhook(Base):
    """A receiver the outbox is delivered to, in id order: ``cursor`` is the last event it took (2xx);
    after a failure ``attempts`` counts the failures in a row and nothing is sent before
    ``next_attempt_at``. ``lease`` and ``leased_until`` keep two senders from delivering to it at once."""

    __tablename__ = "webhooks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(200))  # the HMAC key; shown once, when it is added
    active: Mapped[bool] = mapped_column(Boolean)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed_by: Mapped[str | None] = mapped_column(String(128))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cursor: Mapped[int] = mapped_column(Integer)  # the last outbox id delivered
    delivered: Mapped[int] = mapped_column(Integer)
    last_delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer)  # failures in a row since the last delivery
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[int | None] = mapped_column(Integer)  # the last HTTP status (NULL: no answer)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease: Mapped[str | None] = mapped_column(String(32))
    leased_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Publication(Base):
    """A frozen ranking: ``content`` is the canonical JSON a reader sees (``lrc.publication.content``) and
    ``content_hash`` its SHA-256. Append-only: publishing again is a new row naming the one it replaces."""

    __tablename__ = "publications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    period: Mapped[str] = mapped_column(String(16), index=True)
    scope: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    run_id: Mapped[int] = mapped_column(ForeignKey("score_runs.id"))  # the period run
    catalogue_version: Mapped[str] = mapped_column(String(32))
    policy_version: Mapped[str] = mapped_column(String(32))
    entries: Mapped[int] = mapped_column(Integer)
    # the newest run whose result it lists (its result ids name runs run_id to through_run_id; migration 0021)
    through_run_id: Mapped[int | None] = mapped_column(Integer)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"))
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    publisher: Mapped[str] = mapped_column(String(128))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Hearing(Base):
    """A CSR hearing (社会责任听证): individual (one enterprise) or collective. Its outcome (the participants'
    opinions, the conclusions) is recorded once, when held, and never replaced (a correction is attached as
    minutes); every change is in the audit log."""

    __tablename__ = "hearings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # individual | collective
    held_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(Text)
    chair: Mapped[str | None] = mapped_column(String(100))
    participants: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # planned | held
    opinions: Mapped[str | None] = mapped_column(Text)
    conclusions: Mapped[str | None] = mapped_column(Text)
    outcome_by: Mapped[str | None] = mapped_column(String(128))
    outcome_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HearingEnterprise(Base):
    """An enterprise heard at a hearing, with its region when it was added (scope checks need no join)."""

    __tablename__ = "hearing_enterprises"
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), primary_key=True, index=True)
    uscc: Mapped[str] = mapped_column(String(18))
    region_code: Mapped[str] = mapped_column(String(6))


class Attachment(Base):
    """A file (a CSR report, minutes, evidence), stored once by its SHA-256, whoever attaches it again.
    Append-only."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text)  # as first stored
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    stored_by: Mapped[str] = mapped_column(String(128))
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HearingAttachment(Base):
    """A stored file attached to a hearing as its minutes or an enterprise's CSR report."""

    __tablename__ = "hearing_attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), index=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"))
    kind: Mapped[str] = mapped_column(String(16))  # csr_report | minutes | evidence
    uscc: Mapped[str | None] = mapped_column(String(18))  # whose report
    name: Mapped[str] = mapped_column(Text)  # the name it was attached under
    added_by: Mapped[str] = mapped_column(String(128))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PlanAction(Base):
    """One action of an enterprise's improvement plan (改进计划), committed at a hearing for one catalogue
    item. Its status moves open → done | late | dropped; each change is a ``PlanActionEvent``."""

    __tablename__ = "plan_actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    item_code: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | done | late | dropped
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    note: Mapped[str | None] = mapped_column(Text)  # internal: never published
    updated_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PlanActionEvent(Base):
    """A plan action's history: its creation and every change of status. Append-only."""

    __tablename__ = "plan_action_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Objection(Base):
    """An enterprise's objection (异议) to one item of one result. Its status moves filed → under_review →
    upheld | overturned, or withdrawn, or routed (a record another authority decided: not ours to decide);
    every step is a ``CaseEvent``. An overturn's new result is ``result_run_id``."""

    __tablename__ = "objections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    period: Mapped[str] = mapped_column(String(16))
    item_code: Mapped[str] = mapped_column(String(32))
    run_id: Mapped[int] = mapped_column(ForeignKey("score_runs.id"))  # the result objected to
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    reason: Mapped[str] = mapped_column(Text)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    routed_to: Mapped[str | None] = mapped_column(Text)  # JSON: the authorities and document numbers
    result_run_id: Mapped[int | None] = mapped_column(ForeignKey("score_runs.id"))
    filed_by: Mapped[str] = mapped_column(String(128))
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    filed_on: Mapped[date] = mapped_column(Date)  # the day it was filed as (earlier for a paper filing; 0023)
    # the newest publication that listed the result objected to by the filing day, and the last day it gave for
    # objections (0023): filed after that day, the objection is accepted against the current result, marked late
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"))
    window_until: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)


class Repair(Base):
    """A request for credit repair (信用修复) of one record: requested → approved | rejected (or withdrawn).
    An approval closes the record (``RecordClosure``) and makes a new result, ``result_run_id``."""

    __tablename__ = "repairs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    evidence_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"))
    pledge_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    result_run_id: Mapped[int | None] = mapped_column(ForeignKey("score_runs.id"))
    requested_by: Mapped[str] = mapped_column(String(128))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    filed_on: Mapped[date] = mapped_column(Date)  # the day it was requested as (earlier for a paper request; 0023)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)


class CaseEvent(Base):
    """One step of an objection or a repair (who, when, the status it moved to, the note). Append-only."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case", "case_kind", "case_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_kind: Mapped[str] = mapped_column(String(16))  # objection | repair
    case_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)  # JSON
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RecordClosure(Base):
    """A record stops counting from ``effective_from`` (a period whose last day is on or after it does not
    count it): repaired, revoked (an objection overturned it), expired (its display period ended while it
    still counted in a current result) or removed (by the authority that listed it). Append-only, one per
    record."""

    __tablename__ = "record_closures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), unique=True)
    cause: Mapped[str] = mapped_column(String(16))
    effective_from: Mapped[date] = mapped_column(Date)
    case_id: Mapped[int | None] = mapped_column(Integer)
    ref: Mapped[str | None] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
