"""What a boundary's reviews read of the session logs: one row per student and group session, joined in SQL.

Over a school year the logs are the warehouse's largest tables (at 20,000 students 1.8 M attendance rows
of 0.5 M sessions). Read whole and joined in Arrow, both tables and the join's own copies stood beside the
replay: about 500 MB of the groups step's 1.2 GB peak. The warehouse joins them instead and hands over
only the columns ``ATTENDANCE_SCHEMA`` names, of the sessions logged against a group.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import and_, select

from hub.model import sql_table
from hub.tutoring.cycles import ATTENDANCE_SCHEMA
from hub.warehouse import Warehouse

ATTENDED = pa.array(["present", "tardy"])
"""The attendance values that count as having come to a session."""


def group_attendance(warehouse: Warehouse, district: str) -> pa.Table:
    """``ATTENDANCE_SCHEMA`` rows of the district's logs: who was scheduled for which group's session, and
    who came (active attendance rows of active sessions with a group)."""
    attendance, sessions = sql_table("session_attendance"), sql_table("tutoring_session")
    of_session = and_(
        sessions.c.district_id == attendance.c.district_id,
        sessions.c.source_id == attendance.c.session_source_id,
    )
    query = (
        select(
            attendance.c.person_source_id,
            sessions.c.group_source_id,
            sessions.c.session_date,
            attendance.c.attendance,
        )
        .join(sessions, of_session)
        .where(
            attendance.c.district_id == district,
            attendance.c.status == "active",
            sessions.c.status == "active",
            sessions.c.group_source_id.is_not(None),
        )
    )
    logged = warehouse.query(query)
    came = pc.is_in(logged.column("attendance"), value_set=ATTENDED)
    return pa.table([*logged.drop_columns(["attendance"]).columns, came], schema=ATTENDANCE_SCHEMA)
