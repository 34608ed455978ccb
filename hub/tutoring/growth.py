"""Growth on the test of record between two dates: what impact reports and what the weekly pulse shows.

Growth is the change in scale score from the baseline to the latest test of the same vendor and school
year. The baseline is the last test on or before the start (for a school year, the first test of the
year; for a cycle, the test that opened it; in the pulse, the test that put the student in tutoring),
else the first test after it; the latest is the vendor's last test after the baseline and on or before
the end. Scale points of different vendors, or of different measures of one vendor (MAP Reading and Language
Usage), are not comparable, so a growth never mixes them: the latest test is of the baseline's vendor and
measure (``measure`` is "" where the vendor has one measure per subject). Beside it,
where the vendor reports it, is the latest test's percent progress to typical annual growth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.tutoring._arrow import require

STUDENT = ["person_source_id", "subject"]
TEST = ["vendor", "measure"]
"""What makes two scores comparable: one vendor's one measure."""
TEST_COLUMNS = ["source_id", *STUDENT, *TEST, "test_date", "scale_score", "proficiency_band", "placement"]
GROWTH_COLUMNS = [*TEST_COLUMNS, "school_year", "percent_progress_typical", "is_test_of_record"]
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
NO_ROW = np.iinfo(np.int64).max  # above every rank code: a key no row has


def key_codes(table: pa.Table, columns: list[str]) -> np.ndarray:
    """One int64 per row, equal exactly where all ``columns`` are (nulls equal nulls): ``dense`` numbers.

    Integer keys group and match much faster than several string columns at millions of rows.
    """
    codes = np.zeros(table.num_rows, dtype=np.int64)
    for name in columns:
        encoded = pc.dictionary_encode(table[name].combine_chunks(), null_encoding="encode")
        codes = codes * (len(encoded.dictionary) + 1) + encoded.indices.to_numpy(zero_copy_only=False)
    return dense(codes)


def dense(codes: np.ndarray) -> np.ndarray:
    """``codes`` numbered 0, 1, ... in order of first appearance, so that they index an array directly."""
    return pc.dictionary_encode(pa.array(codes)).indices.to_numpy().astype(np.int64)


