"""What report builders read: one district's warehouse tables and the tutoring decisions made from them.

The roster tables are required (a report without names, sections and schools addresses nobody); every
other input is optional, and a section whose input is missing says "No data yet." rather than failing, so
the first night of a district, before any session is logged, still gives every teacher a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import pyarrow as pa

from hub.errors import HubError
from hub.tutoring.dosage import Dosage, DosagePlan
from hub.tutoring.impact import Impact, ImpactPolicy
from hub.tutoring.policy import TutoringPolicy
from hub.tutoring.pulse import Pulse


class ReportError(HubError, ValueError):
    """Report inputs that cannot give a sound report; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class ReportInputs:
    """One district's tables (warehouse schemas, with or without the sync columns) for one week."""

    district_id: str
    week_start: date
    """The Monday of the reported week."""
    person: pa.Table
    section: pa.Table
    enrollment: pa.Table
    school: pa.Table
    course: pa.Table | None = None
    demographics: pa.Table | None = None
    assessment_result: pa.Table | None = None
    domain_result: pa.Table | None = None
    skill_gap: pa.Table | None = None
    tier_assignment: pa.Table | None = None
    tutoring_group: pa.Table | None = None
    group_membership: pa.Table | None = None
    tutoring_session: pa.Table | None = None
    session_attendance: pa.Table | None = None
    tutor_profile: pa.Table | None = None
    cycle: pa.Table | None = None
    tutoring_review: pa.Table | None = None
    unplaced_entrant: pa.Table | None = None
    """The boundaries' reviews and entrants not placed (hub.reports.decisions_view)."""
    progress_goal: pa.Table | None = None
    progress_point: pa.Table | None = None
    """Each placement's goal and the progress rule's signal, and the points behind them (the review meeting
    packet's evidence; hub.reports.progress_view)."""
    dosage: Dosage | None = None
    pulse: Pulse | None = None
    """The pulse of ``week_start`` (hub.tutoring.weekly_pulse)."""
    impact: Impact | None = None
    """District-wide impact (hub.tutoring.measure_impact): the district report's growth sections."""
    impact_by_school: Mapping[str, Impact] | None = None
    """The same per school (``impact_by_school``): each school dashboard's growth sections."""
    tier_distribution: pa.Table | None = None
    district_name: str | None = None
    policy: TutoringPolicy = field(default_factory=TutoringPolicy)
    plan: DosagePlan = field(default_factory=DosagePlan)
    impact_policy: ImpactPolicy = field(default_factory=ImpactPolicy)
    """Its ``min_n`` is the small-cell minimum of every aggregate in every report."""
    trend_weeks: int = 6
    """Weeks of dosage the dashboards show, ending with the reported week."""
    data_as_of: date | None = None
    """The date the district's data is as of (the night's as-of date); else the reported week's end."""

    def __post_init__(self) -> None:
        if self.trend_weeks < 1:
            raise ReportError(f"trend_weeks must be at least 1, not {self.trend_weeks}")
        if self.week_start.weekday() != 0:
            raise ReportError(
                f"week_start must be a Monday; {self.week_start.isoformat()} is a {self.week_start:%A}"
            )
        if self.pulse is not None and self.pulse.groups.num_rows:
            weeks = set(self.pulse.groups["week_start"].unique().to_pylist())
            if weeks != {self.week_start}:
                shown = ", ".join(sorted(week.isoformat() for week in weeks))
                raise ReportError(
                    f"the pulse is for the week of {shown}, the reports for {self.week_start.isoformat()}; "
                    "compute the pulse for the reported week"
                )

    @property
    def min_n(self) -> int:
        return self.impact_policy.min_n

    @property
    def as_of(self) -> date:
        return self.data_as_of or self.week_end

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)
