"""A synthetic district's oral reading fluency probes, in the progress CSV format (for the demo and tests).

Students tutored in an early-reading skill (phonics, high-frequency words, vocabulary) in grades 1-4 are
probed twice a week (Mondays and Thursdays, as intensive programmes do) while they are tutored,
in words correct per minute. Their fluency follows their
own simulated reading level and growth, with the probe-to-probe noise a one-minute passage has; the goal
for each six-week cycle is their expected fluency at its start plus 1.5 words a week, an ambitious weekly
gain, so a student growing slowly falls below the aimline and a fast one rises above it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from hub.tutoring import plan_cycles
from testkit.synthetic import calendar

if TYPE_CHECKING:
    from connectors.session_log.writer import TutoringSimulation

MEASURE = "orf_wcpm"
PROBED_SKILLS = ("phonics", "high_frequency_words", "vocabulary")
PROBED_GRADES = (1, 4)
WORDS_PER_GRADE, WORDS_PER_LEVEL, WORDS_AT_GRADE_ONE = 25.0, 15.0, 20.0
WORDS_PER_WEEK_OF_GROWTH = 1.2
"""Weekly gain in words correct per minute of a student growing one grade level a year."""
GOAL_WORDS_PER_WEEK = 1.5
PROBE_NOISE = 6.0
CYCLE_WEEKS = 6


def write_progress(simulation: TutoringSimulation, out_dir: Path) -> list[Path]:
    """``orf.csv`` for ``simulation`` (a session-log ``TutoringSimulation``): one row per probe."""
    district = simulation.district
    year = district.spec.school_year
    rows = simulation.season.attendance
    sessions = simulation.season.sessions
    domain = sessions["canonical_domain"].take(pc.index_in(rows["session_id"], sessions["session_id"]))
    students = district.students
    grade = students["grade_num"].to_numpy()[rows["student"].to_numpy()]
    tutored = rows.filter(
        pc.and_(
            pc.and_(pc.equal(rows["subject"], "ela"), pc.is_in(domain, value_set=pa.array(PROBED_SKILLS))),
            pa.array((grade >= PROBED_GRADES[0]) & (grade <= PROBED_GRADES[1])),
        )
    )
    # sorted: group_by's order varies from run to run, and the probe noise is drawn in this order
    spans = (
        tutored.group_by("student")
        .aggregate([("session_date", "min"), ("session_date", "max")])
        .sort_by("student")
    )
    student = spans["student"].to_numpy()
    first = spans["session_date_min"].to_numpy().astype("datetime64[D]")
    first = first + (7 - (first.astype(np.int64) + 3) % 7) % 7  # the first Monday on or after
    last = spans["session_date_max"].to_numpy().astype("datetime64[D]")
    weeks = np.maximum((last - first).astype(np.int64) // 7 + 1, 0)
    probes = 2 * weeks
    who = np.repeat(student, probes)
    offsets = np.arange(probes.sum()) - np.repeat(np.cumsum(probes) - probes, probes)
    days = np.repeat(first, probes) + 7 * (offsets // 2) + 3 * (offsets % 2)
    kept = days <= np.repeat(last, probes)
    who, days = who[kept], days[kept]
    start = np.datetime64(calendar.year_start(year))
    cycle_starts = np.array(
        plan_cycles(calendar.year_start(year), calendar.year_end(year), CYCLE_WEEKS)[
            "start_date"
        ].to_pylist(),
        dtype="datetime64[D]",
    )
    cycle_start = cycle_starts[np.searchsorted(cycle_starts, days, side="right") - 1]
    expected = _expected_words(students, who, (days - start).astype(np.int64) / 7)
    at_cycle_start = _expected_words(students, who, (cycle_start - start).astype(np.int64) / 7)
    rng = district.spec.rng("progress_csv.orf")
    score = np.maximum(np.rint(expected + rng.normal(0, PROBE_NOISE, len(who))), 0).astype(np.int64)
    goal = np.rint(at_cycle_start + GOAL_WORDS_PER_WEEK * CYCLE_WEEKS).astype(np.int64)
    table = pa.table(
        {
            "student_id": students["source_id"].take(pa.array(who)),
            "date": pa.array(days).cast(pa.date32()).cast(pa.string()),
            "measure": pa.array(np.full(len(who), MEASURE)),
            "score": pa.array(score),
            "goal": pa.array(goal),
            "subject": pa.array(np.full(len(who), "ela")),
        }
    ).sort_by([("date", "ascending"), ("student_id", "ascending")])
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "orf.csv"
    pacsv.write_csv(table, path)
    return [path]


def _expected_words(students: pa.Table, who: np.ndarray, weeks: np.ndarray) -> np.ndarray:
    """Words correct per minute a student reads at ``weeks`` into the year, before probe noise."""
    grade = students["grade_num"].to_numpy()[who]
    level = students["ela_level_fall"].to_numpy()[who]
    growth = students["ela_growth"].to_numpy()[who]
    fall = WORDS_AT_GRADE_ONE + WORDS_PER_GRADE * (grade - 1) + WORDS_PER_LEVEL * level
    return np.maximum(fall, 5.0) + WORDS_PER_WEEK_OF_GROWTH * growth * weeks
