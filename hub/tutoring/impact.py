"""Impact: did tutored students grow more than students like them who were not tutored?

Growth is the change in scale score on the test of record, from the baseline to the latest test of the
same vendor and school year. The baseline is the last test on or before the period's start (for a school
year, the first test of the year; for a cycle, the test that opened it), else the first test inside the
period; the latest is the last test after the baseline and on or before the period's end. Scale points
of different vendors are not comparable, so every figure is per vendor. Beside it, where the vendor
reports it, is the latest test's percent progress to typical annual growth (i-Ready measures it from its
own baseline of the year).

Comparison peers share the school, grade, subject, vendor and baseline proficiency band, and were not
tutored in the subject at any time in the school year. A tutored student's difference is their growth
minus the mean growth of their peers; cells without peers are left out of differences (``matched_n``).

Every figure carries its n; ``suppress`` blanks cells whose n is below a minimum wherever aggregates
leave the hub (reports, dashboards, metadata).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, field_validator

from hub.tutoring._labels import school_year_text
from hub.tutoring.dosage import require
from hub.tutoring.errors import TutoringError

STUDENT = ["person_source_id", "subject"]
CELL = ["subject", "vendor", "school_source_id", "grade", "baseline_band"]
NO_SESSIONS = "no sessions logged"
UNKNOWN = "unknown"
SUBGROUP_FLAGS = ("english_learner", "disability", "economically_disadvantaged")
RACE_FLAGS = (
    "hispanic_or_latino",
    "two_or_more_races",
    "american_indian_or_alaska_native",
    "asian",
    "black_or_african_american",
    "native_hawaiian_or_other_pacific_islander",
    "white",
)
"""In the order federal reporting assigns one category: Hispanic first, then two or more races."""
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


class ImpactPolicy(BaseModel):
    """How impact is reported (hub.yaml ``tutoring.impact``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_n: int = Field(default=10, ge=1, description="cells with fewer students are suppressed")
    dosage_cuts: tuple[float, ...] = Field(
        default=(0.5, 0.8), min_length=1, description="attendance-rate cut points of the dosage bands"
    )

    @field_validator("dosage_cuts")
    @classmethod
    def _increasing(cls, cuts: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0 < cut < 1 for cut in cuts) or list(cuts) != sorted(set(cuts)):
            raise ValueError("dosage_cuts must rise strictly, each between 0 and 1 (0.5 = 50 %)")
        return cuts

    def band_labels(self) -> list[str]:
        """``<50 %``, ``50-79 %``, ``>=80 %`` for the default cuts."""
        percents = [round(cut * 100) for cut in self.dosage_cuts]
        middle = [f"{low}-{high - 1} %" for low, high in pairwise(percents)]
        return [f"<{percents[0]} %", *middle, f">={percents[-1]} %"]


@dataclass(frozen=True, slots=True)
class ImpactPeriod:
    """A span impact is measured over: a school year, or one progress-monitoring cycle."""

    label: str
    school_year: int
    start: date
    end: date

    @classmethod
    def for_school_year(cls, school_year: int) -> ImpactPeriod:
        """July 1 to June 30 of the school year ending in ``school_year``, labelled ``2025-26``."""
        label = school_year_text(pa.array([school_year]))[0].as_py()
        return cls(label, school_year, date(school_year - 1, 7, 1), date(school_year, 6, 30))

    @classmethod
    def for_cycles(cls, cycles: pa.Table) -> list[ImpactPeriod]:
        """One period per row of the ``cycle`` table, labelled ``cycle 3``."""
        require(cycles, ["school_year", "sequence", "start_date", "end_date"], "cycle")
        return [
            cls(f"cycle {row['sequence']}", row["school_year"], row["start_date"], row["end_date"])
            for row in cycles.sort_by([("school_year", "ascending"), ("sequence", "ascending")]).to_pylist()
        ]


AGGREGATES = ("comparison", "schools", "transitions", "subgroups", "dosage", "exits")


@dataclass(frozen=True, slots=True)
class Impact:
    """Aggregates, each figure with its n (``suppressed()`` before they leave the hub), and ``students``:
    one row per tutored student and subject with their growth, peers and dosage (never leaves the hub)."""

    students: pa.Table
    comparison: pa.Table
    schools: pa.Table
    transitions: pa.Table
    subgroups: pa.Table
    dosage: pa.Table
    exits: pa.Table
    min_n: int = 10

    def suppressed(self) -> dict[str, pa.Table]:
        """Every aggregate with cells under the policy's ``min_n`` blanked: what may leave the hub."""
        return {name: suppress(getattr(self, name), self.min_n) for name in AGGREGATES}


TEST_COLUMNS = ["source_id", *STUDENT, "vendor", "test_date", "scale_score", "proficiency_band", "placement"]
BASELINE = {
    "source_id": "baseline_result_source_id",
    "test_date": "baseline_date",
    "scale_score": "baseline_scale",
    "proficiency_band": "baseline_band",
}
LATEST = {
    "source_id": "latest_result_source_id",
    "test_date": "latest_date",
    "scale_score": "latest_scale",
    "proficiency_band": "latest_band",
    "placement": "latest_placement",
}


ROW_BITS = 26  # row numbers up to 67 million ride in the low bits of a rank code
DAY_SPAN = 1 << 20  # days since 1970 and distances between dates stay below this


def key_codes(table: pa.Table, columns: list[str]) -> np.ndarray:
    """One int64 per row that is equal exactly where all ``columns`` are (nulls equal nulls).

    Integer keys group and match much faster than several string columns at millions of rows.
    """
    codes = np.zeros(table.num_rows, dtype=np.int64)
    for name in columns:
        encoded = pc.dictionary_encode(table[name].combine_chunks(), null_encoding="encode")
        codes = codes * (len(encoded.dictionary) + 1) + encoded.indices.to_numpy(zero_copy_only=False)
    return codes


def first_rows(keys: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Row numbers (ascending) of the lowest ``rank`` per key (0 <= rank < 2**37; ties: the earlier row)."""
    code = (rank.astype(np.int64) << ROW_BITS) | np.arange(len(keys), dtype=np.int64)
    best = pa.table({"key": keys, "code": code}).group_by("key").aggregate([("code", "min")])
    return np.sort(best["code_min"].to_numpy() & ((1 << ROW_BITS) - 1))


def _days(dates: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return pc.cast(dates, pa.int32()).to_numpy(zero_copy_only=False).astype(np.int64)


def growth_between(results: pa.Table, start: date | pa.Table, end: date, school_year: int) -> pa.Table:
    """Per student and subject: baseline and latest test of record up to ``end``, and the growth.

    ``start`` is one date for everybody (impact) or a table of person_source_id, subject, start (the
    weekly pulse: each student's entry into tutoring); only those students are then measured. Shared by
    both, so that a teacher reads the same growth that impact reports.
    """
    needed = [*TEST_COLUMNS, "school_year", "percent_progress_typical", "is_test_of_record"]
    require(results, needed, "assessment_result")
    kept = pc.and_(
        pc.and_(
            pc.fill_null(results["is_test_of_record"], False), pc.equal(results["school_year"], school_year)
        ),
        pc.and_(pc.is_valid(results["scale_score"]), pc.less_equal(results["test_date"], end)),
    )
    kept = pc.and_(kept, pc.is_valid(results["person_source_id"]))
    tests = results.select([*TEST_COLUMNS, "percent_progress_typical"]).filter(kept)
    if isinstance(start, pa.Table):
        tests = tests.join(start.select([*STUDENT, "start"]), STUDENT, join_type="inner")
        start_days: np.ndarray | int = _days(tests["start"])
    else:
        start_days = _days(pa.array([start], pa.date32()))[0]
    days = _days(tests["test_date"])
    student = key_codes(tests, STUDENT)
    same_vendor = student * 64 + key_codes(tests, ["vendor"])
    # the last test on or before the start, else the first one after it; and each vendor's last test
    base = first_rows(student, np.where(days > start_days, DAY_SPAN + days - start_days, start_days - days))
    last = first_rows(same_vendor, DAY_SPAN - days)
    last = last[np.argsort(same_vendor[last])]
    latest = last[np.searchsorted(same_vendor[last], same_vendor[base])]
    newer = pa.array(days[latest] > days[base])
    grown = tests.take(pa.array(base)).select([*STUDENT, "vendor", *BASELINE]).rename_columns(BASELINE)
    later = tests.take(pa.array(latest))
    for name, label in [*LATEST.items(), ("percent_progress_typical", "percent_progress_typical")]:
        grown = grown.append_column(label, pc.if_else(newer, later[name], pa.scalar(None, later[name].type)))
    return grown.append_column("growth", pc.subtract(grown["latest_scale"], grown["baseline_scale"]))


def measure_impact(
    results: pa.Table,
    students: pa.Table,
    demographics: pa.Table,
    student_weeks: pa.Table,
    memberships: pa.Table,
    periods: Sequence[ImpactPeriod],
    policy: ImpactPolicy | None = None,
) -> Impact:
    """Impact over each period, stacked under a ``period`` key (the period's label) and ``school_year``.

    ``students``: person rows (source_id, primary_school_source_id, grade); ``demographics``: one row per
    person; ``student_weeks``: ``Dosage.student_weeks``; ``memberships``: group_membership rows (a member
    counts as tutored even in weeks no session was logged for them).
    """
    policy = policy or ImpactPolicy()
    if not periods:
        raise TutoringError("impact needs at least one period (a school year or a cycle)")
    require(students, ["source_id", "primary_school_source_id", "grade"], "students (person)")
    require(demographics, ["source_id", *SUBGROUP_FLAGS, "sex", *RACE_FLAGS], "demographics")
    require(
        student_weeks, [*STUDENT, "week_start", "sessions_scheduled", "sessions_attended"], "student weeks"
    )
    require(memberships, [*STUDENT, "entry_date", "exit_date", "exit_reason"], "group_membership")
    parts = []
    for period in periods:
        rows = _student_rows(results, students, demographics, student_weeks, memberships, period, policy)
        parts.append(_aggregates(rows, memberships, period))
    return Impact(**{name: _stack([part[name] for part in parts]) for name in parts[0]}, min_n=policy.min_n)


def _stack(tables: list[pa.Table]) -> pa.Table:
    return pa.concat_tables(tables).replace_schema_metadata(tables[0].schema.metadata)


def _tutored(student_weeks: pa.Table, memberships: pa.Table, start: date, end: date) -> pa.Table:
    """Students tutored in a subject between ``start`` and ``end``, with the sessions they were given."""
    weeks = student_weeks.select([*STUDENT, "sessions_scheduled", "sessions_attended"]).filter(
        pc.and_(
            pc.greater_equal(student_weeks["week_start"], start - timedelta(days=6)),
            pc.less_equal(student_weeks["week_start"], end),
        )
    )
    dose = weeks.group_by(STUDENT).aggregate([("sessions_scheduled", "sum"), ("sessions_attended", "sum")])
    member = memberships.filter(
        pc.and_(
            pc.less_equal(memberships["entry_date"], end),
            pc.fill_null(pc.greater_equal(memberships["exit_date"], start), True),
        )
    )
    who = pa.concat_tables([weeks.select(STUDENT), member.select(STUDENT)]).group_by(STUDENT).aggregate([])
    return who.join(dose, STUDENT, join_type="left outer").rename_columns(
        [*STUDENT, "sessions_scheduled", "sessions_attended"]
    )


def _student_key(table: pa.Table) -> pa.ChunkedArray:
    return pc.binary_join_element_wise(table["person_source_id"], table["subject"], "\x1f")


def _student_rows(
    results: pa.Table,
    students: pa.Table,
    demographics: pa.Table,
    student_weeks: pa.Table,
    memberships: pa.Table,
    period: ImpactPeriod,
    policy: ImpactPolicy,
) -> pa.Table:
    """One row per student and subject with a growth in the period: cohort, dosage, peers, subgroups.

    Lookups go by position (index_in + take) rather than joins: the rows are many, the columns wanted few.
    """
    grown = growth_between(results, period.start, period.end, period.school_year)
    rows = grown.filter(pc.is_valid(grown["growth"]))
    person = pc.index_in(rows["person_source_id"], students["source_id"])
    for name, source in [("school_source_id", "primary_school_source_id"), ("grade", "grade")]:
        rows = rows.append_column(name, pc.fill_null(students[source].take(person), UNKNOWN))
    key = _student_key(rows)
    tutored = _tutored(student_weeks, memberships, period.start, period.end)
    found = pc.index_in(key, _student_key(tutored))
    year = ImpactPeriod.for_school_year(period.school_year)
    ever = _student_key(_tutored(student_weeks, memberships, year.start, year.end))
    rows = (
        rows.append_column("sessions_scheduled", tutored["sessions_scheduled"].take(found))
        .append_column("sessions_attended", tutored["sessions_attended"].take(found))
        .append_column("tutored", pc.is_valid(found))
        .append_column("peer", pc.invert(pc.is_in(key, ever)))
    )
    rate = pc.divide(
        rows["sessions_attended"].cast(pa.float64()), rows["sessions_scheduled"].cast(pa.float64())
    )
    rate = pc.if_else(pc.greater(rows["sessions_scheduled"], 0), rate, pa.scalar(None, pa.float64()))
    rows = rows.append_column("attendance_rate", rate).append_column(
        "dosage_band", _bands(rows, rate, policy)
    )
    rows = _with_peers(rows)
    return _with_subgroups(rows, demographics)


def _bands(rows: pa.Table, rate: pa.ChunkedArray, policy: ImpactPolicy) -> pa.Array:
    """Each tutored student's dosage band by attendance rate (null rate: no sessions logged)."""
    values = pc.fill_null(rate, np.nan).to_numpy()
    band = np.searchsorted(np.asarray(policy.dosage_cuts), values, side="right")
    labels = pa.array([*policy.band_labels(), NO_SESSIONS], pa.string())
    band = np.where(np.isnan(values), len(labels) - 1, band)
    return labels.take(pa.array(band, mask=~rows["tutored"].to_numpy(zero_copy_only=False)))


def _with_peers(rows: pa.Table) -> pa.Table:
    """Each student's cell's peer count and mean growth; tutored students' difference from it.

    ``_cell`` (the comparison cell as one integer; unknown school, grade or band match only unknowns)
    stays on the rows for the summaries, which count each cell's peers once.
    """
    cell = key_codes(rows, CELL)
    peer = rows["peer"].to_numpy(zero_copy_only=False)
    growth = rows["growth"].to_numpy(zero_copy_only=False)
    _, cell = np.unique(cell, return_inverse=True)
    count = np.bincount(cell[peer], minlength=cell.max(initial=-1) + 1)
    total = np.bincount(cell[peer], weights=growth[peer], minlength=len(count))
    peer_n, has_peers = count[cell], count[cell] > 0
    mean = np.divide(total[cell], peer_n, out=np.zeros(len(cell)), where=has_peers)
    tutored = rows["tutored"].to_numpy(zero_copy_only=False)
    return (
        rows.append_column("_cell", pa.array(cell))
        .append_column("peer_n", pa.array(peer_n))
        .append_column("peer_mean_growth", pa.array(mean, mask=~has_peers))
        .append_column("difference", pa.array(growth - mean, mask=~(has_peers & tutored)))
    )


def _with_subgroups(rows: pa.Table, demographics: pa.Table) -> pa.Table:
    """Subgroups as text: yes / no / unknown; race and ethnicity as one reporting category; sex."""
    person = pc.index_in(rows["person_source_id"], demographics["source_id"])
    for name in SUBGROUP_FLAGS:
        rows = rows.append_column(
            name, pc.fill_null(pc.if_else(demographics[name].take(person), "yes", "no"), UNKNOWN)
        )
    races = pa.table({name: demographics[name].take(person) for name in RACE_FLAGS})
    sex = pc.fill_null(demographics["sex"].take(person), UNKNOWN)
    return rows.append_column("sex", sex).append_column("race_ethnicity", _race_ethnicity(races))


def _race_ethnicity(rows: pa.Table) -> pa.Array:
    flags = {name: pc.fill_null(rows[name], False) for name in RACE_FLAGS}
    races = RACE_FLAGS[2:]
    count = flags[races[0]].cast(pa.int8())
    for name in races[1:]:
        count = pc.add(count, flags[name].cast(pa.int8()))
    conditions = [flags["hispanic_or_latino"], pc.or_(flags["two_or_more_races"], pc.greater(count, 1))]
    conditions += [flags[name] for name in races]
    chosen = pc.case_when(
        pc.make_struct(*conditions, field_names=[str(i) for i in range(len(conditions))]), *RACE_FLAGS
    )
    return pc.fill_null(chosen, UNKNOWN)


def _aggregates(rows: pa.Table, memberships: pa.Table, period: ImpactPeriod) -> dict[str, pa.Table]:
    label = {"period": period.label, "school_year": period.school_year}
    tutored = rows.filter(rows["tutored"])
    by = ["subject", "vendor"]
    parts = []
    for name in SUBGROUPS:
        part = _summary(tutored, [*by, name]).rename_columns({name: "value"})
        parts.append(part.append_column("subgroup", pa.array([name] * part.num_rows, pa.string())))
    subgroups = pa.concat_tables(parts).select([*by, "subgroup", "value", *SUMMARY_FIGURES])
    transitions = ["cohort", "baseline_band", "latest_band"]
    return {
        "students": _keyed(tutored.drop_columns(["_cell", "tutored", "peer"]), label, STUDENT, {}),
        "comparison": _keyed(_summary(tutored, by), label, by, SUMMARY_FIGURES),
        "schools": _keyed(
            _summary(tutored, [*by, "school_source_id"]), label, [*by, "school_source_id"], SUMMARY_FIGURES
        ),
        "transitions": _keyed(
            _transitions(rows, [*by, *transitions]), label, [*by, *transitions], {"n": ["n"]}
        ),
        "subgroups": _keyed(subgroups, label, [*by, "subgroup", "value"], SUMMARY_FIGURES),
        "dosage": _keyed(
            _summary(tutored, [*by, "dosage_band"]), label, [*by, "dosage_band"], SUMMARY_FIGURES
        ),
        "exits": _keyed(_exits(memberships, period), label, ["subject", "reason"], {"n": ["n"]}),
    }


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
    matched = tutored.filter(pc.is_valid(tutored["difference"]))
    cells = matched.group_by([*keys, "_cell"]).aggregate([("peer_n", "max")])
    peers = cells.group_by(keys).aggregate([("peer_n_max", "sum")]).rename_columns([*keys, "peer_n"])
    stats = stats.join(peers, keys, join_type="left outer")
    stats = stats.set_column(stats.column_names.index("peer_n"), "peer_n", pc.fill_null(stats["peer_n"], 0))
    return stats.select([*keys, *SUMMARY_FIGURES])


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


def _exits(memberships: pa.Table, period: ImpactPeriod) -> pa.Table:
    """Exits in the period by subject and kind of reason (the reason's text before its details)."""
    left = memberships.filter(
        pc.and_(
            pc.greater_equal(memberships["exit_date"], period.start),
            pc.less_equal(memberships["exit_date"], period.end),
        )
    )
    reason = pc.utf8_trim_whitespace(pc.replace_substring_regex(left["exit_reason"], r"[(:].*$", ""))
    reason = pc.fill_null(reason, "unspecified")
    counts = left.select(["subject"]).append_column("reason", reason).group_by(["subject", "reason"])
    return counts.aggregate([("reason", "count")]).rename_columns(["subject", "reason", "n"])


def _keyed(table: pa.Table, label: dict, keys: list[str], figures: dict[str, list[str]]) -> pa.Table:
    """The period's key columns in front, rows in key order, and what ``suppress`` needs to know."""
    table = table.sort_by([(key, "ascending") for key in keys])
    columns = {
        "period": pa.array([label["period"]] * table.num_rows, pa.string()),
        "school_year": pa.array([label["school_year"]] * table.num_rows, pa.int64()),
    }
    table = pa.table({**columns, **{name: table[name] for name in table.column_names}})
    metadata = {"keys": json.dumps(["period", "school_year", *keys]), "figures": json.dumps(figures)}
    return table.replace_schema_metadata(metadata)


def suppress(table: pa.Table, min_n: int = 10) -> pa.Table:
    """Blank every figure resting on fewer than ``min_n`` students, counts included; mark the row.

    Figures and the counts they rest on come from the table's ``figures`` metadata (set by impact); a
    table without it treats every numeric non-key column as resting on every ``n`` / ``*_n`` column.
    """
    metadata = table.schema.metadata or {}
    figures: dict[str, list[str]] = json.loads(metadata.get(b"figures", b"{}"))
    if not figures:
        keys = set(json.loads(metadata.get(b"keys", b"[]")))
        counts = [name for name in table.column_names if name == "n" or name.endswith("_n")]
        if not counts:
            raise TutoringError("suppress: the table has no n (or *_n) column to judge its cells by")
        figures = {
            field.name: counts
            for field in table.schema
            if field.name not in keys
            and (pa.types.is_integer(field.type) or pa.types.is_floating(field.type))
        }
    # a count of 0 discloses nobody; 1 to min_n - 1 can
    small = {
        name: pc.fill_null(pc.and_(pc.greater(table[name], 0), pc.less(table[name], min_n)), False)
        for name in {count for counts in figures.values() for count in counts}
    }
    hidden = pa.chunked_array([pa.array(np.zeros(table.num_rows, dtype=bool))])
    for name, counts in figures.items():
        blank = small[counts[0]]
        for count in counts[1:]:
            blank = pc.or_(blank, small[count])
        column = table[name]
        table = table.set_column(
            table.column_names.index(name), name, pc.if_else(blank, pa.scalar(None, column.type), column)
        )
        hidden = pc.or_(hidden, blank)
    if "suppressed" in table.column_names:
        hidden = pc.or_(hidden, table["suppressed"])
        table = table.drop_columns(["suppressed"])
    return table.append_column("suppressed", hidden).replace_schema_metadata(metadata)
