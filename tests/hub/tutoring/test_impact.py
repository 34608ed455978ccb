"""Impact on small hand-built cohorts whose answers are known in advance."""

from __future__ import annotations

import json
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from hub.model import conform
from hub.tutoring.errors import TutoringError
from hub.tutoring.exits import (
    LEFT_ROSTER,
    LEFT_ROSTER_REASON,
    MAX_CYCLES,
    MAX_CYCLES_REASON,
    ON_GRADE_LEVEL,
    REASON_LABELS,
    reason_codes,
)
from hub.tutoring.growth import YearTests
from hub.tutoring.impact import ImpactPeriod, ImpactPolicy, growth_between, measure_impact, suppress
from tests.hub.tutoring.conftest import result_row

YEAR = ImpactPeriod.for_school_year(2026)
FALL, WINTER, SPRING = date(2025, 9, 10), date(2026, 1, 12), date(2026, 5, 11)


class Cohort:
    """Students with a fall and a later test, tutoring dosage and demographics, one call each."""

    def __init__(self) -> None:
        self.results: list[dict] = []
        self.people: list[dict] = []
        self.demographics: list[dict] = []
        self.weeks: list[dict] = []
        self.memberships: list[dict] = []

    def add(
        self,
        person: str,
        growth: float,
        *,
        school: str = "sch-1",
        grade: str = "04",
        band: int = 2,
        later_band: int | None = None,
        attended: int | None = None,
        scheduled: int = 10,
        vendor: str = "iready",
        subject: str = "math",
        tests: tuple[date, ...] = (FALL, WINTER),
        pct_typical: float | None = None,
        scores: tuple[float, ...] | None = None,
        **demographics: object,
    ) -> None:
        """Scale 400 at the first test, +``growth`` by the last (or ``scores``, one per test).

        ``attended`` set = tutored (``attended`` of ``scheduled`` sessions in the week of Oct 6).
        """
        scores = scores or tuple(400.0 + growth * n / max(len(tests) - 1, 1) for n in range(len(tests)))
        for number, (day, score) in enumerate(zip(tests, scores, strict=True)):
            latest = number == len(tests) - 1 and number > 0
            self.results.append(
                {
                    "source_id": f"{person}-{subject}-{number}",
                    "person_source_id": person,
                    "vendor": vendor,
                    "vendor_student_id": person,
                    "match_status": "matched",
                    "subject": subject,
                    "school_year": 2026,
                    "window": "fall",
                    "test_date": day,
                    "scale_score": score,
                    "proficiency_band": later_band if latest and later_band else band,
                    "percent_progress_typical": pct_typical if latest else None,
                    "is_test_of_record": True,
                }
            )
        if person not in {p["source_id"] for p in self.people}:
            self.people.append({"source_id": person, "primary_school_source_id": school, "grade": grade})
            self.demographics.append({"source_id": person, **demographics})
        if attended is not None:
            self.weeks.append(
                {
                    "person_source_id": person,
                    "subject": subject,
                    "week_start": date(2025, 10, 6),
                    "sessions_scheduled": scheduled,
                    "sessions_attended": attended,
                }
            )

    def member(
        self,
        person: str,
        entry: date,
        exit_date: date | None = None,
        reason: str | None = None,
        subject: str = "math",
    ) -> None:
        self.memberships.append(
            {
                "source_id": f"m-{person}",
                "group_source_id": "g-1",
                "person_source_id": person,
                "subject": subject,
                "entry_date": entry,
                "entry_evidence": "test",
                "exit_date": exit_date,
                "exit_reason": reason,
            }
        )

    def measure(self, periods=(YEAR,), policy: ImpactPolicy | None = None):  # type: ignore[no-untyped-def]
        weeks = pa.Table.from_pylist(
            self.weeks,
            schema=pa.schema(
                [
                    ("person_source_id", pa.string()),
                    ("subject", pa.string()),
                    ("week_start", pa.date32()),
                    ("sessions_scheduled", pa.int64()),
                    ("sessions_attended", pa.int64()),
                ]
            ),
        )
        return measure_impact(
            conform("assessment_result", _table(self.results)),
            pa.Table.from_pylist(self.people),
            conform("demographics", _table(self.demographics)),
            weeks,
            conform("group_membership", _table(self.memberships)),
            list(periods),
            policy,
        )


