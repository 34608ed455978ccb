"""The week the pulse reports and its session logs, read without the rest of the school year's.

Over a year the session logs are the warehouse's largest tables, and a night adds a week to them: the
pulse (and the reports that name its week) ask SQL for the latest day logged rather than reading every
session's date, then read that week's sessions and their attendance.

Results and enrollments are read whole: narrowed in SQL to the week's students (a subquery over the
memberships and the week's attendance), they cost more CPU than they saved on the demo district at 5,000
students, where most students are tutored (0.29 -> 0.34 s for the results).
"""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import ColumnElement, Select, and_, func, select

from hub.model import sql_table
from hub.pipeline.context import DistrictRun
from hub.warehouse import Warehouse


def pulse_week(warehouse: Warehouse, district: str, as_of: date) -> date:
    """The Monday of the latest week with a session on or before ``as_of`` (else of ``as_of``'s week),
    found in SQL rather than from every session's date."""
    sessions = sql_table("tutoring_session")
    latest = select(func.max(sessions.c.session_date).label("latest")).where(
        sessions.c.district_id == district,
        sessions.c.status == "active",
        sessions.c.session_date <= as_of,
    )
    found = pc.max(warehouse.query(latest)["latest"]).as_py() or as_of  # no row, or a null, when none
    return found - timedelta(days=found.weekday())


def _week_sessions(run: DistrictRun, week: date) -> Select:
    sessions = sql_table("tutoring_session")
    return select(sessions.c.source_id).where(
        sessions.c.district_id == run.district_id, sessions.c.status == "active", _in_week(week)
    )


def _in_week(week: date) -> ColumnElement[bool]:
    session_date = sql_table("tutoring_session").c.session_date
    return and_(session_date >= week, session_date <= week + timedelta(days=6))


def week_logs(run: DistrictRun, week: date) -> tuple[pa.Table, pa.Table]:
    """The sessions of the week starting ``week`` and their attendance: all the pulse reads of the logs."""
    attendance = sql_table("session_attendance")
    return (
        run.warehouse.read("tutoring_session", run.district_id, where=_in_week(week)),
        run.warehouse.read(
            "session_attendance",
            run.district_id,
            where=attendance.c.session_source_id.in_(_week_sessions(run, week)),
        ),
    )
