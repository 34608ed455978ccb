"""The progress step's points, read from the tables the view ``progress_point`` shows rather than through it.

Through the view, SQL builds every mastery check's id, measure and source for the whole district before
the step keeps its tutored students' points; reading the attendance columns and building the same rows in
Arrow is cheaper: 6.7 -> 4.6 s CPU for 1.72 M points at 20,000 students (SQLite). The rows, columns and
order are the view's (hub.model.progress): the stored points, then the checks in attendance order.

A year of mastery checks is most of a district's points, and the goal step reads few of them
(``goal_checks``): a placement's checks from its stretch on, and its baseline, the last on-target check
before the stretch. So the step reads the checks of the last ``SETTLING_DAYS`` before the earliest
stretch and the ones since; a student with an open placement whose baseline may lie before those (no
check on its skill between them and its stretch, yet tutored from before them) has all checks read.
Those checks come ordered by id, an order no query plan moves, so the goal step's ties in a day (two
checks of a series on one date) fall the same however they were read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import ColumnElement, Select, and_, select, true

from hub.model import sql_table
from hub.model.progress import STORED_POINTS
from hub.pipeline.id_batches import id_batches
from hub.pipeline.parts import WHOLE, StudentPart
from hub.progress.goals import entered_on
from hub.progress.measures import MASTERY
from hub.progress.series import COLUMNS
from hub.warehouse import Warehouse

CHECK_SOURCE = "session_log"
"""``progress_point.source`` of a mastery check (the view's, as migration 0012 defines it)."""
CHECK_COLUMNS = [
    "source_id",
    "person_source_id",
    "mastery_percent",
    "session_date",
    "subject",
    "canonical_domain",
]
"""A check's attendance columns, then its session's: what its point is made from."""
PEOPLE_PER_READ = 1_000
"""Students named in one read of their checks: a statement's IN list stays far below PostgreSQL's 65,535
parameters (the list is named twice) however many students' baselines are old."""
SETTLING_DAYS = 14
"""Days of checks read before the earliest stretch: with checks at every session, a placement tutored
since before them has its baseline among them (else its student's checks are all read)."""


def tutored_points(
    warehouse: Warehouse,
    district: str,
    people: pa.Array,
    checks: pa.Table | None = None,
    columns: Sequence[str] = COLUMNS,
    part: StudentPart = WHOLE,
    among: Select | ColumnElement | None = None,
) -> pa.Table:
    """The ``progress_point`` rows of ``people`` (the view's active ones), only ``columns`` (by default the
    goal step's ``COLUMNS``); of the mastery checks, those of ``checks`` (``CHECK_COLUMNS``) when the
    caller read fewer than all. Of the stored points, only those of students in ``part`` (which holds
    ``people``) and, when named, of the students ``among`` selects (ids that hold ``people``: a school
    part's). A reader that names no ``source_id`` (the reports) is spared each check's id, read as text
    and built again for every check of the district."""
    stored_person = sql_table(STORED_POINTS).c.person_source_id
    theirs = and_(part.holds(stored_person), true() if among is None else stored_person.in_(among))
    stored = warehouse.read(STORED_POINTS, district, columns=list(columns), where=theirs)
    stored = stored.filter(pc.is_in(stored["person_source_id"], value_set=people))
    if checks is None:
        held = part.holds(sql_table("session_attendance").c.person_source_id)
        checks = _checks(warehouse, district, held, true(), ids="source_id" in columns)
    checks = checks.filter(pc.is_in(checks["person_source_id"], value_set=people))
    rows = checks.num_rows
    built = {  # each column of the view's, made only if asked for
        "source_id": lambda: pc.binary_join_element_wise(f"{MASTERY}:", checks["source_id"], ""),
        "person_source_id": lambda: checks["person_source_id"],
        "source": lambda: pa.array(np.full(rows, CHECK_SOURCE)),
        "subject": lambda: checks["subject"],
        "canonical_domain": lambda: checks["canonical_domain"],
        "measure": lambda: pa.array(np.full(rows, MASTERY)),
        "observed_on": lambda: checks["session_date"],
        "score": lambda: checks["mastery_percent"],
        "goal_score": lambda: pa.nulls(rows, pa.float64()),
    }
    made = pa.table({name: built[name]() for name in columns})
    stored = stored.select(list(columns))
    return pa.concat_tables([stored, made.cast(stored.schema)])


def goal_checks(
    warehouse: Warehouse, district: str, placements: pa.Table, floor: date, part: StudentPart = WHOLE
) -> pa.Table:
    """The mastery checks the goal step reads of the open ``placements`` (``hub.progress.goals``), whose
    stretches start on ``floor`` or later, ordered by id: the module says which. Only checks of students
    in ``part`` (the placements' own)."""
    start = floor - timedelta(days=SETTLING_DAYS)
    recent = _recent_checks(warehouse, district, start, part)
    unsettled = _unsettled_people(placements, recent, start, floor)
    others = recent.filter(pc.invert(pc.is_in(recent["person_source_id"], value_set=unsettled)))
    return pa.concat_tables([others, checks_of(warehouse, district, unsettled)]).sort_by("source_id")


def _recent_checks(warehouse: Warehouse, district: str, start: date, part: StudentPart) -> pa.Table:
    """The checks (``CHECK_COLUMNS``) of students in ``part`` at sessions on ``start`` or later, in no
    order. One join: a part's sessions are found from its checks, not read for the whole district again
    at every part."""
    attendance, sessions = sql_table("session_attendance"), sql_table("tutoring_session")
    recent_sessions = select(sessions.c.source_id).where(
        sessions.c.district_id == district, sessions.c.session_date >= start
    )
    held = sessions.c.source_id == attendance.c.session_source_id
    query = (
        select(
            attendance.c.source_id,
            attendance.c.person_source_id,
            attendance.c.mastery_percent,
            sessions.c.session_date,
            sessions.c.subject,
            sessions.c.canonical_domain,
        )
        .join(sessions, and_(sessions.c.district_id == attendance.c.district_id, held))
        .where(
            attendance.c.district_id == district,
            attendance.c.status == "active",  # a session's own status does not count, as in the view
            attendance.c.mastery_percent.is_not(None),
            attendance.c.session_source_id.in_(recent_sessions),
            part.holds(attendance.c.person_source_id),
            sessions.c.session_date >= start,
        )
    )
    return warehouse.query(query)


def checks_of(warehouse: Warehouse, district: str, people: pa.Array, *, ids: bool = True) -> pa.Table:
    """Every check of ``people``, ``PEOPLE_PER_READ`` students a read: each student's in the order a
    read of theirs gives (``_checks``' columns)."""
    return pa.concat_tables(
        [_checks_of(warehouse, district, batch, ids=ids) for batch in id_batches(people, PEOPLE_PER_READ)]
    )


def _checks_of(warehouse: Warehouse, district: str, people: list[str], *, ids: bool) -> pa.Table:
    """Every check of ``people``, from the sessions they were checked at."""
    attendance, sessions = sql_table("session_attendance"), sql_table("tutoring_session")
    theirs = attendance.c.person_source_id.in_(people)
    their_sessions = select(attendance.c.session_source_id).where(
        attendance.c.district_id == district, attendance.c.mastery_percent.is_not(None), theirs
    )
    return _checks(warehouse, district, theirs, sessions.c.source_id.in_(their_sessions), ids=ids)


def _unsettled_people(placements: pa.Table, recent: pa.Table, start: date, floor: date) -> pa.Array:
    """Students of a placement tutored since before ``start`` with no ``recent`` check on its subject and
    skill (or on none) before its stretch: its baseline, if any, is older than the checks read."""
    entered = entered_on(placements)
    early = pa.table(
        {
            "person_source_id": placements["person_source_id"],
            "subject": placements["subject"],
            "_domain": placements["canonical_domain"],
            "_stretch": pc.max_element_wise(entered, pa.scalar(floor, pa.date32())),
            "_placement": pa.array(np.arange(placements.num_rows), pa.int64()),
        }
    ).filter(pc.less(entered, pa.scalar(start, pa.date32())))
    seen = recent.select(["person_source_id", "subject", "canonical_domain", "session_date"])
    pairs = early.join(seen, ["person_source_id", "subject"], join_type="inner")
    fits = pc.and_(
        pc.or_kleene(
            pc.is_null(pairs["canonical_domain"]), pc.equal(pairs["canonical_domain"], pairs["_domain"])
        ),
        pc.less(pairs["session_date"], pairs["_stretch"]),
    )
    settled = pairs.filter(pc.fill_null(fits, False))["_placement"]
    waiting = early.filter(pc.invert(pc.is_in(early["_placement"], value_set=settled)))
    return pc.unique(waiting["person_source_id"])


def _checks(
    warehouse: Warehouse,
    district: str,
    attendance_where: ColumnElement[bool],
    sessions_where: ColumnElement[bool],
    *,
    ids: bool = True,
) -> pa.Table:
    """The checks (attendance rows with a percent) ``attendance_where`` keeps, with their session's columns
    (``CHECK_COLUMNS``, without ``source_id`` unless ``ids``), read from the sessions ``sessions_where``
    keeps, which must hold theirs."""
    attendance = sql_table("session_attendance")
    checks = warehouse.read(
        "session_attendance",
        district,
        columns=[*(["source_id"] if ids else []), "session_source_id", "person_source_id", "mastery_percent"],
        where=and_(attendance.c.mastery_percent.is_not(None), attendance_where),
    )
    sessions = warehouse.read(
        "tutoring_session",
        district,
        active_only=False,  # as the view: an attendance row's own status stands
        columns=["source_id", "session_date", "subject", "canonical_domain"],
        where=sessions_where,
    )
    # index_in and take keep the checks' order (a hash join would not)
    session = pc.index_in(checks["session_source_id"], value_set=sessions["source_id"])
    checks = checks.filter(pc.is_valid(session))
    held = sessions.take(session.drop_null())
    return pa.table(
        {
            **{name: checks[name] for name in CHECK_COLUMNS[:3] if name in checks.column_names},
            **{name: held[name] for name in CHECK_COLUMNS[3:]},
        }
    )
