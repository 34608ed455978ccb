"""The roster step: the roster sources' newest extracts applied under the deletion guard, and its checks.

A refused sync is an outcome, not a crash: nothing was applied, and the step says why, so the night stops
there with the guard's message and the push stays held until IT approves or fixes the export.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.connector import Stage
from hub.pipeline.context import DistrictRun
from hub.pipeline.sources import ApplySummary, apply_stage
from hub.warehouse import DeletionGuardError

REFERENCE_REJECT_LIMIT = 0.01  # more than 1 % of rows pointing at nothing means the export is broken


@dataclass(frozen=True, slots=True)
class RosterLoad:
    summaries: list[ApplySummary]
    refused: str | None = None
    """the deletion guard's message when it refused the sync (then nothing was applied)"""

    @property
    def rows(self) -> int:
        return sum(change.rows for summary in self.summaries for change in summary.changes.values())

    @property
    def reference_rejects(self) -> int:
        """Rows rejected for pointing at a class, user or org the export does not hold."""
        return sum(summary.reference_rejects for summary in self.summaries)

    @property
    def fatal(self) -> dict[str, str]:
        """Files unreadable as a whole, as ``source/file`` -> reason."""
        return {f"{s.connector}/{name}": reason for s in self.summaries for name, reason in s.fatal.items()}

    @property
    def checks(self) -> dict[str, bool]:
        """The roster's blocking checks; a refused sync is the guard's failure alone."""
        if self.refused is not None:
            return {"deletion_guard": False}
        return {
            "deletion_guard": True,
            "referential_integrity": self.reference_rejects <= REFERENCE_REJECT_LIMIT * max(self.rows, 1),
            "files_readable": not self.fatal,
        }


def load_roster(run: DistrictRun) -> RosterLoad:
    try:
        return RosterLoad(apply_stage(run, Stage.ROSTER))
    except DeletionGuardError as refusal:
        return RosterLoad([], refused=str(refusal))
