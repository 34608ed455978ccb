"""Growth on the test of record between two dates: what impact reports and what the weekly pulse shows.

Growth is the change in scale score from the baseline to the latest test of the same vendor and school
year. The baseline is the last test on or before the start (for a school year, the first test of the
year; for a cycle, the test that opened it; in the pulse, the test that put the student in tutoring),
else the first test after it; the latest is the vendor's last test after the baseline and on or before
the end. Scale points of different vendors are not comparable, so a growth never mixes vendors. Beside it,
where the vendor reports it, is the latest test's percent progress to typical annual growth.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.tutoring._arrow import require

STUDENT = ["person_source_id", "subject"]
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
