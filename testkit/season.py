"""The demo's season, run as the hub decides it: boundary by boundary, tutors following each decision.

At each cycle boundary up to the demo's as-of date, the hub's own decisions (``decide_boundaries``, the
function the night runs) are made on what the night will see then: the roster and tutors through their
connectors, the diagnostics written so far loaded by the night's own steps (into a scratch warehouse), the
sessions logged so far. The simulated tutors then meet the groups the hub has for that cycle (groups
formed, exits, moves, reviews), and the next window's tests respond to the tutoring received before it.
Reading the final exports, the night replays the same boundaries on the same evidence and so decides alike.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from connectors.iready.writer import write_iready
from connectors.nwea_map.writer import write_map
from connectors.oneroster_csv import OneRosterCsvConfig, OneRosterCsvSource
from connectors.session_log import SessionLogConfig, SessionLogSource
from connectors.session_log.writer import SeasonByCycle, TutoringSimulation
from hub.model import students_of
from hub.pipeline.context import DistrictRun
from hub.pipeline.domain_reads import StoredDomains
from hub.pipeline.night import run_steps, through
from hub.pipeline.tutoring import decide_boundaries, read_narrowed, school_year_of
from hub.plugins import installed
from hub.settings import load_hub_config
from hub.tutoring import Grouping, TutoringPolicy, open_memberships, plan_cycles
from hub.tutoring.attendance import ATTENDANCE_SCHEMA, LoggedAttendance
from hub.tutoring.tutor_pool import roster_tutors
from testkit.synthetic import SyntheticDistrict

Echo = Callable[[str], None]
SEASON = "season"  # the scratch district the season's diagnostics are loaded into


@contextmanager
def diagnostics_night(package: Path) -> Iterator[tuple[DistrictRun, Path]]:
    """A scratch district holding the roster of ``package``, whose i-Ready and MAP exports (written under
    the folder it yields) the night's own steps load."""
    with tempfile.TemporaryDirectory(prefix="tutorhub-demo-") as scratch:
        folder = Path(scratch)
        connectors = [
            {"name": "roster", "type": "oneroster_csv", "settings": {"path": str(package)}},
            {"name": "iready", "type": "iready", "settings": {"path": str(folder / "iready")}},
            {"name": "map", "type": "nwea_map", "settings": {"path": str(folder / "map")}},
        ]
        district = {"id": SEASON, "name": "Demo season", "timezone": "UTC", "connectors": connectors}
        config = folder / "hub.yaml"
        config.write_text(yaml.safe_dump({"data_dir": str(folder / "data"), "districts": [district]}))
        hub = load_hub_config(config)
        run = DistrictRun(hub, hub.district(SEASON), installed())
        try:
            run_steps(run, through("roster"))
            yield run, folder
        finally:
            run.close()


def load_diagnostics(district: SyntheticDistrict, run: DistrictRun, folder: Path) -> None:
    """Write the district's i-Ready and MAP exports as they stand, and load them through the night's steps
    (match, test of record, skill gaps), as the night will."""
    write_iready(district, folder / "iready")
    write_map(district, folder / "map")
    run_steps(run, ["diagnostics_extract", "assessment_results", "skill_gaps"])


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
    tutoring = TutoringPolicy()
    roster_source = OneRosterCsvSource(OneRosterCsvConfig(path=package))
    roster = roster_source.normalize(roster_source.read()).tables
    tutors_source = SessionLogSource(SessionLogConfig(path=tutors_file))
    profiles = tutors_source.normalize(tutors_source.read()).tables["tutor_profile"]
    people = roster["person"]
    tutors = roster_tutors(people, roster["person_role"], roster["school"], profiles, tutoring)
    students = students_of(people)
    cycles = plan_cycles(*school_year_of(roster["academic_session"], as_of), tutoring.cycle_weeks)
    starts = [start for start in sorted(cycles["start_date"].to_pylist()) if start <= as_of]
    windows = {window: district.window_dates(window)[0] for window in ("fall", "winter", "spring")}
    season, grouping, seen = SeasonByCycle(district), None, None
    with diagnostics_night(package) as (night, folder):
        for number, start in enumerate(starts):
            started = {window for window, first in windows.items() if first < start}
            if seen is None or started - seen:
                # A window's tests answer the tutoring before it began: all of it is simulated by now.
                district.tutoring_effect = season.simulation().effect
                load_diagnostics(district, night, folder)
                seen = started
            grouping = decide_boundaries(
                partial(read_narrowed, night),
                StoredDomains(night.warehouse, SEASON),
                students,
                tutors,
                cycles,
                [start],
                tutoring,
                grouping,
                LoggedAttendance(_attendance(season.simulation())),
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
