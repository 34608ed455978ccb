"""What the hub derives from stored rows (tests of record, skill gaps), and when that work can be skipped.

A derived step records its writes under its own connector name and keeps the policy it ran under in its
connector state; a night on which neither its input tables nor that policy moved has nothing to redo.
"""

from __future__ import annotations

from hub.pipeline.context import DistrictRun

DERIVED = "diagnostics"  # the prefix of the connector names the hub's own derived writes are recorded under


def unchanged(run: DistrictRun, derived: str, state: dict, tables: list[str], policy_key: str) -> bool:
    """Whether neither the input ``tables`` nor the policy moved since the derived step last ran and saved
    ``state`` (its connector state)."""
    return state.get("policy") == policy_key and not run.warehouse.changed_since(
        run.district_id, derived, tables
    )
