"""What must happen by the calendar without anyone acting: records past their display period stop counting,
and objections and repairs past their decision deadline raise an alert. ``lrc serve`` runs it every hour
in the background; ``lrc record expire`` and ``lrc objection check-overdue`` do the same from a cron job.
It acts as the system principal ``lrc-housekeeping`` (audited under that name) and writes nothing, not even
an audit entry, when nothing is due."""

from __future__ import annotations

import logging
import threading
from datetime import date

from pydantic import BaseModel
from sqlalchemy import Engine

from lrc.service.access import Principal, Role
from lrc.service.cases import any_overdue, check_overdue
from lrc.service.closures import expire_if_due
from lrc.times import today_in_china

SYSTEM = Principal(name="lrc-housekeeping", role=Role.admin, door="api")
EVERY_SECONDS = 3600
log = logging.getLogger("lrc.housekeeping")


class HousekeepingOut(BaseModel):
    as_of: str
    expired: int  # records that stopped counting now
    new_results: int
    overdue_cases: int  # objections and repairs alerted now
    alerts: int


def housekeeping(engine: Engine, *, today: date | None = None) -> HousekeepingOut:
    """Expire what is due and alert on overdue cases, as of ``today`` (Beijing)."""
    day = today or today_in_china()
    expired = expire_if_due(engine, SYSTEM, today=day)
    overdue = check_overdue(engine, SYSTEM, today=day) if any_overdue(engine, day) else None
    return HousekeepingOut(
        as_of=day.isoformat(),
        expired=len(expired.expired) if expired else 0,
        new_results=len(expired.results) if expired else 0,
        overdue_cases=len(overdue.objections) + len(overdue.repairs) if overdue else 0,
        alerts=overdue.alerts if overdue else 0,
    )


def start_background(engine: Engine, every: float = EVERY_SECONDS) -> threading.Event:
    """Run ``housekeeping`` now and then every ``every`` seconds in a daemon thread; set the event to stop."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                done = housekeeping(engine)
                if done.expired or done.overdue_cases:
                    log.info("housekeeping: %s", done.model_dump())
            except Exception:  # noqa: BLE001 - a failed pass is logged and tried again next time
                log.exception("housekeeping failed")
            stop.wait(every)

    threading.Thread(target=loop, name="lrc-housekeeping", daemon=True).start()
    return stop
