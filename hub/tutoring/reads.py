"""The columns of the night's largest tables that the tutoring steps read: all a caller need read of them.

A boundary holds a district's tests and skill gaps side by side (domain results it asks for per test:
``hub.tutoring.domain_evidence``); the steps read about half of the tests' columns, and the rest would
only take room the work needs.
"""

from __future__ import annotations

from hub.tutoring.entry import GAP_COLUMNS
from hub.tutoring.exits import LATEST_COLUMNS
from hub.tutoring.growth import GROWTH_COLUMNS
from hub.tutoring.tiers import RESULT_COLUMNS

READS = {
    "assessment_result": [*dict.fromkeys([*RESULT_COLUMNS, *LATEST_COLUMNS, *GROWTH_COLUMNS])],
    "skill_gap": GAP_COLUMNS,
}
"""Per model table, the columns tiers, boundaries and impact read of it."""
