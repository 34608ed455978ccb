"""Impact's student rows: each student's growth in a period, beside who counts as tutored and as a peer.

Comparison peers share the school, grade, subject, vendor, measure and baseline proficiency band, and were not
tutored in the subject at any time in the school year. A tutored student's difference is their growth
minus the mean growth of their peers; cells without peers are left out of differences.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.tutoring._arrow import overlapping, within
from hub.tutoring.growth import STUDENT, key_codes
from hub.tutoring.impact_policy import NO_SESSIONS, ImpactPeriod, ImpactPolicy

CELL = ["subject", "vendor", "measure", "school_source_id", "grade", "baseline_band"]
UNKNOWN = "unknown"
SUBGROUP_FLAGS = ("english_learner", "disability", "economically_disadvantaged")
RACE_FLAGS = (
    "hispanic_or_latino",
    "two_or_more_races",
    "american_indian_or_alaska_native",
    "asian",
    "black_or_african_american",
    "native_hawaiian_or_other_pacific_islander",
    "white",
)
"""In the order federal reporting assigns one category: Hispanic first, then two or more races."""


def tutored_between(student_weeks: pa.Table, memberships: pa.Table, start: date, end: date) -> pa.Table:
    """Students tutored in a subject between ``start`` and ``end``, with the sessions they were given."""
    weeks = within(student_weeks, "week_start", start - timedelta(days=6), end)
    weeks = weeks.select([*STUDENT, "sessions_scheduled", "sessions_attended"])
    dose = weeks.group_by(STUDENT).aggregate([("sessions_scheduled", "sum"), ("sessions_attended", "sum")])
    member = overlapping(memberships, "entry_date", "exit_date", start, end)
    who = pa.concat_tables([weeks.select(STUDENT), member.select(STUDENT)]).group_by(STUDENT).aggregate([])
    return who.join(dose, STUDENT, join_type="left outer").rename_columns(
        [*STUDENT, "sessions_scheduled", "sessions_attended"]
    )


def _student_key(table: pa.Table) -> pa.ChunkedArray:
    return pc.binary_join_element_wise(table["person_source_id"], table["subject"], "\x1f")


def student_rows(
    grown: pa.Table,
    students: pa.Table,
    tutored_in: Callable[[date, date], pa.Table],
    period: ImpactPeriod,
    policy: ImpactPolicy,
) -> pa.Table:
    """One row per student and subject with a growth in the period: cohort, dosage and peers.

    ``grown`` are the students who grew in the period (``growth.YearTests.grown``); ``tutored_in(start,
    end)`` is ``tutored_between`` over the session weeks and memberships; a caller measuring a school year
    and its cycles hands in one that remembers the year's answer.
    Lookups go by position (index_in + take) rather than joins: the rows are many, the columns wanted few.
    """
    rows, person = grown, pc.index_in(grown["person_source_id"], students["source_id"])
    for name, source in [("school_source_id", "primary_school_source_id"), ("grade", "grade")]:
        rows = rows.append_column(name, pc.fill_null(students[source].take(person), UNKNOWN))
    key = _student_key(rows)
    tutored = tutored_in(period.start, period.end)
    found = pc.index_in(key, _student_key(tutored))
    year = ImpactPeriod.for_school_year(period.school_year)
    ever = _student_key(tutored_in(year.start, year.end))
    rows = (
        rows.append_column("sessions_scheduled", tutored["sessions_scheduled"].take(found))
        .append_column("sessions_attended", tutored["sessions_attended"].take(found))
        .append_column("tutored", pc.is_valid(found))
        .append_column("peer", pc.invert(pc.is_in(key, ever)))
    )
    rate = pc.divide(
        rows["sessions_attended"].cast(pa.float64()), rows["sessions_scheduled"].cast(pa.float64())
    )
    rate = pc.if_else(pc.greater(rows["sessions_scheduled"], 0), rate, pa.scalar(None, pa.float64()))
    rows = rows.append_column("attendance_rate", rate).append_column(
        "dosage_band", _bands(rows, rate, policy)
    )
    return _with_peers(rows)


def _bands(rows: pa.Table, rate: pa.ChunkedArray, policy: ImpactPolicy) -> pa.Array:
    """Each tutored student's dosage band by attendance rate (null rate: no sessions logged)."""
    values = pc.fill_null(rate, np.nan).to_numpy()
    band = np.searchsorted(np.asarray(policy.dosage_cuts), values, side="right")
    labels = pa.array([*policy.band_labels(), NO_SESSIONS], pa.string())
    band = np.where(np.isnan(values), len(labels) - 1, band)
    return labels.take(pa.array(band, mask=~rows["tutored"].to_numpy(zero_copy_only=False)))


def _with_peers(rows: pa.Table) -> pa.Table:
    """Each student's cell's peer count and mean growth; tutored students' difference from it.

    ``_cell`` (the comparison cell as one integer; unknown school, grade or band match only unknowns)
    stays on the rows for the summaries, which count each cell's peers once.
    """
    cell = key_codes(rows, CELL)
    peer = rows["peer"].to_numpy(zero_copy_only=False)
    growth = rows["growth"].to_numpy(zero_copy_only=False)
    count = np.bincount(cell[peer], minlength=cell.max(initial=-1) + 1)
    total = np.bincount(cell[peer], weights=growth[peer], minlength=len(count))
    peer_n, has_peers = count[cell], count[cell] > 0
    mean = np.divide(total[cell], peer_n, out=np.zeros(len(cell)), where=has_peers)
    tutored = rows["tutored"].to_numpy(zero_copy_only=False)
    return (
        rows.append_column("_cell", pa.array(cell))
        .append_column("peer_n", pa.array(peer_n))
        .append_column("peer_mean_growth", pa.array(mean, mask=~has_peers))
        .append_column("difference", pa.array(growth - mean, mask=~(has_peers & tutored)))
    )


def with_subgroups(rows: pa.Table, demographics: pa.Table) -> pa.Table:
    """Subgroups as text: yes / no / unknown; race and ethnicity as one reporting category; sex.

    Only tutored students' subgroups are reported, so only their rows need them.
    """
    person = pc.index_in(rows["person_source_id"], demographics["source_id"])
    for name in SUBGROUP_FLAGS:
        rows = rows.append_column(
            name, pc.fill_null(pc.if_else(demographics[name].take(person), "yes", "no"), UNKNOWN)
        )
    races = pa.table({name: demographics[name].take(person) for name in RACE_FLAGS})
    sex = pc.fill_null(demographics["sex"].take(person), UNKNOWN)
    return rows.append_column("sex", sex).append_column("race_ethnicity", _race_ethnicity(races))


def _race_ethnicity(rows: pa.Table) -> pa.Array:
    flags = {name: pc.fill_null(rows[name], False) for name in RACE_FLAGS}
    races = RACE_FLAGS[2:]
    count = flags[races[0]].cast(pa.int8())
    for name in races[1:]:
        count = pc.add(count, flags[name].cast(pa.int8()))
    conditions = [flags["hispanic_or_latino"], pc.or_(flags["two_or_more_races"], pc.greater(count, 1))]
    conditions += [flags[name] for name in races]
    chosen = pc.case_when(
        pc.make_struct(*conditions, field_names=[str(i) for i in range(len(conditions))]), *RACE_FLAGS
    )
    return pc.fill_null(chosen, UNKNOWN)
