"""What a boundary's reviews read of the session logs: the reviewed students' group sessions, joined in SQL.

Over a school year the logs are the warehouse's largest tables (at 20,000 students 1.8 M attendance rows
of 0.5 M sessions). Read whole and joined in Arrow, both tables and the join's copies stood beside the
whole replay. A boundary asks instead for the rows of the students it reviews, from the earliest day
their spans begin up to the boundary (``hub.tutoring.attendance``), and the warehouse joins each student's
attendance to its sessions and hands over only the columns ``ATTENDANCE_SCHEMA`` names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import ColumnElement, and_, select

from hub.model import sql_table
from hub.pipeline.id_batches import id_batches
from hub.pipeline.point_reads import PEOPLE_PER_READ
from hub.tutoring.attendance import ATTENDANCE_SCHEMA
from hub.tutoring.sessions import ATTENDED
from hub.warehouse import Warehouse


def group_attendance(warehouse: Warehouse, district: str, *narrowed: ColumnElement[bool]) -> pa.Table:
    """``ATTENDANCE_SCHEMA`` rows of the district's logs: who was scheduled for which group's session, and
    who came (active attendance rows of active sessions with a group), where ``narrowed`` holds."""
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
            *narrowed,
        )
    )
    logged = warehouse.query(query)
    came = pc.is_in(logged.column("attendance"), value_set=pa.array(ATTENDED))
    return pa.table([*logged.drop_columns(["attendance"]).columns, came], schema=ATTENDANCE_SCHEMA)


@dataclass(frozen=True, slots=True)
class StoredAttendance:
    """The district's logs in the warehouse, read for the students a boundary reviews
    (``hub.tutoring.attendance.AttendanceLog``), ``PEOPLE_PER_READ`` students a read."""

    warehouse: Warehouse
    district: str

    def of(self, people: pa.Array, first: date | None, before: date) -> pa.Table:
        if first is None or not len(people):
            return ATTENDANCE_SCHEMA.empty_table()
        attendance, sessions = sql_table("session_attendance"), sql_table("tutoring_session")
        span = [sessions.c.session_date >= first, sessions.c.session_date < before]
        return pa.concat_tables(
            group_attendance(
                self.warehouse,
                self.district,
                attendance.c.person_source_id.in_(batch),
                *span,
            )
            for batch in id_batches(people, PEOPLE_PER_READ)
        )
