"""Checked session rows onto the shared model: ``tutoring_session`` and ``session_attendance`` (whose
mastery checks the view ``progress_point`` shows as points)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from connectors.session_log import format as fmt
from connectors.session_log.mastery import checked_skill, mastery_percents
from connectors.session_log.reading import INSTANCE
from connectors.session_log.validate import whole_numbers
from hub.csvtext import first_rows
from hub.model import conform

SESSIONS, ATTENDANCE = "tutoring_session", "session_attendance"


@dataclass(frozen=True, slots=True)
class Normalized:
    """A log's rows on the shared model (the attendance rows carry the mastery checks' percents)."""

    sessions: pa.Table
    attendance: pa.Table


def normalized_blocks(rows: pa.Table | pa.RecordBatchReader) -> Normalized:
    """``rows`` normalized a block at a time (``normalized_stream``), then put together whole.

    A session whose rows lie in two blocks gives a head in each; the first stands (its rows agree, as was
    checked on reading), so the sessions come out as from the whole table, in order of first appearance.
    """
    blocks = list(normalized_stream(rows))
    heads = pa.concat_tables([block[SESSIONS] for block in blocks])
    _, first = first_rows(heads["source_id"])
    if len(first) < heads.num_rows:
        heads = heads.take(pa.array(first))
    return Normalized(heads, pa.concat_tables([block[ATTENDANCE] for block in blocks]))


def normalized_stream(rows: pa.Table | pa.RecordBatchReader) -> Iterator[dict[str, pa.Table]]:
    """Each block of a log's checked rows as its rows of ``tutoring_session`` and ``session_attendance``
    (a reader of no blocks: one block of no rows), so that a log larger than memory is never held whole;
    a session whose rows lie in two blocks gives the same head in each (``NormalizedBatch.blocks``)."""
    blocks = [rows] if isinstance(rows, pa.Table) else (pa.Table.from_batches([b]) for b in rows)
    empty = True
    for block in blocks:
        empty = False
        yield {SESSIONS: sessions_table(block), ATTENDANCE: attendance_table(block)}
    if empty:
        yield from normalized_stream(rows.schema.empty_table())


def latest_sessions(rows: pa.Table) -> tuple[pa.Table, int]:
    """Only the last-written copy of each session id (later file, later JSON line); and how many were older.

    A session id seen again is the tutor correcting the log: the newer copy replaces the older one whole.
    """
    wanted, superseded, _ = latest_copies(rows.select(["session_id", INSTANCE]))
    return latest_rows(rows, wanted), superseded


def latest_copies(keys: pa.Table) -> tuple[pa.Array | None, int, int]:
    """Of rows' ``session_id`` and ``_instance`` (``keys``): each session's last-written copy, as
    ``_copy`` keys (None when no session was written twice: every row stands); how many copies were
    older; how many sessions there are."""
    latest = keys.group_by("session_id").aggregate([(INSTANCE, "max")])
    copies = keys.group_by(["session_id", INSTANCE]).aggregate([]).num_rows
    if copies == latest.num_rows:
        return None, 0, latest.num_rows
    wanted = pc.binary_join_element_wise(
        latest["session_id"], latest[f"{INSTANCE}_max"].cast(pa.string()), "\x1f"
    )
    return wanted.combine_chunks(), copies - latest.num_rows, latest.num_rows


def latest_rows(rows: pa.Table, wanted: pa.Array | None) -> pa.Table:
    """The rows of the copies ``wanted`` (``latest_copies``); all of them, without a copy, for None."""
    if wanted is None:
        return rows
    keep = pc.binary_join_element_wise(rows["session_id"], rows[INSTANCE].cast(pa.string()), "\x1f")
    return rows.filter(pc.is_in(keep, value_set=wanted))


def sessions_table(rows: pa.Table) -> pa.Table:
    """One row per session id (its rows agree on these fields: that was checked on reading)."""
    _, first = first_rows(rows["session_id"])
    heads = rows.select(fmt.SESSION_COLUMNS).take(pa.array(first))
    subject, domain = checked_skill(heads["skills_covered"])
    return conform(
        SESSIONS,
        pa.table(
            {
                "source_id": heads["session_id"],
                "session_date": pc.strptime(heads["session_date"], format="%Y-%m-%d", unit="s").cast(
                    pa.date32()
                ),
                "start_time": heads["start_time"],
                "minutes": heads["minutes"].cast(pa.int64()),
                "tutor_person_source_id": heads["tutor_id"],
                "group_source_id": heads["group_id"],
                "skills_covered": heads["skills_covered"],
                "standards": heads["standards"],
                "notes": heads["notes"],
                "next_steps": heads["next_steps"],
                "subject": subject,
                "canonical_domain": domain,
            }
        ),
    )


def attendance_table(rows: pa.Table) -> pa.Table:
    """One row per student per session; a cancelled session's students are marked ``cancelled``.

    A blank minutes_present means the whole session for a present or tardy student, none otherwise. A check
    that makes a progress point is kept as its percent too (``connectors.session_log.mastery``).
    """
    cancelled = pc.equal(rows["session_status"], fmt.CANCELLED)
    attendance = pc.if_else(cancelled, fmt.CANCELLED, rows["attendance"])
    attended = pc.is_in(attendance, pa.array(fmt.ATTENDED))
    minutes = rows["minutes"].cast(pa.int64())
    given = whole_numbers(rows["minutes_present"])
    present = pc.coalesce(given, pc.if_else(attended, minutes, 0))
    return conform(
        ATTENDANCE,
        pa.table(
            {
                "source_id": attendance_ids(rows),
                "session_source_id": rows["session_id"],
                "person_source_id": rows["student_id"],
                "attendance": attendance,
                "minutes_present": present,
                "mastery_check": rows["mastery_check"],
                "mastery_percent": mastery_percents(rows),
            }
        ),
    )


def attendance_ids(rows: pa.Table) -> pa.ChunkedArray:
    """``session_attendance.source_id``: the session id and the student id."""
    return pc.binary_join_element_wise(rows["session_id"], rows["student_id"], ":")
