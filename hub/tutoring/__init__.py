"""Tutoring decisions: pure functions over Arrow tables, no I/O, in the order a night uses them::

    tiers = assign_tiers(results, students, policy)          # tier_assignment rows
    pyramid = tier_distribution(tiers, policy)               # per school x grade x subject
    cycles = plan_cycles(year_start, year_end, policy.cycle_weeks)
    outcome = run_cycle_boundary(memberships, tiers, gaps, results, groups, policy, boundary_date,
                                 domain_results=..., tutors=..., cycles=cycles, active_students=...)
    outcome.groups, outcome.memberships, outcome.untutored

The caller reads and writes the warehouse (``reads`` names the columns of the large tables the steps
read); every threshold lives in ``TutoringPolicy``. Inside, one module per step: tiers; entry, seating,
tutors and grouping (groups); seen, exits and cycles (boundaries: what one weighs, who leaves, the plan).
"""

from hub.tutoring.cycles import plan_cycles, run_cycle_boundary
from hub.tutoring.entry import eligible_students
from hub.tutoring.errors import TutoringError
from hub.tutoring.exits import LEFT_ROSTER_REASON, MAX_CYCLES_REASON
from hub.tutoring.grouping import Grouping, form_groups, open_memberships
from hub.tutoring.policy import HealthyRange, TutoringPolicy
from hub.tutoring.tiers import assign_tiers, tier_distribution

__all__ = [
    "LEFT_ROSTER_REASON",
    "MAX_CYCLES_REASON",
    "Grouping",
    "HealthyRange",
    "TutoringError",
    "TutoringPolicy",
    "assign_tiers",
    "eligible_students",
    "form_groups",
    "open_memberships",
    "plan_cycles",
    "run_cycle_boundary",
    "tier_distribution",
]