def _table(rows: list[dict]) -> pa.Table:
    """Rows with differing keys as one table (every key of any row becomes a column)."""
    names = list(dict.fromkeys(key for row in rows for key in row))
    return pa.table({name: [row.get(name) for row in rows] for name in names}) if rows else pa.table({})


def standard_cohort() -> Cohort:
    """12 tutored students growing 20 (4 each at 40 %, 60 % and 90 % attendance); 18 peers growing 10."""
    cohort = Cohort()
    for i in range(12):
        attended = (4, 6, 9)[i // 4]
        cohort.add(
            f"t{i:02d}", 20, later_band=3, attended=attended, english_learner=i < 3, sex="F" if i % 2 else "M"
        )
    for i in range(18):
        cohort.add(f"c{i:02d}", 10, english_learner=i < 5, sex="F")
    return cohort


def one(table: pa.Table, **keys: object) -> dict:
    rows = [row for row in table.to_pylist() if all(row[k] == v for k, v in keys.items())]
    assert len(rows) == 1, rows
    return rows[0]


def test_tutored_students_against_their_peers() -> None:
    impact = standard_cohort().measure()
    row = one(impact.comparison, subject="math")
    assert (row["period"], row["school_year"], row["vendor"]) == ("2025-26", 2026, "iready")
    assert (row["n"], row["mean_growth"]) == (12, 20.0)
    assert (row["matched_n"], row["peer_n"], row["peer_mean_growth"], row["mean_difference"]) == (
        12,
        18,
        10.0,
        10.0,
    )


def test_peers_come_from_the_same_school_grade_and_band_only() -> None:
    cohort = standard_cohort()
    cohort.add("x-school", 50, school="sch-2")  # untutored but elsewhere: no peer of anybody in sch-1
    cohort.add("x-band", 50, band=1)
    cohort.add("t-alone", 30, grade="05", attended=9)  # tutored, nobody like them untutored
    row = one(cohort.measure().comparison, subject="math")
    assert (row["n"], row["matched_n"], row["peer_n"]) == (13, 12, 18)
    assert row["mean_growth"] == pytest.approx((12 * 20 + 30) / 13)
    assert row["mean_difference"] == 10.0


def test_transitions_between_bands() -> None:
    rows = standard_cohort().measure().transitions.to_pylist()
    moves = {(r["cohort"], r["baseline_band"], r["latest_band"]): r["n"] for r in rows}
    assert moves == {("comparison", 2, 2): 18, ("tutored", 2, 3): 12}


def test_growth_by_dosage_band() -> None:
    bands = [(r["dosage_band"], r["n"]) for r in standard_cohort().measure().dosage.to_pylist()]
    assert bands == [("<50 %", 4), ("50-79 %", 4), (">=80 %", 4)]  # low to high, not text order
    custom = standard_cohort().measure(policy=ImpactPolicy(dosage_cuts=(0.65,))).dosage.to_pylist()
    assert {r["dosage_band"]: r["n"] for r in custom} == {"<65 %": 8, ">=65 %": 4}


def test_dosage_bands_come_in_the_policys_order_with_no_sessions_last() -> None:
    cohort = standard_cohort()
    cohort.add("t-member", 20)
    cohort.member("t-member", date(2025, 9, 20))
    cohort.add("t-rarely", 20, attended=1)
    policy = ImpactPolicy(dosage_cuts=(0.3, 0.5, 0.8))
    for name in ("dosage", "school_dosage"):
        rows = getattr(cohort.measure(policy=policy), name).to_pylist()
        assert [r["dosage_band"] for r in rows] == [*policy.band_labels(), "no sessions logged"]
    assert policy.band_labels() == ["<30 %", "30-49 %", "50-79 %", ">=80 %"]


def test_a_member_without_logged_sessions_is_tutored_with_no_dosage() -> None:
    cohort = standard_cohort()
    cohort.add("t-member", 20)
    cohort.member("t-member", date(2025, 9, 20))
    impact = cohort.measure()
    assert one(impact.comparison, subject="math")["n"] == 13
    assert one(impact.dosage, dosage_band="no sessions logged")["n"] == 1


def test_subgroups() -> None:
    impact = standard_cohort().measure()
    subgroups = impact.subgroups
    assert one(subgroups, subgroup="english_learner", value="yes")["n"] == 3
    assert one(subgroups, subgroup="english_learner", value="no")["n"] == 9
    assert one(subgroups, subgroup="sex", value="F")["n"] == 6
    assert one(subgroups, subgroup="disability", value="unknown")["n"] == 12
    assert one(subgroups, subgroup="race_ethnicity", value="unknown")["n"] == 12


def test_race_and_ethnicity_follow_the_federal_order() -> None:
    cohort = Cohort()
    cohort.add("a", 5, attended=9, hispanic_or_latino=True, white=True)
    cohort.add("b", 5, attended=9, asian=True, white=True)
    cohort.add("c", 5, attended=9, black_or_african_american=True)
    values = {r["person_source_id"]: r["race_ethnicity"] for r in cohort.measure().students.to_pylist()}
    assert values == {"a": "hispanic_or_latino", "b": "two_or_more_races", "c": "black_or_african_american"}


def test_exits_by_kind_of_reason() -> None:
    cohort = standard_cohort()
    cohort.member("t00", date(2025, 9, 20), date(2025, 11, 3), "typical growth met: 104 % of the annual ...")
    cohort.member("t01", date(2025, 9, 20), date(2025, 12, 15), "on grade level in Geometry (i-Ready ...)")
    cohort.member("t02", date(2025, 9, 20), date(2025, 12, 15), "on grade level in Measurement (MAP ...)")
    cohort.member("t03", date(2025, 9, 20), date(2026, 8, 1), "typical growth met: later year")
    cohort.member("t04", date(2025, 9, 20), date(2026, 1, 9), MAX_CYCLES_REASON)
    cohort.member("t05", date(2025, 9, 20), date(2026, 1, 9), LEFT_ROSTER_REASON)
    cohort.member("t06", date(2025, 9, 20), date(2026, 1, 9), "moved: to the reading clinic")
    cohort.member("t07", date(2025, 9, 20), date(2026, 1, 9), None)
    rows = {r["reason_code"]: (r["reason"], r["n"]) for r in cohort.measure().exits.to_pylist()}
    assert rows == {
        "typical_growth_met": ("typical growth met", 1),
        "on_grade_level": ("on grade level", 2),  # one code, whichever domain
        "max_cycles": ("reached the maximum number of cycles", 1),
        "left_roster": ("left the roster", 1),
        "other": ("other reason", 1),  # text the hub did not write
        "unspecified": ("unspecified", 1),
    }


def test_reason_codes_read_the_fixed_label_the_hub_writes_first() -> None:
    reasons = [
        MAX_CYCLES_REASON,
        LEFT_ROSTER_REASON,
        "on grade level in Phonics (x: y)",
        "Left the roster",
        None,
    ]
    codes = reason_codes(pa.array(reasons, pa.string())).to_pylist()
    assert codes == [MAX_CYCLES, LEFT_ROSTER, ON_GRADE_LEVEL, "other", "unspecified"]
    assert list(REASON_LABELS) == [LEFT_ROSTER, ON_GRADE_LEVEL, "typical_growth_met", MAX_CYCLES, "regrouped"]


def test_every_aggregate_comes_per_school_too() -> None:
    cohort = standard_cohort()
    for i in range(4):
        cohort.add(f"u{i}", 30, school="sch-2", later_band=4, attended=9, english_learner=True)
    cohort.member("u0", date(2025, 9, 20), date(2025, 12, 15), "on grade level in Geometry (i-Ready ...)")
    cohort.member("t00", date(2025, 9, 20), date(2025, 12, 15), "on grade level in Geometry (i-Ready ...)")
    impact = cohort.measure()
    moves = {
        (r["school_source_id"], r["cohort"], r["latest_band"]): r["n"]
        for r in impact.school_transitions.to_pylist()
    }
    assert moves == {("sch-1", "comparison", 2): 18, ("sch-1", "tutored", 3): 12, ("sch-2", "tutored", 4): 4}
    assert {r["latest_band"]: r["n"] for r in impact.transitions.to_pylist()} == {2: 18, 3: 12, 4: 4}
    learners = impact.school_subgroups.filter(
        pc.equal(impact.school_subgroups["subgroup"], "english_learner")
    )
    assert {(r["school_source_id"], r["value"]): r["n"] for r in learners.to_pylist()} == {
        ("sch-1", "yes"): 3,
        ("sch-1", "no"): 9,
        ("sch-2", "yes"): 4,
    }
    assert one(impact.school_dosage, school_source_id="sch-2")["n"] == 4
    exits = {(r["school_source_id"], r["reason_code"]): r["n"] for r in impact.school_exits.to_pylist()}
    assert exits == {("sch-1", "on_grade_level"): 1, ("sch-2", "on_grade_level"): 1}
    assert one(impact.exits, reason_code="on_grade_level")["n"] == 2
    keys = json.loads(impact.school_exits.schema.metadata[b"keys"])
    assert keys == ["period", "school_year", "cycle", "subject", "school_source_id", "reason_code"]


def test_percent_progress_to_typical_growth_is_averaged_where_reported() -> None:
    cohort = Cohort()
    for i in range(4):
        cohort.add(f"t{i}", 20, attended=9, pct_typical=None if i == 0 else 60.0 * i)
    row = one(cohort.measure().comparison, subject="math")
    assert (row["pct_typical_n"], row["mean_pct_typical"]) == (3, 120.0)


def test_vendors_are_never_mixed() -> None:
    cohort = standard_cohort()
    cohort.add("m1", 3, vendor="nwea_map", attended=9, subject="math")
    rows = cohort.measure().comparison.to_pylist()
    assert [(r["vendor"], r["n"], r["matched_n"]) for r in rows] == [("iready", 12, 12), ("nwea_map", 1, 0)]


def test_a_cycle_measures_from_the_test_before_it_and_leaves_out_students_tutored_only_earlier() -> None:
    cohort = Cohort()
    three_tests = {"tests": (FALL, WINTER, SPRING), "scores": (400.0, 410.0, 440.0)}
    for i in range(3):
        cohort.add(f"t{i}", 0, **three_tests)
        cohort.member(f"t{i}", date(2026, 1, 15))  # tutored from mid-January
    cohort.add("peer", 0, tests=(FALL, WINTER, SPRING), scores=(400.0, 410.0, 420.0))
    cohort.add("early", 0, attended=9, **three_tests)  # tutored in October only
    cycle = ImpactPeriod("cycle 4", 2026, date(2026, 1, 20), date(2026, 5, 29))
    impact = cohort.measure(periods=(YEAR, cycle))
    year_row, cycle_row = (one(impact.comparison, period=period) for period in ("2025-26", "cycle 4"))
    assert (year_row["n"], year_row["mean_growth"], year_row["peer_mean_growth"]) == (4, 40.0, 20.0)
    assert (cycle_row["n"], cycle_row["mean_growth"], cycle_row["peer_mean_growth"]) == (3, 30.0, 10.0)
    assert cycle_row["peer_n"] == 1  # "early" is neither tutored in the cycle nor a fair peer
    assert sorted(
        impact.students.filter(pc.equal(impact.students["period"], "cycle 4"))["person_source_id"].to_pylist()
    ) == ["t0", "t1", "t2"]


def test_growth_between_picks_the_baseline_before_the_start_else_the_first_after() -> None:
    cohort = Cohort()
    cohort.add("a", 30, tests=(FALL, WINTER, SPRING))
    cohort.add("b", 30, tests=(WINTER, SPRING))
    results = conform("assessment_result", _table(cohort.results))
    anchors = pa.table(
        {
            "person_source_id": ["a", "b"],
            "subject": ["math", "math"],
            "start": pa.array([date(2025, 12, 1)] * 2),
        }
    )
    rows = {
        r["person_source_id"]: r
        for r in growth_between(results, anchors, date(2026, 6, 30), 2026).to_pylist()
    }
    assert (rows["a"]["baseline_date"], rows["a"]["latest_date"], rows["a"]["growth"]) == (FALL, SPRING, 30.0)
    assert (rows["b"]["baseline_date"], rows["b"]["latest_date"]) == (WINTER, SPRING)
    same_start = growth_between(results, date(2025, 12, 1), date(2026, 6, 30), 2026).to_pylist()
    assert same_start == list(rows.values())  # one date for everybody measures the same
    early = growth_between(results, anchors, date(2025, 12, 31), 2026).to_pylist()
    assert [(r["person_source_id"], r["growth"]) for r in early] == [("a", None)]  # b: no test yet at all


def test_a_year_keyed_once_measures_every_span_as_growth_between_does() -> None:
    cohort = Cohort()
    cohort.add("a", 30, tests=(FALL, WINTER, SPRING))
    cohort.add("b", 30, tests=(WINTER, SPRING))
    cohort.add("c", 12, vendor="nwea_map", tests=(FALL, SPRING))
    cohort.add("a", 8, subject="ela", tests=(FALL, FALL, WINTER))  # two tests on one day: the first counts
    results = conform("assessment_result", _table(cohort.results))
    year = YearTests.of(results, 2026)
    spans = [
        (YEAR.start, YEAR.end),
        (date(2025, 12, 1), date(2026, 6, 30)),
        (date(2025, 11, 10), date(2025, 12, 31)),
        (YEAR.start, date(2025, 9, 1)),  # before any test: nobody
    ]
    for start, end in spans:
        assert year.growth(start, end).equals(growth_between(results, start, end, 2026))
    assert year.growth(*spans[1]).num_rows == 4


def test_suppress_blanks_small_cells_and_marks_them() -> None:
    impact = standard_cohort().measure()
    dosage = suppress(impact.dosage)  # every band has 4 students
    assert all(r["suppressed"] for r in dosage.to_pylist())
    row = one(dosage, dosage_band="<50 %")
    assert row["n"] is None and row["mean_growth"] is None and row["mean_difference"] is None
    assert row["peer_n"] == 18 and row["vendor"] == "iready"  # keys and big counts stay
    comparison = suppress(impact.comparison).to_pylist()[0]
    assert comparison["n"] == 12 and comparison["mean_difference"] == 10.0
    assert comparison["pct_typical_n"] == 0 and not comparison["suppressed"]  # a zero count discloses nobody
    assert one(suppress(impact.dosage, min_n=4), dosage_band="<50 %")["n"] == 4
    keys = json.loads(dosage.schema.metadata[b"keys"])
    assert keys == ["period", "school_year", "cycle", "subject", "vendor", "measure", "dosage_band"]


def test_suppress_peer_figures_rest_on_the_peer_count() -> None:
    cohort = Cohort()
    for i in range(12):
        cohort.add(f"t{i:02d}", 20, attended=9)
    for i in range(3):
        cohort.add(f"c{i}", 10)
    row = suppress(cohort.measure().comparison).to_pylist()[0]
    assert row["n"] == 12 and row["mean_growth"] == 20.0
    assert row["peer_n"] is None and row["peer_mean_growth"] is None and row["mean_difference"] is None
    assert row["suppressed"]


def test_impact_suppressed_uses_the_policy_minimum() -> None:
    impact = standard_cohort().measure(policy=ImpactPolicy(min_n=4))
    assert impact.min_n == 4
    shared = impact.suppressed()
    assert set(shared) == {
        *("comparison", "schools", "transitions", "subgroups", "dosage", "exits"),
        *("school_transitions", "school_subgroups", "school_dosage", "school_exits"),
    }
    assert one(shared["dosage"], dosage_band="<50 %")["n"] == 4
    assert one(shared["subgroups"], subgroup="english_learner", value="yes")["n"] is None  # 3 < 4


def test_suppress_without_metadata_uses_every_count_column() -> None:
    table = pa.table({"school": ["a", "b"], "n": [3, 30], "mean": [1.5, 2.5]})
    rows = suppress(table, min_n=10).to_pylist()
    assert rows == [
        {"school": "a", "n": None, "mean": None, "suppressed": True},
        {"school": "b", "n": 30, "mean": 2.5, "suppressed": False},
    ]
    with pytest.raises(TutoringError, match="no n"):
        suppress(pa.table({"mean": [1.0]}))


def test_bad_settings_and_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="rise strictly"):
        ImpactPolicy(dosage_cuts=(0.8, 0.5))
    with pytest.raises(TutoringError, match="at least one period"):
        standard_cohort().measure(periods=())
    assert ImpactPolicy().band_labels() == ["<50 %", "50-79 %", ">=80 %"]


def test_growth_never_mixes_two_measures_of_one_vendor() -> None:
    """MAP Reading in the fall, Language Usage (another scale) in the winter, Reading again in the spring:
    the growth is Reading's and says so; the winter alone gives no growth, not 230 - 200."""
    tests = [
        ("r-fall", FALL, "Reading", 200.0),
        ("lu-winter", WINTER, "Language Usage", 230.0),
        ("r-spring", SPRING, "Reading", 206.0),
    ]
    rows = [
        result_row("a", source_id=source, test_date=day, vendor="nwea_map", subject="ela", measure=measure,
                   scale_score=score)
        for source, day, measure, score in tests
    ]  # fmt: skip
    results = conform("assessment_result", _table(rows))
    for end, growth in [(WINTER, None), (SPRING, 6.0)]:
        (row,) = growth_between(results, FALL, end, 2026).to_pylist()
        assert (row["measure"], row["growth"]) == ("Reading", growth), end
