"""Diagnostics between windows as progress points: each valid test of a tutored student on its own scale.

No public layout of i-Ready's Growth Monitoring export could be established (see README, "Progress
monitoring"), so growth checks are not read from a file of their own. What can be established is the
diagnostic itself: every valid test a tutored student takes (a window's test, or one given between
windows) is a point on the vendor's scale, so a placement without finer measures is still plotted
against a goal on that scale.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from hub.model import conform

PREFIX = "diagnostic:"
"""``progress_point.source_id`` of a test's point: this prefix and the test's source_id."""


def diagnostic_measure(vendor: pa.ChunkedArray, measure: pa.ChunkedArray) -> pa.ChunkedArray:
    """``iready_scale``; ``nwea_map_rit_reading`` (a MAP course is a scale of its own)."""
    course = pc.replace_substring_regex(pc.utf8_lower(measure), r"[^a-z0-9]+", "_")
    return pc.if_else(
        pc.is_valid(measure),
        pc.binary_join_element_wise(vendor, "rit", course, "_"),
        pc.binary_join_element_wise(vendor, "scale", "_"),
    )


def diagnostic_points(results: pa.Table, people: pa.Array) -> pa.Table:
    """``progress_point`` rows of the valid, dated, scored tests of ``people`` (rushed tests are left out:
    a rushed score says how the test was taken, not what the student knows)."""
    valid = results.filter(
        pc.and_(
            pc.and_(pc.is_in(results["person_source_id"], value_set=people), pc.invert(results["rushed"])),
            pc.and_(pc.is_valid(results["test_date"]), pc.is_valid(results["scale_score"])),
        )
    )
    return conform(
        "progress_point",
        pa.table(
            {
                "source_id": pc.binary_join_element_wise(PREFIX, valid["source_id"], ""),
                "person_source_id": valid["person_source_id"],
                "subject": valid["subject"],
                "canonical_domain": pa.nulls(valid.num_rows, pa.string()),
                "measure": diagnostic_measure(valid["vendor"], valid["measure"]),
                "observed_on": valid["test_date"],
                "score": valid["scale_score"],
                "goal_score": pa.nulls(valid.num_rows, pa.float64()),
                "source": valid["vendor"],
            }
        ),
    )


def stale_ids(stored: pa.Table, fresh: pa.Table) -> list[str]:
    """Stored diagnostic points no test stands behind any more (a test removed or now rushed)."""
    mine = stored.filter(pc.starts_with(stored["source_id"], PREFIX))
    gone = pc.invert(pc.is_in(mine["source_id"], value_set=fresh["source_id"]))
    return mine["source_id"].filter(gone).to_pylist()
