"""Impact's aggregates of one period: every figure with its n, district-wide and per school.

Each aggregate comes twice: district-wide (``comparison``, ``transitions``, ``subgroups``, ``dosage``,
``exits``) and with ``school_source_id`` among its keys (``schools``, ``school_transitions``, ...), so one
run serves the district report and every school dashboard. A student counts for their primary school
(``unknown`` without one), as in the comparison cells. The tables' schema metadata names their keys and
the counts each figure rests on, for ``suppress``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from hub.tutoring._arrow import within
from hub.tutoring._labels import relabel
from hub.tutoring.exits import CODE_LABELS, REGROUPED, reason_codes
from hub.tutoring.growth import STUDENT, TEST
from hub.tutoring.impact_policy import NO_SESSIONS, ImpactPeriod, ImpactPolicy
from hub.tutoring.impact_rows import SUBGROUP_FLAGS, UNKNOWN, with_subgroups

SCHOOL = "school_source_id"
SUBGROUPS = (*SUBGROUP_FLAGS, "race_ethnicity", "sex")
SUMMARY_FIGURES = {
    "n": ["n"],
    "mean_growth": ["n"],
    "pct_typical_n": ["pct_typical_n"],
    "mean_pct_typical": ["pct_typical_n"],
    "matched_n": ["matched_n"],
    "peer_n": ["peer_n"],
    "peer_mean_growth": ["matched_n", "peer_n"],
    "mean_difference": ["matched_n", "peer_n"],
}
"""Each figure of a summary and the counts it rests on (what ``suppress`` checks)."""
COUNT_FIGURES = {"n": ["n"]}
MOVES = ["cohort", "baseline_band", "latest_band"]
SCHOOL_TABLES = {
    "comparison": "schools",
    "transitions": "school_transitions",
    "subgroups": "school_subgroups",
    "dosage": "school_dosage",
    "exits": "school_exits",
}
"""Each district-wide aggregate and its per-school twin (the same columns plus ``school_source_id``)."""
PERIOD_KEYS = ["period", "school_year", "cycle"]
"""Every table's leading keys: the period's label, its school year, and its cycle (null for a year)."""
Made = tuple[list[str], list[str], Callable[[list[str]], pa.Table], dict[str, list[str]]]
"""How an aggregate is made: leading keys, trailing keys, the table for given leading keys, its figures."""


def aggregates(
    rows: pa.Table, demographics: pa.Table, exits: pa.Table, period: ImpactPeriod, policy: ImpactPolicy
) -> dict[str, pa.Table]:
    """The period's tables from its student rows (``impact_rows.student_rows``) and the ``exits`` in it.

    ``exits`` are every exit's date, subject, school and reason code (``exits_by_school``).
    """
    label = {"period": period.label, "school_year": period.school_year, "cycle": period.cycle}
    tutored = with_subgroups(rows.filter(rows["tutored"]), demographics)
    left = within(exits, "exit_date", period.start, period.end)
    tested, band = ["subject", *TEST], ["dosage_band"]
    moves = _transitions(rows, [*tested, SCHOOL, *MOVES])  # rolled up, not counted again
    made: dict[str, Made] = {
        "comparison": (tested, [], lambda by: _summary(tutored, by), SUMMARY_FIGURES),
        "transitions": (tested, MOVES, lambda by: _rolled_up(moves, [*by, *MOVES]), COUNT_FIGURES),
        "subgroups": (tested, ["subgroup", "value"], lambda by: _subgroups(tutored, by), SUMMARY_FIGURES),
        "dosage": (tested, band, lambda by: _summary(tutored, [*by, *band]), SUMMARY_FIGURES),
        "exits": (["subject"], ["reason_code"], lambda by: _exit_counts(left, by), COUNT_FIGURES),
    }
    order = {"dosage_band": [*policy.band_labels(), NO_SESSIONS]}
    tables = {"students": _keyed(tutored.drop_columns(["_cell", "tutored", "peer"]), label, STUDENT, {}, {})}
    for name, (by, detail, make, figures) in made.items():
        for table_name, front in [(name, by), (SCHOOL_TABLES[name], [*by, SCHOOL])]:
            tables[table_name] = _keyed(make(front), label, [*front, *detail], figures, order)
    return tables


def _summary(tutored: pa.Table, keys: list[str]) -> pa.Table:
    """Tutored students' growth per ``keys``, their peers' and the difference, each with its n."""
    stats = tutored.group_by(keys).aggregate(
        [
            ("growth", "count"),
            ("growth", "mean"),
            ("percent_progress_typical", "count"),
            ("percent_progress_typical", "mean"),
            ("difference", "count"),
            ("peer_mean_growth", "mean"),
            ("difference", "mean"),
        ]
    )
    stats = stats.rename_columns(
        {
            "growth_count": "n",
            "growth_mean": "mean_growth",
            "percent_progress_typical_count": "pct_typical_n",
            "percent_progress_typical_mean": "mean_pct_typical",
            "difference_count": "matched_n",
            "peer_mean_growth_mean": "peer_mean_growth",
            "difference_mean": "mean_difference",
        }
    )
    # peers are counted once per comparison cell the key's matched students fall in
    matched = tutored.select([*keys, "_cell", "peer_n"]).filter(pc.is_valid(tutored["difference"]))
    cells = matched.group_by([*keys, "_cell"]).aggregate([("peer_n", "max")])
    peers = cells.group_by(keys).aggregate([("peer_n_max", "sum")]).rename_columns([*keys, "peer_n"])
    stats = stats.join(peers, keys, join_type="left outer")
    stats = stats.set_column(stats.column_names.index("peer_n"), "peer_n", pc.fill_null(stats["peer_n"], 0))
    return stats.select([*keys, *SUMMARY_FIGURES])


def _subgroups(tutored: pa.Table, keys: list[str]) -> pa.Table:
    """The summary per subgroup value, every subgroup stacked under ``subgroup`` and ``value``."""
    parts = []
    for name in SUBGROUPS:
        part = _summary(tutored, [*keys, name]).rename_columns({name: "value"})
        parts.append(part.append_column("subgroup", pa.array([name] * part.num_rows, pa.string())))
    return pa.concat_tables(parts).select([*keys, "subgroup", "value", *SUMMARY_FIGURES])


def _transitions(rows: pa.Table, keys: list[str]) -> pa.Table:
    """Counts of students by baseline band and latest band, tutored and comparison peers apart."""
    cohort = pc.if_else(
        rows["tutored"], "tutored", pc.if_else(rows["peer"], "comparison", pa.scalar(None, pa.string()))
    )
    moved = rows.select(["person_source_id", *(key for key in keys if key != "cohort")])
    moved = moved.append_column("cohort", cohort)
    both = pc.and_(
        pc.is_valid(cohort), pc.and_(pc.is_valid(moved["baseline_band"]), pc.is_valid(moved["latest_band"]))
    )
    counts = moved.filter(both).group_by(keys).aggregate([("person_source_id", "count")])
    return counts.rename_columns([*keys, "n"])


def _rolled_up(counts: pa.Table, keys: list[str]) -> pa.Table:
    """Counts ``n`` added up to coarser ``keys`` (exact: they are whole numbers)."""
    return counts.group_by(keys).aggregate([("n", "sum")]).rename_columns([*keys, "n"])


def exits_by_school(memberships: pa.Table, students: pa.Table) -> pa.Table:
    """Every exit: its date, subject, the student's primary school and the reason's code (looked up once
    for all the periods measured). A move to another group at a boundary is no exit and is left out."""
    left = memberships.filter(pc.is_valid(memberships["exit_date"]))
    left = left.filter(pc.not_equal(reason_codes(left["exit_reason"]), REGROUPED))
    person = pc.index_in(left["person_source_id"], students["source_id"])
    school = pc.fill_null(students["primary_school_source_id"].take(person), UNKNOWN)
    return pa.table(
        {
            "exit_date": left["exit_date"],
            "subject": left["subject"],
            SCHOOL: school,
            "reason_code": reason_codes(left["exit_reason"]),
        }
    )


def _exit_counts(left: pa.Table, keys: list[str]) -> pa.Table:
    """Exits per ``keys`` and reason code, with the code's label for people."""
    keys = [*keys, "reason_code"]
    counts = left.group_by(keys).aggregate([("reason_code", "count")]).rename_columns([*keys, "n"])
    reason = relabel(counts["reason_code"], CODE_LABELS)
    return counts.select(keys).append_column("reason", reason).append_column("n", counts["n"])


def _keyed(
    table: pa.Table, label: dict, keys: list[str], figures: dict[str, list[str]], order: dict[str, list[str]]
) -> pa.Table:
    """The period's key columns (``PERIOD_KEYS``) in front, rows in key order, and what ``suppress`` needs.

    A key named in ``order`` sorts by its values' place there (dosage bands low to high), not as text.
    """
    ranked, order_by = table, []
    for key in keys:
        if key in order:
            rank = pc.index_in(table[key], pa.array(order[key], pa.string()))
            ranked = ranked.append_column(f"_{key}_rank", rank)
        order_by.append((f"_{key}_rank" if key in order else key, "ascending"))
    ordered = ranked.sort_by(order_by)
    columns = {
        "period": pa.array([label["period"]] * table.num_rows, pa.string()),
        "school_year": pa.array([label["school_year"]] * table.num_rows, pa.int64()),
        "cycle": pa.array([label["cycle"]] * table.num_rows, pa.string()),
    }
    table = pa.table({**columns, **{name: ordered[name] for name in table.column_names}})
    metadata = {"keys": json.dumps([*PERIOD_KEYS, *keys]), "figures": json.dumps(figures)}
    return table.replace_schema_metadata(metadata)
