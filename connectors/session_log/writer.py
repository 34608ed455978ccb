"""Session logs for the synthetic district, in the hub's own format, and the growth they cause.

    write_tutors(district, out_dir)           # tutors.csv: who may tutor what, where, how much
    simulation = simulate_tutoring(district, groups=tutoring_groups, members=open_memberships)
    simulation.write(out_dir)                 # sessions.csv

    season = SeasonByCycle(district)          # or cycle by cycle, as the hub decides at each boundary:
    season.cycle(groups, memberships, start, stop)
    simulation = season.simulation()
    simulation.effect("math", "spring")       # grade levels gained from tutoring, per student

The effect answers dosage: about +0.35 grade levels per 30 hours attended at first, saturating towards
``EFFECT_CAP`` (tutored from September to spring testing, a student who came to nearly every session
gains about 0.4-0.5 grade levels; an under-dosed one about half that),
and nothing for students never tutored. Wire it into the district's ``tutoring_effect`` before the
diagnostics are written, so that the tests the hub reads show growth that follows dosage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from connectors.session_log import format as fmt
from hub.model import arrow_schema
from hub.skills import DOMAINS, label
from hub.tutoring import TutoringPolicy
from testkit.simulate.session_log import (
    Season,
    assign_tutors,
    attend,
    attendance_rates,
    form_groups,
    hub_groups,
    replacement_tutors,
    schedule,
    school_days,
)
from testkit.synthetic import SyntheticDistrict

EFFECT_CAP = 0.9  # grade levels
EFFECT_PER_30_HOURS = 0.35  # the slope at zero hours
# cap * (1 - exp(-hours / scale)) starts at that slope
_HOURS_SCALE = EFFECT_CAP * 30 / EFFECT_PER_30_HOURS
NOTES = (
    "Worked on {skill}: warm-up review, guided practice, exit ticket.",
    "{skill}: modelled two examples, then partner practice; most errors were careless.",
    "Short {skill} lesson with manipulatives; students explained their thinking aloud.",
)
NEXT_STEPS = (
    "Reteach the {skill} items missed on today's exit ticket.",
    "Move to harder {skill} problems; class teacher: please reinforce in small group.",
    "Quick {skill} check next session before moving on.",
)


@dataclass(eq=False)
class TutoringSimulation:
    """A simulated season for one synthetic district (see the module docstring)."""

    district: SyntheticDistrict
    season: Season
    _effects: dict[tuple[str, str], pa.Array] = field(default_factory=dict, repr=False)

    @property
    def groups(self) -> pa.Table:
        return self.season.groups

    @property
    def members(self) -> pa.Table:
        return self.season.members

    def hours(self, subject: str, before: date) -> np.ndarray:
        """Hours of tutoring each student attended in ``subject`` before a day, aligned to the students."""
        rows = self.season.attendance
        keep = pc.and_(
            pc.equal(rows["subject"], subject), pc.less(rows["session_date"], pa.scalar(before, pa.date32()))
        )
        picked = rows.filter(keep)
        minutes = np.bincount(
            picked["student"].to_numpy(),
            weights=picked["minutes_present"].to_numpy().astype(np.float64),
            minlength=self.district.students.num_rows,
        )
        return minutes / 60.0

    def effect(self, subject: str, window: str) -> pa.Array:
        """Grade levels gained from tutoring by the start of ``window``, per student (0 if untutored)."""
        key = (subject, window)
        if key not in self._effects:
            start, _ = self.district.window_dates(window)
            hours = self.hours(subject, start)
            self._effects[key] = pa.array(EFFECT_CAP * (1.0 - np.exp(-hours / _HOURS_SCALE)))
        return self._effects[key]

    def write(self, out_dir: Path) -> list[Path]:
        """``sessions.csv``: one row per student per session, in the documented format."""
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / "sessions.csv"
        pacsv.write_csv(self._log_rows(), path, pacsv.WriteOptions(quoting_style="needed"))
        return [path]

    def _log_rows(self) -> pa.Table:
        sessions, rows = self.season.sessions, self.season.attendance
        at = pc.index_in(rows["session_id"], sessions["session_id"])
        session = sessions.take(at)
        cancelled = session["cancelled"]
        template = pa.array(at.to_numpy() % len(NOTES))  # per session, so its rows agree
        domains = [domain for domains in DOMAINS.values() for domain in domains]
        names = pa.array([label(domain) for domain in domains], pa.string())
        skill = names.take(pc.index_in(session["canonical_domain"], pa.array(domains)))
        return pa.table(
            {
                "session_id": session["session_id"],
                "session_date": session["session_date"].cast(pa.string()),
                "start_time": session["start_time"],
                "minutes": session["minutes"],
                "tutor_id": session["tutor_id"],
                "group_id": session["group_id"],
                "session_status": pc.if_else(cancelled, fmt.CANCELLED, fmt.HELD),
                "skills_covered": session["canonical_domain"],
                "standards": pa.nulls(rows.num_rows, pa.string()),
                "notes": _templated(NOTES, template, skill, cancelled),
                "next_steps": _templated(NEXT_STEPS, template, skill, cancelled),
                "student_id": rows["student_id"],
                "attendance": pc.if_else(cancelled, pa.scalar(None, pa.string()), rows["attendance"]),
                "minutes_present": pc.if_else(
                    cancelled, pa.scalar(None, pa.int64()), rows["minutes_present"]
                ),
                "mastery_check": rows["mastery_check"],
            }
        )


def _templated(templates: tuple[str, ...], which: pa.Array, skill: pa.Array, cancelled: pa.Array) -> pa.Array:
    """One of a few sentences with the skill's name, per row (blank for cancelled sessions)."""
    parts = [template.split("{skill}") for template in templates]
    before = pa.array([head for head, _ in parts]).take(which)
    after = pa.array([tail for _, tail in parts]).take(which)
    text = pc.binary_join_element_wise(before, skill, after, "")
    return pc.if_else(cancelled, pa.scalar(None, pa.string()), text)


