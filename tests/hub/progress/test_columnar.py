"""Many placements judged at once: each keeps to its own points (the goal step works on flat arrays, where
one placement's points sit beside the next student's)."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa

from hub.model import arrow_schema, conform
from hub.progress import ProgressPolicy, monitor
from tests.hub.progress.test_goals import AS_OF, CYCLES, ENTRY_TEST, GROUPS, START, checks, point, results

READING = conform(
    "tutoring_group",
    pa.Table.from_pylist(
        [
            {
                **GROUPS.to_pylist()[0],
                "source_id": "g-2",
                "subject": "reading",
                "canonical_domain": "vocabulary",
            }
        ]
    ),
)


def membership(person: str, group: str = "g-1", subject: str = "math") -> dict:
    return {
        "source_id": f"{group}:{person}",
        "group_source_id": group,
        "person_source_id": person,
        "subject": subject,
        "entry_date": START,
        "entry_result_source_id": ENTRY_TEST,
        "entry_evidence": "fall test",
        "exit_date": None,
        "tutored_since": START,
    }


def judged(members: list[dict], points: list[dict]) -> dict[str, dict]:
    rows = monitor(
        conform("group_membership", pa.Table.from_pylist(members)),
        pa.concat_tables([GROUPS, READING]),
        CYCLES,
        conform("progress_point", pa.Table.from_pylist(points))
        if points
        else arrow_schema("progress_point").empty_table(),
        results(),
        arrow_schema("progress_goal").empty_table(),
        ProgressPolicy(),
        AS_OF,
    ).to_pylist()
    return {row["source_id"]: row for row in rows}


def of(person: str, rows: list[dict], **changes: object) -> list[dict]:
    return [
        {**row, "person_source_id": person, "source_id": f"{person}:{row['source_id']}", **changes}
        for row in rows
    ]


def test_placements_side_by_side_are_judged_as_each_alone() -> None:
    # s1 is in two groups (math and reading); s2 shares s1's dates with other scores; s3 has one point
    reading = of("s1", checks([10, 20, 30, 40, 50, 60]), subject="reading", canonical_domain="vocabulary")
    people = {
        "s1": of("s1", checks([40, 50, 60, 70, 80])) + reading,
        "s2": of("s2", checks([95, 60, 60, 60, 60, 60, 60])),
        "s3": of("s3", checks([55])),
    }
    members = [membership("s1"), membership("s1", "g-2", "reading"), membership("s2"), membership("s3")]
    together = judged(members, [row for rows in people.values() for row in rows])
    alone = {}
    for member in members:
        alone.update(judged([member], people[member["person_source_id"]]))
    assert together == alone
    assert [together[key]["points"] for key in ("g-1:s1", "g-2:s1", "g-1:s2", "g-1:s3")] == [5, 6, 7, 1]
    one = together["g-1:s3"]
    assert (one["signal"], one["rate_of_improvement"], one["latest_score"]) == ("too_few_points", None, 55.0)


def test_checks_on_one_day_keep_the_series_order_on_the_skill_first() -> None:
    # two checks on each day: on the skill (geometry) and on several skills (no domain, sorted after it)
    day = [START + timedelta(days=2 * n) for n in range(5)]
    several = [point(d, 10.0 * n, canonical_domain=None, source_id=f"any:{d}") for n, d in enumerate(day)]
    skill = [point(d, 90.0, source_id=f"skill:{d}") for d in day]
    (goal,) = judged([membership("s1")], several + skill).values()
    assert (goal["points"], goal["latest_score"], goal["baseline_score"]) == (10, 40.0, 90.0)


def test_a_district_goal_counts_only_on_the_students_own_points_since_entry() -> None:
    # s0's probes carry a goal and sort just before s1's; s1's only goal was set before s1 entered
    probe = {"measure": "orf_wcpm", "canonical_domain": None}
    s0 = of("s0", [point(START + timedelta(days=7 * n), 40 + n, **probe, goal_score=70.0) for n in range(3)])
    s1 = of("s1", [point(START - timedelta(days=7), 38, **probe, goal_score=70.0)])
    s1 += of(
        "s1", [point(START + timedelta(days=7 * n), 40 + n, **probe) for n in range(3)] + checks([50, 60])
    )
    goals = judged([membership("s0"), membership("s1")], s0 + s1)
    assert goals["g-1:s0"]["goal_basis"] == "the district's goal on orf_wcpm: 70"
    assert goals["g-1:s1"]["measure"] == "mastery_check"


def test_a_placement_with_no_point_on_any_measure_is_left_out_beside_others() -> None:
    entry = point(date(2025, 9, 15), 420.0, "iready_scale", source_id=f"diagnostic:{ENTRY_TEST}")
    goals = judged([membership("s1"), membership("s2")], [*of("s2", checks([40, 50])), entry])
    assert sorted(goals) == ["g-1:s1", "g-1:s2"]
    assert goals["g-1:s1"]["measure"] == "iready_scale" and goals["g-1:s2"]["measure"] == "mastery_check"
    assert judged([membership("s3")], of("s2", checks([40, 50]))) == {}


def test_a_night_without_any_point_leaves_out_every_placement() -> None:
    assert judged([membership("s1"), membership("s2")], []) == {}
