"""The night, written once: every step in the order it runs, what it reads and writes, and what it returns.

Dagster runs each step as one asset (``assets/``) for the schedules, the sensors, ``tutorhub sync`` and the
demo; tests and benchmarks run slices of the same steps (``run_steps``). So the order lives here and
nowhere else: read -> apply -> derive -> decide -> measure -> report -> push, one district at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from hub.connector import Stage
from hub.errors import HubError
from hub.pipeline.assessments import AssessmentLoad, load_assessments
from hub.pipeline.context import DistrictRun
from hub.pipeline.delivery import Pushed, Rendered, push_night, render_reports
from hub.pipeline.evidence import Analysis, district_dosage, district_impact, district_pulse
from hub.pipeline.gaps import GapSummary, district_skill_gaps
from hub.pipeline.packets import Packets, render_packets
from hub.pipeline.progress import ProgressSummary, monitor_progress
from hub.pipeline.roster import RosterLoad, load_roster
from hub.pipeline.sources import Applied, Extracted, extract, load_sessions
from hub.pipeline.tutoring import GroupDecision, Tiers, decide_tiers, plan_and_decide

R = TypeVar("R")

ROSTER = ("school", "academic_session", "course", "section", "person", "person_role", "person_identifier",
          "enrollment", "demographics")  # fmt: skip
GROUPS = ("cycle", "tutoring_group", "group_membership", "tutoring_review", "unplaced_entrant")


@dataclass(frozen=True, slots=True)
class Part:
    """A further asset key a step's writes are shown as, with the steps that part reads."""

    name: str
    reads: tuple[str, ...]

    @property
    def about(self) -> str:
        return ABOUT[self.name]


@dataclass(frozen=True, slots=True)
class Step(Generic[R]):
    name: str
    """the step's name, which is its asset key"""
    stage: str
    """the part of the night it belongs to (its asset group)"""
    reads: tuple[str, ...]
    """the steps (asset keys) whose output it reads: it runs after them"""
    writes: tuple[str, ...]
    """model tables it writes, or folders under the district's data dir"""
    run: Callable[[DistrictRun], R]
    """the work, for one district"""
    result: type[R]
    """what ``run`` returns: what the step did, for people (metadata) and for its checks"""
    parts: tuple[Part, ...] = ()

    @property
    def about(self) -> str:
        return ABOUT[self.name]


NIGHT: tuple[Step[Any], ...] = (
    Step("roster_extract", "roster", (), ("raw/",), extract(Stage.ROSTER), Extracted),
    Step("roster", "roster", ("roster_extract",), ROSTER, load_roster, RosterLoad),
    Step("diagnostics_extract", "diagnostics", (), ("raw/",), extract(Stage.DIAGNOSTICS), Extracted),
    Step("assessment_results", "diagnostics", ("diagnostics_extract", "roster"),
         ("assessment_result", "result_domains", "lesson_evidence"), load_assessments, AssessmentLoad),
    Step("skill_gaps", "diagnostics", ("assessment_results",), ("skill_gap",), district_skill_gaps,
         GapSummary),
    Step("sessions_extract", "sessions", (), ("raw/",), extract(Stage.SESSIONS), Extracted),
    Step("tutoring_sessions", "sessions", ("sessions_extract", "roster"),
         ("tutoring_session", "session_attendance", "tutor_profile", "stored_progress_point"), load_sessions,
         Applied),
    Step("tiers", "tutoring", ("assessment_results",), ("tier_assignment",), decide_tiers, Tiers),
    Step("tutoring_groups", "tutoring", ("tiers", "skill_gaps", "tutoring_sessions"), GROUPS,
         plan_and_decide, GroupDecision, parts=(Part("group_memberships", ("tiers", "skill_gaps")),)),
    Step("progress_monitoring", "tutoring",
         ("tutoring_groups", "group_memberships", "tutoring_sessions", "assessment_results"),
         ("stored_progress_point", "progress_goal"), monitor_progress, ProgressSummary),
    Step("dosage", "evidence", ("tutoring_sessions", "group_memberships"), ("analytics/dosage/",),
         district_dosage, Analysis),
    Step("weekly_pulse", "evidence",
         ("tutoring_sessions", "tutoring_groups", "group_memberships", "assessment_results",
          "progress_monitoring"),
         ("analytics/pulse/",), district_pulse, Analysis),
    Step("impact", "evidence", ("dosage", "group_memberships", "assessment_results"), ("analytics/impact/",),
         district_impact, Analysis),
    Step("alignment_reports", "delivery",
         ("weekly_pulse", "impact", "dosage", "tiers", "group_memberships", "progress_monitoring"),
         ("reports/",), render_reports, Rendered),
    Step("review_packets", "delivery",
         ("tutoring_groups", "group_memberships", "tiers", "tutoring_sessions", "assessment_results",
          "progress_monitoring"),
         ("reports/review_packet/",), render_packets, Packets),
    Step("report_pushes", "delivery", ("alignment_reports", "review_packets", "roster", "assessment_results"),
         ("push_target", "push_log"), push_night, Pushed),
)  # fmt: skip
"""The night in order: a step reads only what steps before it wrote."""