def first_rows(keys: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Row numbers (ascending) of the lowest ``rank`` per key (0 <= rank < 2**37; ties: the earlier row).

    ``keys`` are ``dense`` numbers (any selection of them): one pass over the rows keeps each key's best.
    """
    code = (rank.astype(np.int64) << ROW_BITS) | np.arange(len(keys), dtype=np.int64)
    best = np.full(int(keys.max(initial=-1)) + 1, NO_ROW)
    np.minimum.at(best, keys, code)
    chosen = np.zeros(len(keys), dtype=bool)
    chosen[best[best != NO_ROW] & ((1 << ROW_BITS) - 1)] = True
    return np.flatnonzero(chosen)


def _days(dates: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return pc.cast(dates, pa.int32()).to_numpy(zero_copy_only=False).astype(np.int64)


def _day(day: date) -> int:
    return int(_days(pa.array([day], pa.date32()))[0])


def _of_record(results: pa.Table, school_year: int, end: date | None = None) -> pa.Table:
    """The year's tests of record with a score and a student (up to ``end`` when given): what growth reads."""
    require(results, GROWTH_COLUMNS, "assessment_result")
    kept = pc.and_(
        pc.and_(
            pc.fill_null(results["is_test_of_record"], False), pc.equal(results["school_year"], school_year)
        ),
        pc.and_(pc.is_valid(results["scale_score"]), pc.is_valid(results["person_source_id"])),
    )
    kept = pc.and_(kept, pc.is_valid(results["test_date"]))
    if end is not None:
        kept = pc.and_(kept, pc.less_equal(results["test_date"], end))
    tests = results.select([*TEST_COLUMNS, "percent_progress_typical"]).filter(kept)
    at = tests.column_names.index("measure")
    return tests.set_column(at, "measure", pc.fill_null(tests["measure"], ""))


@dataclass(frozen=True, slots=True)
class YearTests:
    """A school year's tests of record, keyed once and measured over any number of spans.

    Impact measures the year and every cycle in it; selecting the tests and encoding their keys is most
    of the work, so it is done once per year rather than once per span.
    """

    tests: pa.Table
    days: np.ndarray
    student: np.ndarray
    same_test: np.ndarray
    """Per row, a number shared by the rows of one student, subject, vendor and measure."""

    @classmethod
    def of(cls, results: pa.Table, school_year: int) -> YearTests:
        """The tests of record of ``school_year`` among ``results`` (assessment_result rows)."""
        return cls.keyed(_of_record(results, school_year))

    @classmethod
    def keyed(cls, tests: pa.Table) -> YearTests:
        """``tests`` as ``_of_record`` selects them, with their days and student and test keys."""
        same_test = key_codes(tests, [*STUDENT, *TEST])
        return cls(tests, _days(tests["test_date"]), key_codes(tests, STUDENT), same_test)

    def growth(self, start: date | np.ndarray, end: date | None = None) -> pa.Table:
        """Growth from ``start`` (a date, or one day number per test) over the tests up to ``end``."""
        return _grown(self.tests, *self._measured(start, end))

    def grown(self, start: date, end: date) -> pa.Table:
        """``growth`` of only the students with a newer test than the baseline: those impact counts."""
        base, latest, newer = self._measured(start, end)
        return _grown(self.tests, base[newer], latest[newer], newer[newer])

    def _measured(
        self, start: date | np.ndarray, end: date | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per student, the baseline row, the latest row of its test, and whether that one is newer."""
        rows = np.flatnonzero(self.days <= _day(end)) if end is not None else np.arange(len(self.days))
        start_days = _day(start) if isinstance(start, date) else start[rows]
        days, same_test = self.days[rows], self.same_test[rows]
        # the last test on or before the start, else the first one after it; and each test's last one
        rank = np.where(days > start_days, DAY_SPAN + days - start_days, start_days - days)
        base = first_rows(self.student[rows], rank)
        last = first_rows(same_test, DAY_SPAN - days)
        latest_of = np.zeros(int(same_test.max(initial=-1)) + 1, dtype=np.int64)
        latest_of[same_test[last]] = last
        latest = latest_of[same_test[base]]
        return rows[base], rows[latest], days[latest] > days[base]


def _grown(tests: pa.Table, base: np.ndarray, latest: np.ndarray, newer: np.ndarray) -> pa.Table:
    """The baseline rows beside the latest ones, where a newer test follows the baseline (else null)."""
    grown = tests.select([*STUDENT, *TEST, *BASELINE]).take(pa.array(base)).rename_columns(BASELINE)
    taken = [*LATEST, "percent_progress_typical"]
    later = tests.select(taken).take(pa.array(latest, mask=~newer))  # a masked row number takes a null
    for name, label in zip(taken, [*LATEST.values(), "percent_progress_typical"], strict=True):
        grown = grown.append_column(label, later[name])
    return grown.append_column("growth", pc.subtract(grown["latest_scale"], grown["baseline_scale"]))


def growth_between(results: pa.Table, start: date | pa.Table, end: date, school_year: int) -> pa.Table:
    """Per student and subject: baseline and latest test of record up to ``end``, and the growth.

    ``start`` is one date for everybody (impact) or a table of person_source_id, subject, start (the
    weekly pulse: each student's entry into tutoring); only those students are then measured. Shared by
    both, so that a teacher reads the same growth that impact reports.
    """
    tests = _of_record(results, school_year, end)
    if not isinstance(start, pa.Table):
        return YearTests.keyed(tests).growth(start)
    tests = tests.join(start.select([*STUDENT, "start"]), STUDENT, join_type="inner")
    return YearTests.keyed(tests).growth(_days(tests["start"]))
