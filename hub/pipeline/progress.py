"""The progress-monitoring step: diagnostics as points, then every open placement's goal and signal.

Runs after the groups are decided and the session logs and progress files are applied, so that tonight's
points are judged against tonight's placements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import ColumnElement, and_, select

from hub.connector import NormalizedBatch, SyncMode
from hub.model import sql_table
from hub.model.progress import STORED_POINTS
from hub.pipeline.context import DistrictRun
from hub.pipeline.derived import unchanged
from hub.pipeline.parts import WHOLE, StudentPart, student_parts
from hub.pipeline.point_reads import goal_checks, tutored_points
from hub.pipeline.tutoring import as_of_date
from hub.progress import diagnostic_points, monitor
from hub.progress.goals import current_cycle, open_placements, stretch_floor
from hub.progress.points import PREFIX, stale_ids
from hub.progress.policy import SIGNAL_WORDS, SIGNALS
from hub.warehouse import Warehouse

POINTS_STATE = "progress_diagnostics"  # the connector name the hub's own diagnostic points are written under
STEP = "progress_monitoring"  # the night's step writing ``progress_goal``, whose step_state keeps its mark
READS = ["group_membership", "tutoring_group", "cycle", "assessment_result", "progress_point"]
"""What the goals are judged from (besides last night's goals, the step's own rows); the view
``progress_point`` stands for the tables it shows."""
RESULT_COLUMNS = [
    "source_id",
    "person_source_id",
    "subject",
    "vendor",
    "measure",
    "test_date",
    "scale_score",
    "typical_growth",
    "rushed",
]


@dataclass(frozen=True, slots=True)
class ProgressSummary:
    """What the night's progress monitoring found, in the words ``sync`` and the asset print."""

    placements: int
    signals: dict[str, int]
    changed: int
    """placements whose signal changed tonight"""

    def lines(self) -> list[str]:
        if not self.placements:
            return ["progress: no placement to monitor yet"]
        counts = ", ".join(
            f"{self.signals[signal]} {SIGNAL_WORDS[signal]}" for signal in SIGNALS if self.signals.get(signal)
        )
        return [
            f"progress: {self.placements} placement(s) monitored: {counts}; "
            f"{self.changed} signal(s) changed tonight"
        ]


def monitor_progress(run: DistrictRun) -> ProgressSummary:
    """The night's step: write the tutored students' diagnostic points and tonight's ``progress_goal``
    rows; what it found, by signal.

    Kept, reading nothing but the counts, while no sync changed what it reads since it last wrote and the
    night's date and the progress policy are the same (``signal_since`` and the aimline's reading follow
    the date: a later night is never the same night).

    Works one student part at a time (``part_students``), so its memory follows the part, not the district:
    each part's points are written as the part is done, tonight's goals (a row per open placement) all at
    once at the end, with the step's mark. A night stopped between leaves the mark where it was, so the
    next night does the step again (a part's points are the same rows again, whatever was written before).
    """
    warehouse, district = run.warehouse, run.district_id
    as_of = as_of_date(run)
    policy_key = f"{as_of.isoformat()}|{run.district.progress.model_dump_json()}"
    if unchanged(run, warehouse.step_record(district, STEP), READS, policy_key):
        return progress_summary(run)
    groups, cycles = warehouse.read("tutoring_group", district), warehouse.read("cycle", district)
    parts = student_parts(warehouse, district, run.district.part_students)
    goals = pa.concat_tables([part_goals(run, part, groups, cycles, as_of) for part in parts])
    # upserts: a placement that closed keeps the last reading it had while open (the review reads it);
    # the step's mark is this write's run, after its own points
    warehouse.apply_step(
        district,
        STEP,
        NormalizedBatch({"progress_goal": goals}, {"progress_goal": SyncMode.DELTA}),
        policy_key=policy_key,
    )
    return summarized(goals, as_of)


