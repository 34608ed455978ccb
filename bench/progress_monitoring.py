"""Progress monitoring at district scale: goals, aimlines, rates of improvement and signals per placement.

A synthetic set (numpy, seeded): ``--placements`` open placements (default 60,000 tutored student-subjects,
issue 4's size), each with a mastery check at three sessions a week since early October (about 40 per
placement by the as-of date, 2.4 M points) and a fall test on the vendor's scale. Times ``hub.progress``'s
two steps as the night runs them (the diagnostic points, then ``monitor``), and prints the signals and the
peak RSS. Not a test: run it by hand.

    .venv/bin/python bench/progress_monitoring.py [--placements 60000] [--seed 7]
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from _common import Clock, rss_mb

from hub.model import arrow_schema, conform
from hub.progress import ProgressPolicy, diagnostic_points, monitor

ENTRY, AS_OF = date(2025, 9, 29), date(2026, 1, 16)
CYCLE = (date(2026, 1, 5), date(2026, 2, 15))
TARGET_SECONDS = 10.0  # a step of the night, next to issue 4's 30 s for the whole tutoring stage


def inputs(placements: int, seed: int) -> dict[str, pa.Table]:
    rng = np.random.default_rng(seed)
    people = np.char.add("stu-", np.arange(placements).astype(str)).astype(object)
    groups = np.char.add("grp-", (np.arange(placements) // 4).astype(str)).astype(object)
    days = np.array(
        [
            ENTRY + timedelta(days=d)
            for d in range((AS_OF - ENTRY).days)
            if (ENTRY + timedelta(days=d)).weekday() in (0, 2, 4)
        ]
    )
    per = len(days)
    who = np.repeat(np.arange(placements), per)
    when = np.tile(days, placements)
    growth = rng.normal(1.0, 0.4, placements)[who]
    elapsed = np.tile(np.arange(per) / per, placements)
    right = rng.binomial(5, 1 / (1 + np.exp(-(-0.8 + 2.5 * growth * elapsed))))
    points = pa.table(
        {
            "source_id": np.char.add(
                np.char.add(people[who].astype(str), ":"), np.arange(len(who)).astype(str)
            ),
            "person_source_id": people[who],
            "subject": np.full(len(who), "math"),
            "canonical_domain": np.full(len(who), "geometry"),
            "measure": np.full(len(who), "mastery_check"),
            "observed_on": pa.array(when, pa.date32()),
            "score": 20.0 * right,
            "source": np.full(len(who), "session_log"),
        }
    )
    tests = np.char.add("test-", np.arange(placements).astype(str)).astype(object)
    results = pa.table(
        {
            "source_id": tests,
            "person_source_id": people,
            "subject": np.full(placements, "math"),
            "vendor": np.full(placements, "iready"),
            "measure": pa.nulls(placements, pa.string()),
            "test_date": pa.array(np.full(placements, date(2025, 9, 10)), pa.date32()),
            "scale_score": rng.normal(430, 20, placements),
            "typical_growth": np.full(placements, 25.0),
            "rushed": np.zeros(placements, dtype=bool),
        }
    )
    memberships = pa.table(
        {
            "source_id": np.char.add(np.char.add(groups.astype(str), ":"), people.astype(str)).astype(object),
            "group_source_id": groups,
            "person_source_id": people,
            "subject": np.full(placements, "math"),
            "entry_date": pa.array(np.full(placements, ENTRY), pa.date32()),
            "entry_result_source_id": tests,
            "entry_evidence": np.full(placements, "fall test"),
            "exit_date": pa.nulls(placements, pa.date32()),
            "tutored_since": pa.array(np.full(placements, ENTRY), pa.date32()),
        }
    )
    unique_groups = np.unique(groups)
    tutoring_groups = pa.table(
        {
            "source_id": unique_groups,
            "school_source_id": np.full(len(unique_groups), "sch-1"),
            "subject": np.full(len(unique_groups), "math"),
            "canonical_domain": np.full(len(unique_groups), "geometry"),
            "grades": np.full(len(unique_groups), "04"),
            "cycle_source_id": np.full(len(unique_groups), "c2"),
            "formed_on": pa.array(np.full(len(unique_groups), ENTRY), pa.date32()),
        }
    )
    cycle = pa.table(
        {
            "source_id": ["c4"],
            "school_year": [2026],
            "sequence": [4],
            "start_date": pa.array([CYCLE[0]], pa.date32()),
            "end_date": pa.array([CYCLE[1]], pa.date32()),
        }
    )
    return {
        "progress_point": conform("progress_point", points),
        "assessment_result": results,
        "group_membership": conform("group_membership", memberships),
        "tutoring_group": conform("tutoring_group", tutoring_groups),
        "cycle": conform("cycle", cycle),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--placements", type=int, default=60_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    tables = inputs(args.placements, args.seed)
    points = tables["progress_point"]
    print(f"{args.placements:,} placements, {points.num_rows:,} mastery-check points (building them untimed)")
    clock = Clock()
    tutored = pc.unique(tables["group_membership"]["person_source_id"])
    vendor = clock.step("diagnostic points", diagnostic_points, tables["assessment_result"], tutored)
    goals = clock.step(
        "goals, aimlines, rates and signals (monitor)",
        monitor,
        tables["group_membership"],
        tables["tutoring_group"],
        tables["cycle"],
        pa.concat_tables([points, vendor]),
        tables["assessment_result"],
        arrow_schema("progress_goal").empty_table(),
        ProgressPolicy(),
        AS_OF,
    )
    signals = {row["values"]: row["counts"] for row in pc.value_counts(goals["signal"]).to_pylist()}
    print(f"  signals: {signals}")
    print(
        f"total {clock.wall:.2f} s wall, {clock.cpu:.2f} s CPU (target <= {TARGET_SECONDS:.0f} s); "
        f"peak RSS {rss_mb():.0f} MB"
    )


if __name__ == "__main__":
    main()
