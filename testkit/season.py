"""The demo's season, run as the hub decides it: boundary by boundary, tutors following each decision.

At each cycle boundary up to the demo's as-of date, the hub's own decisions (``replay_boundaries``, the
function the night runs) are made on what the night will see then: the roster and tutors through their
connectors, the diagnostics written so far read back through theirs, the sessions logged so far. The
simulated tutors then meet the groups the hub has for that cycle (groups formed, exits, moves, reviews),
and the next window's tests respond to the tutoring received before it. Reading the final exports, the
night replays the same boundaries on the same evidence and so decides alike.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from connectors.iready import IReadyConfig, IReadySource
from connectors.iready.writer import write_iready
from connectors.nwea_map import MapConfig, MapSource
from connectors.nwea_map.writer import write_map
from connectors.oneroster_csv import OneRosterCsvConfig, OneRosterCsvSource
from connectors.session_log import SessionLogConfig, SessionLogSource
from connectors.session_log.writer import SeasonByCycle, TutoringSimulation
from hub.diagnostics import (
    DiagnosticsPolicy,
    active_identifiers,
    mark_test_of_record,
    match_students,
    skill_gaps,
)
from hub.model import students_of
from hub.pipeline.diagnostics import FILE_COLUMN
from hub.pipeline.tutoring import replay_boundaries, school_year_of
from hub.tutoring import Grouping, TutoringPolicy, open_memberships, plan_cycles
from hub.tutoring.cycles import ATTENDANCE_SCHEMA
from hub.tutoring.tutor_pool import roster_tutors
from testkit.synthetic import SyntheticDistrict

Echo = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the night reads of the diagnostics: tests of record, their domains, and the skill gaps."""

    results: pa.Table
    domains: pa.Table
    gaps: pa.Table


def read_diagnostics(
    district: SyntheticDistrict, identifiers: pa.Table, policy: DiagnosticsPolicy
) -> Evidence:
    """Write the district's i-Ready and MAP exports as they stand, and read them back as the night does."""
    with tempfile.TemporaryDirectory(prefix="tutorhub-demo-") as scratch:
        iready_dir, map_dir = Path(scratch) / "iready", Path(scratch) / "map"
        write_iready(district, iready_dir)
        write_map(district, map_dir)
        sources = (IReadySource(IReadyConfig(path=iready_dir)), MapSource(MapConfig(path=map_dir)))
        batches = [source.normalize(source.read()).tables for source in sources]
    matched = [
        match_students(batch["assessment_result"], identifiers, policy.id_precedence, file_column=FILE_COLUMN)
        for batch in batches
    ]
    results = mark_test_of_record(
        pa.concat_tables([outcome.results for outcome in matched], promote_options="default"),
        rapid_guessing_threshold=policy.rapid_guessing_threshold,
    )
    domains = pa.concat_tables([batch["domain_result"] for batch in batches])
    return Evidence(results, domains, skill_gaps(results, domains, policy.gap_thresholds))


def _attendance(simulation: TutoringSimulation) -> pa.Table:
    """The sessions logged so far as a review counts them (``ATTENDANCE_SCHEMA``)."""
    rows = simulation.season.attendance
    return pa.table(
        {
            "person_source_id": rows["student_id"],
            "group_source_id": simulation.season.sessions["group_id"].take(
                pc.index_in(rows["session_id"], simulation.season.sessions["session_id"])
            ),
            "session_date": rows["session_date"],
            "attended": pc.is_in(rows["attendance"], value_set=pa.array(["present", "tardy"])),
        },
        schema=ATTENDANCE_SCHEMA,
    )


def run_season(
    district: SyntheticDistrict, package: Path, tutors_file: Path, as_of: date, echo: Echo
) -> tuple[TutoringSimulation, Grouping | None]:
    """Decide every boundary up to ``as_of`` and simulate the cycle each opens (see the module).

    Leaves ``district.tutoring_effect`` answering the whole season, ready for the final exports.
    """
    diagnostics, tutoring = DiagnosticsPolicy(), TutoringPolicy()
    roster_source = OneRosterCsvSource(OneRosterCsvConfig(path=package))
    roster = roster_source.normalize(roster_source.read()).tables
    tutors_source = SessionLogSource(SessionLogConfig(path=tutors_file))
    profiles = tutors_source.normalize(tutors_source.read()).tables["tutor_profile"]
    people = roster["person"]
    tutors = roster_tutors(people, roster["person_role"], roster["school"], profiles, tutoring)
    students = students_of(people)
    identifiers = active_identifiers(roster["person_identifier"], people)
    cycles = plan_cycles(*school_year_of(roster["academic_session"], as_of), tutoring.cycle_weeks)
    starts = [start for start in sorted(cycles["start_date"].to_pylist()) if start <= as_of]
    windows = {window: district.window_dates(window)[0] for window in ("fall", "winter", "spring")}
    season, grouping, evidence, seen = SeasonByCycle(district), None, None, set()
    for number, start in enumerate(starts):
        started = {window for window, first in windows.items() if first < start}
        if evidence is None or started - seen:
            # A window's tests answer the tutoring before it began: all of it is simulated by now.
            district.tutoring_effect = season.simulation().effect
            evidence, seen = read_diagnostics(district, identifiers, diagnostics), started
        grouping = replay_boundaries(
            evidence.results,
            evidence.domains,
            students,
            tutors,
            cycles,
            [start],
            tutoring,
            evidence.gaps,
            grouping,
            _attendance(season.simulation()),
        )
        stop = starts[number + 1] if number + 1 < len(starts) else None
        season.cycle(grouping.groups, open_memberships(grouping.memberships), start, stop)
    simulation = season.simulation()
    district.tutoring_effect = simulation.effect
    echo(
        f"    decided {len(starts)} cycle boundaries as the hub will, and simulated each cycle's sessions "
        f"for the hub's groups ({simulation.season.sessions.num_rows:,} sessions)"
    )
    return simulation, grouping