def write_tutors(district: SyntheticDistrict, out_dir: Path) -> Path:
    """``tutors.csv`` in the documented format: the district's tutors, with or without a simulated season."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{fmt.TUTORS_STEM}.csv"
    tutors = district.tutors
    columns = {
        "tutor_id": tutors["source_id"],
        "subjects": tutors["subjects"],
        "max_groups": tutors["max_groups"],
        "schools": tutors["school_source_id"],
    }
    pacsv.write_csv(pa.table(columns), path, pacsv.WriteOptions(quoting_style="needed"))
    return path


def simulate_tutoring(
    district: SyntheticDistrict,
    *,
    groups: pa.Table | None = None,
    members: pa.Table | None = None,
    group_size: int = TutoringPolicy().max_group_size,
) -> TutoringSimulation:
    """Simulate a season of tutoring for ``district`` (a ``testkit.synthetic.SyntheticDistrict``).

    With the hub's own ``groups`` (tutoring_group rows) and ``members`` (their open group_membership rows)
    every session is one of those groups' and led by its tutor, from the day the hub formed it. Without
    them the simulation groups students (at most ``group_size``, the hub's ``tutoring.max_group_size``)
    and assigns tutors by its own simple rules (ids ``grp-000123``).
    """
    if (groups is None) != (members is None):
        raise ValueError("simulate_tutoring: give the hub's groups and their members together, or neither")
    spec = district.spec
    days = school_days(spec.school_year)
    if groups is None or members is None:
        own_groups, members = form_groups(district, spec.rng("session_log.groups"), group_size)
        own_groups = own_groups.append_column("tutor_id", assign_tutors(own_groups, district.tutors))
        groups = own_groups.filter(pc.is_valid(own_groups["tutor_id"]))
        groups = groups.append_column("first_day", pa.array(np.repeat(days[:1], groups.num_rows)))
        members = members.filter(pc.is_in(members["group_id"], groups["group_id"]))
        replacements = replacement_tutors(groups, district.tutors)
    else:
        # the hub keeps one tutor per group, so its groups' logs name that tutor all season
        groups, members = hub_groups(groups, members, district.students)
        replacements = pa.nulls(groups.num_rows, pa.string())
    sessions = schedule(groups, replacements, days, spec.rng("session_log.sessions"))
    attendance = attend(district, sessions, groups, members, spec.rng("session_log.attendance"))
    return TutoringSimulation(district, Season(groups, members, sessions, attendance))


class SeasonByCycle:
    """A season simulated cycle by cycle: each cycle's sessions are those of the groups the hub had then.

    The demo decides a boundary, simulates the cycle it opens with ``cycle``, and only then decides the
    next: so tutors follow the hub's decisions (groups formed, exits, moves, reviews) boundary by boundary,
    and a student's attendance rate stays theirs all year.
    """

    def __init__(self, district: SyntheticDistrict) -> None:
        spec = district.spec
        self.district = district
        self.days = school_days(spec.school_year)
        self.rates = attendance_rates(district.students.num_rows, spec.rng("session_log.attendance_rates"))
        self.parts: list[Season] = []
        self.sessions = 0
        # An empty first part gives every table its columns, however few cycles have sessions.
        self.cycle(
            arrow_schema("tutoring_group").empty_table(), arrow_schema("group_membership").empty_table()
        )

    def cycle(
        self, groups: pa.Table, memberships: pa.Table, start: date | None = None, stop: date | None = None
    ) -> None:
        """Sessions from ``start`` up to ``stop`` (None: the season's end) of the hub's groups, for its open
        ``memberships`` (group_membership rows without an exit) and their groups' tutors."""
        days = self.days[self.days >= np.datetime64(start)] if start is not None else self.days[:0]
        if stop is not None:
            days = days[days < np.datetime64(stop)]
        meeting, members = hub_groups(groups, memberships, self.district.students)
        rng = self.district.spec.rng
        replacements = pa.nulls(meeting.num_rows, pa.string())
        sessions = schedule(
            meeting, replacements, days, rng(f"session_log.sessions.{start}"), self.sessions + 1
        )
        attendance = attend(
            self.district, sessions, meeting, members, rng(f"session_log.attendance.{start}"), self.rates
        )
        self.parts.append(Season(meeting, members, sessions, attendance))
        self.sessions += sessions.num_rows

    def simulation(self) -> TutoringSimulation:
        """The season so far, as one simulation (its ``effect`` counts every session logged so far)."""
        names = ("groups", "members", "sessions", "attendance")
        return TutoringSimulation(
            self.district,
            Season(*(pa.concat_tables([getattr(part, name) for part in self.parts]) for name in names)),
        )