ABOUT = {
    "roster_extract": "Each roster source's export, read and checked, kept as Parquet in the district's data "
    "dir.",
    "roster": "The normalized roster (schools, sessions, courses, sections, people, enrollments, "
    "demographics, identifiers), applied to the warehouse in one transaction.",
    "diagnostics_extract": "Each diagnostics source's exports (i-Ready, MAP), read and checked, kept as "
    "Parquet.",
    "assessment_results": "Diagnostic results in one shape, matched to roster students, with one test of "
    "record per student, subject and window.",
    "skill_gaps": "Diagnosed skill gaps per student, subject, canonical domain and window, with severity.",
    "sessions_extract": "Tutors' session logs (CSV or JSON Lines) and tutor list, read and checked, kept as "
    "Parquet.",
    "tutoring_sessions": "Sessions, per-student attendance and tutor profiles in the warehouse; a session id "
    "seen again updates, never duplicates.",
    "tiers": "MTSS tier per student, subject and window from the test of record; the tier pyramid per "
    "school, grade and subject beside the healthy ranges.",
    "tutoring_groups": "Skill-targeted groups: one shared primary gap and grade, at most four, one tutor; "
    "the boundaries' reviews and the entrants not placed, with their reasons.",
    "group_memberships": "Who is in which group: entry date and evidence, exit date and reason, history "
    "kept.",
    "progress_monitoring": "Per open placement: the goal for its cycle, the aimline from baseline to goal, "
    "the points observed (mastery checks, progress CSV, diagnostics), the rate of improvement per week and "
    "the decision rule's signal (on track, adjust, raise the goal, too few points).",
    "dosage": "Per student and week: sessions scheduled and attended and minutes, against the plan (3 x 30 "
    "min a week, at most 4 students, one tutor), with under-dosed, oversized and tutor-change flags.",
    "weekly_pulse": "The week's update per group and per classroom teacher: who came, skills covered, "
    "growth, next steps.",
    "impact": "Growth of tutored students against comparison peers, band movement, subgroups, growth by "
    "dosage and exits, per cycle and school year; cells under the minimum n suppressed.",
    "alignment_reports": "Teacher (per section), tutor, school and district alignment reports for the week, "
    "rendered as self-contained HTML, CSV and JSON.",
    "review_packets": "Per school, the review meeting packet of the latest cycle boundary: each tutored "
    "student's decision (exit, continue, adjust, intensify, refer) with its evidence, the groups formed, "
    "merged and closed, and the tier pyramid; HTML and CSV, for the school's own folder.",
    "report_pushes": "The rendered reports and review meeting packets pushed to this district's own "
    "destinations (Canvas pages, OneRoster gradebook, files), each content at most once, audited in "
    "push_log.",
}
"""What each step's output is, as the Dagster UI describes its asset."""


@runtime_checkable
class Checked(Protocol):
    """A result carrying the step's blocking checks (name -> passed)."""

    @property
    def checks(self) -> Mapping[str, bool]: ...


class NightHeld(HubError):
    """A step's blocking check failed: the steps after it do not run on input it refused."""


def run_step(step: Step[R], run: DistrictRun) -> R:
    """Run one step for one district; a result with checks has them recorded (the push reads them)."""
    result = step.run(run)
    if isinstance(result, Checked):
        run.warehouse.record_step(run.district_id, step.name, checks=dict(result.checks))
    return result


def steps(names: Iterable[str]) -> list[Step[Any]]:
    """The steps of NIGHT named, in the night's order whatever order they were asked in."""
    wanted = set(names)
    unknown = wanted - {step.name for step in NIGHT}
    if unknown:
        raise ValueError(f"no step named {', '.join(sorted(unknown))}; the night's steps: {STEP_NAMES}")
    return [step for step in NIGHT if step.name in wanted]


def through(last: str) -> list[str]:
    """The names of the night's steps up to and including ``last``."""
    names = [step.name for step in NIGHT]
    return names[: names.index(last) + 1]


def run_steps(run: DistrictRun, names: Iterable[str]) -> dict[str, Any]:
    """Run the named steps in the night's order, as Dagster would one after another, outside Dagster.

    Stops, as Dagster's blocking checks do, at a step whose check failed. Returns each step's result.
    """
    results: dict[str, Any] = {}
    for step in steps(names):
        results[step.name] = result = run_step(step, run)
        failed = [name for name, passed in (result.checks if isinstance(result, Checked) else {}).items()
                  if not passed]  # fmt: skip
        if failed:
            raise NightHeld(
                f"district {run.district_id}: {step.name} failed its check(s) {', '.join(failed)}"
            )
    return results


STEP_NAMES = ", ".join(step.name for step in NIGHT)