def part_goals(
    run: DistrictRun, part: StudentPart, groups: pa.Table, cycles: pa.Table, as_of: date
) -> pa.Table:
    """Write the diagnostic points of the tutored students in ``part``; tonight's goals of their placements.

    A part's stale points are its stored ones (by the point's student) that no test of the part stands
    behind: a test moved to a student of a later part is marked deleted here and written again there, one
    of an earlier part was already written under its new student, so the stored points end as one part
    leaves them, and each part's goals read only its own students' current points."""
    warehouse, district = run.warehouse, run.district_id
    memberships = warehouse.read("group_membership", district, where=_held(part, "group_membership"))
    results = warehouse.read(
        "assessment_result", district, columns=RESULT_COLUMNS, where=_held(part, "assessment_result")
    )
    tutored = pc.unique(memberships["person_source_id"])
    fresh = diagnostic_points(results, tutored)
    warehouse.apply(
        district,
        POINTS_STATE,
        NormalizedBatch(
            {"progress_point": fresh},
            {"progress_point": SyncMode.DELTA},
            deletes={"progress_point": stale_ids(stored_diagnostic_ids(warehouse, district, part), fresh)},
        ),
        max_delete_fraction=1.0,
    )
    floor = stretch_floor(current_cycle(cycles, as_of), as_of)
    checks = goal_checks(warehouse, district, open_placements(memberships, groups, as_of), floor, part)
    return monitor(
        memberships,
        groups,
        cycles,
        tutored_points(warehouse, district, tutored, checks, part=part),
        results.filter(pc.is_in(results["person_source_id"], value_set=tutored)),
        warehouse.read("progress_goal", district, where=_of_placements(district, part)),
        run.district.progress,
        as_of,
    )


def _held(part: StudentPart, table: str) -> ColumnElement[bool]:
    """``table``'s rows of students in ``part``."""
    return part.holds(sql_table(table).c.person_source_id)


def _of_placements(district: str, part: StudentPart) -> ColumnElement[bool]:
    """Last night's goals of the part's placements, by the placement's student now (a goal's id is its
    membership's), so a goal is found whichever student it was written under."""
    memberships = sql_table("group_membership")
    placements = select(memberships.c.source_id).where(
        memberships.c.district_id == district, part.holds(memberships.c.person_source_id)
    )
    return sql_table("progress_goal").c.source_id.in_(placements)


def stored_diagnostic_ids(warehouse: Warehouse, district: str, part: StudentPart = WHOLE) -> pa.Table:
    """source_id of the district's stored points whose id has the diagnostic prefix (and, on SQLite,
    whose LIKE ignores case, a few more that ``stale_ids`` leaves out), of the students in ``part``: only
    the hub's own diagnostic points can be stale here, and the district's other points are many. Read from
    the stored points' table, not the view: the session logs' checks are never diagnostic points."""
    prefixed = sql_table(STORED_POINTS).c.source_id.startswith(PREFIX, autoescape=True)
    return warehouse.read(
        STORED_POINTS, district, columns=["source_id"], where=and_(prefixed, _held(part, STORED_POINTS))
    )


def summarized(goals: pa.Table, as_of: date) -> ProgressSummary:
    """Counts of the placements judged on ``as_of``, by signal, and how many changed that night."""
    tonight = goals.filter(pc.equal(goals["evaluated_on"], pa.scalar(as_of, pa.date32())))
    counts = pc.value_counts(tonight["signal"]).to_pylist() if tonight.num_rows else []
    changed = pc.sum(pc.equal(tonight["signal_since"], pa.scalar(as_of, pa.date32()))).as_py() or 0
    return ProgressSummary(tonight.num_rows, {c["values"]: c["counts"] for c in counts}, changed)


def progress_summary(run: DistrictRun) -> ProgressSummary:
    """The latest night's progress monitoring, from the warehouse (what ``sync`` prints)."""
    goals = run.warehouse.read(
        "progress_goal", run.district_id, columns=["signal", "signal_since", "evaluated_on"]
    )
    return summarized(goals, as_of_date(run))
