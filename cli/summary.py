"""The end of `tutorhub sync` and `push`: one short summary per district, never a stack trace."""

from __future__ import annotations

import textwrap

from cli.night import DistrictOutcome


def render_outcome(outcome: DistrictOutcome, command: str, details: list[str] | None = None) -> list[str]:
    """What landed, what was refused and why, ``details`` (what the night decided), and what to do next,
    for one district."""
    state = "ok" if outcome.success else "FAILED"
    lines = [f"{outcome.district_id}: {state} (Dagster run {outcome.run_id})"]
    if outcome.landed:
        landed = ", ".join(f"{asset} {rows:,}" for asset, rows in outcome.landed.items())
        lines += textwrap.wrap(f"landed (rows): {landed}", 106, initial_indent="  ", subsequent_indent="    ")
    for message in outcome.failures:
        first, *rest = message.splitlines()
        lines.append(f"  failed: {first}")
        lines.extend(f"    {line}" for line in rest)
    for check in outcome.checks_failed:
        reason = outcome.refusals.get(check, "")
        if reason and any(reason in failure for failure in outcome.failures):
            lines.append(f"  refused: {check} (why: above)")  # the step's failure already said it
            continue
        lines.append(f"  refused: {check}")
        lines.extend(f"    {line}" for line in reason.splitlines() if line.strip())
    lines.extend(f"  {line}" for line in details or [])
    if outcome.success:
        lines.append("  next: `tutorhub push --dry-run` shows what the reports would send")
    else:
        lines.append(
            f"  next: fix what is named above, then `tutorhub {command} --district {outcome.district_id}`; "
            f"full details in the Dagster UI (`tutorhub ui`, run {outcome.run_id[:8]}) "
            "or with TUTORHUB_LOG_LEVEL=DEBUG"
        )
    return lines
