"""When a step deriving rows from stored ones (tests of record, skill gaps) can skip its work.

Each such step keeps, in its ``step_state`` row, the policy it ran under and the sync run of its own last
write; a night on which neither its input tables nor that policy moved has nothing to redo.
"""

from __future__ import annotations

from hub.pipeline.context import DistrictRun
from hub.warehouse import StepRecord


def unchanged(run: DistrictRun, last: StepRecord, tables: list[str], policy_key: str) -> bool:
    """Whether neither the input ``tables`` nor the policy moved since the step last wrote (``last``)."""
    return (
        last.policy_key == policy_key
        and last.through_run is not None
        and not run.warehouse.changed_after(run.district_id, last.through_run, tables)
    )
