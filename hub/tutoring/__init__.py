"""Tutoring decisions: pure functions over Arrow tables, no I/O, in the order a night uses them::

    tiers = assign_tiers(results, students, policy)          # tier_assignment rows
    pyramid = tier_distribution(tiers, policy)               # per school x grade x subject
    cycles = plan_cycles(year_start, year_end, policy.cycle_weeks)
    tutors = roster_tutors(people, person_roles, schools, tutor_profiles, policy)
    outcome = run_cycle_boundary(memberships, tiers, gaps, results, groups, policy, boundary_date,
                                 domain_results=..., tutors=tutors, cycles=cycles, active_students=...,
                                 attendance=..., past_reviews=...)
    outcome.groups, outcome.memberships, outcome.reviews, outcome.unplaced, outcome.untutored

The caller reads and writes the warehouse (``reads`` names the columns of the large tables the steps
read); every threshold lives in ``TutoringPolicy``. Inside, one module per step: tiers; entry, seating,
tutor_pool, tutors and grouping (groups); seen, exits, reviews, regroup and cycles (boundaries: what one
weighs, who leaves, who is reviewed, which small groups merge, the plan).
"""

from hub.tutoring.cycles import plan_cycles, run_cycle_boundary
from hub.tutoring.entry import eligible_students
from hub.tutoring.errors import TutoringError
from hub.tutoring.exits import LEFT_ROSTER_REASON, MAX_CYCLES_REASON
from hub.tutoring.grouping import Grouping, form_groups, open_memberships
from hub.tutoring.policy import HealthyRange, TutoringPolicy
from hub.tutoring.tiers import assign_tiers, tier_distribution
from hub.tutoring.tutor_pool import roster_tutors

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
    "roster_tutors",
    "run_cycle_boundary",
    "tier_distribution",
]
