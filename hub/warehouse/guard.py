"""The deletion guard: a bulk sync that would remove too much of a district stops before changing anything.

An SIS export cut short (a timeout, a filter left on) looks exactly like most students leaving. Better to
refuse the night's roster and say so than to drop their tutoring history.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from hub.errors import HubError

# What the guard watches: every bulk table of people, counted per role where the table has one, and the
# enrollments that tie them to classes. A header-only tutors file is as catastrophic as a header-only roster,
# and a session-log folder emptied of its earlier weeks as losing the season's dosage.
PEOPLE_BY_ROLE = "person"
GUARDED = (
    ("tutor profiles", "tutor_profile"),
    ("enrollments", "enrollment"),
    ("tutoring sessions", "tutoring_session"),
)


@dataclass(frozen=True, slots=True)
class PlannedDeletion:
    what: str
    removing: int
    active: int

    @property
    def fraction(self) -> float:
        return self.removing / self.active if self.active else 0.0


class DeletionGuardError(HubError):
    """Raised before any change; the message says what would go and how to approve it."""

    def __init__(self, district_id: str, over: list[PlannedDeletion], limit: float) -> None:
        self.district_id = district_id
        self.over = over
        self.limit = limit
        parts = [f"{d.removing} of {d.active} active {d.what} ({d.fraction:.1%})" for d in over]
        super().__init__(
            f"district {district_id}: this sync would remove {'; '.join(parts)}, more than the allowed "
            f"{limit:.0%} (max_delete_fraction). Nothing was changed. If the export is right, approve the "
            f"removal for this one run with `tutorhub sync --district {district_id} --allow-deletions` "
            f"(or the run config allow_deletions: true in the Dagster launchpad)."
        )


def planned_deletions(
    connection: Connection, district_id: str, doomed: dict[str, str]
) -> list[PlannedDeletion]:
    """Count, per guarded kind, the active rows that the ``doomed`` selections would remove.

    ``doomed`` maps a table name to the name of a temporary table holding the source_ids to be removed.
    People are counted per role (students, teachers, tutors, aides, ...), so that losing every tutor is
    not hidden behind a roster of students that did not change.
    """
    plans = []
    if PEOPLE_BY_ROLE in doomed:
        rows = connection.execute(
            text(
                f"SELECT role, COUNT(*), SUM({_removing(doomed[PEOPLE_BY_ROLE])}) FROM {PEOPLE_BY_ROLE} "
                "WHERE district_id = :district AND status = 'active' GROUP BY role ORDER BY role"
            ),
            {"district": district_id},
        ).all()
        plans += [
            PlannedDeletion(f"{role}s", int(removing or 0), int(active)) for role, active, removing in rows
        ]
    for what, table in GUARDED:
        if table not in doomed:
            continue
        active, removing = connection.execute(
            text(
                f"SELECT COUNT(*), SUM({_removing(doomed[table])}) FROM {table} "
                "WHERE district_id = :district AND status = 'active'"
            ),
            {"district": district_id},
        ).one()
        plans.append(PlannedDeletion(what, int(removing or 0), int(active)))
    return plans


def _removing(doomed: str) -> str:
    return f"CASE WHEN source_id IN (SELECT source_id FROM {doomed}) THEN 1 ELSE 0 END"


def check(district_id: str, plans: list[PlannedDeletion], limit: float, allow: bool) -> None:
    over = [plan for plan in plans if plan.removing and plan.fraction > limit]
    if over and not allow:
        raise DeletionGuardError(district_id, over, limit)
