"""The columns reads name, shared by the SQLAlchemy reads (``repository``) and the driver's
(``lrc.service.driver_explain``, ``top_places``)."""

RESULT_COLUMNS = (
    "uscc",
    "name",
    "region_code",
    "city_code",
    "industry",
    "size",
    "ownership",
    "headcount",
    "total",
    "grade",
    "red_line",
    "completeness",
)
EXPLAINED_COLUMNS = (*RESULT_COLUMNS, "run_id", "enterprise_id", "submission_id", "items", "records", "cause_record_id")
# what an explanation reads of a result besides

RECORD_FIELDS = (
    "id", "enterprise_id", "uscc", "type", "tier", "decision_date", "source", "ref", "workers", "amount", "note",
    "edition", "content_hash", "file_name", "source_row", "actor", "received_at", "delivery_id",
)  # fmt: skip
