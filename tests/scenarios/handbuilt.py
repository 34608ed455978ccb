"""Hand-built districts whose right tutoring decisions are known by construction.

A ``HandBuilt`` district is a synthetic district (so the project's writers put it in the vendors' real
layouts: a OneRoster 1.2 package, i-Ready Diagnostic Results, the tutors file and session logs) whose
scenario students ("pupils") have exact levels: no test noise, and seated on roster rows whose i-Ready
sittings are neither rushed nor retaken, so every placement and every domain reads as written here. Every
other student of the district sits well above grade level and never enters tutoring. The spring window
is early March (some districts test then), so that a boundary sees a test taken after the winter one.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from connectors.iready.writer import write_iready
from connectors.iready.writer_scores import sittings
from connectors.oneroster_csv.writer import write_oneroster
from connectors.session_log.writer import write_tutors
from hub.skills import DOMAINS
from testkit.synthetic import DistrictSpec, SyntheticDistrict, build_district

WINDOWS = {
    "fall": (date(2025, 9, 2), date(2025, 9, 30)),
    "winter": (date(2026, 1, 6), date(2026, 1, 30)),
    "spring": (date(2026, 3, 2), date(2026, 3, 13)),
}
ABOVE = 1.5
"""Grade levels above grade: where every student and domain not named sits (a rushed test stays on grade)."""


@dataclass(frozen=True)
class Pupil:
    """One scenario student: school (0, 1, 2), grade, and math levels per window (grade levels against
    the student's grade: -2.5 is two and a half below); ``focus`` names domains and their level per
    window; every other math domain sits ``ABOVE`` the overall level, and ELA above grade."""

    key: str
    school: int
    grade: str
    math: dict[str, float]
    focus: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Tutor:
    """A tutor of the roster (OneRoster ``ext:tutor``, or ``aide``), and their tutors.csv row (or none)."""

    key: str
    school: int
    max_groups: int | None = 4
    subjects: str = "math"
    role: str = "ext:tutor"


@dataclass(eq=False)
class HandBuilt(SyntheticDistrict):
    """A synthetic district with exact levels (see the module)."""

    pupils: dict[str, int] = field(default_factory=dict)
    """pupil key -> row in ``students``"""
    math_levels: dict[str, np.ndarray] = field(default_factory=dict)
    domain_levels: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    """tutor source_id -> OneRoster role written for them"""

    def window_dates(self, window: str) -> tuple[date, date]:
        return WINDOWS[window]

    def level_at(self, subject: str, window: str) -> pa.Array:
        if subject == "ela":
            return pa.array(np.full(self.students.num_rows, ABOVE))
        return pa.array(self.math_levels[window])

    def domain_level_at(self, subject: str, domain: str, window: str) -> pa.Array:
        base = self.level_at(subject, window).to_numpy()
        named = self.domain_levels.get((domain, window))
        return pa.array(named if named is not None else base + ABOVE)

    def source_id(self, key: str) -> str:
        return self.students["source_id"][self.pupils[key]].as_py()

    def tutor_id(self, key: str) -> str:
        return f"tut-{key}"


def _clean_rows(district: SyntheticDistrict) -> list[int]:
    """Rows of students with no rushed and no retaken i-Ready sitting in any window."""
    troubled: set[int] = set()
    for subject in DOMAINS:
        for window in WINDOWS:
            tests = sittings(district, subject, window)
            troubled |= set(tests.student[tests.rushed | tests.retake].tolist())
    return [row for row in range(district.students.num_rows) if row not in troubled]


def hand_built(pupils: list[Pupil], tutors: list[Tutor], *, students: int = 60, seed: int = 3) -> HandBuilt:
    """A district of ``students`` students, ``pupils`` among them on clean rows, and exactly ``tutors``."""
    base = build_district(DistrictSpec(students=students, seed=seed, district_id="handbuilt"))
    values = {item.name: getattr(base, item.name) for item in fields(SyntheticDistrict) if item.init}
    district = HandBuilt(**values)
    clean = _clean_rows(district)
    assert len(clean) >= len(pupils), "too few clean rows: build more students"
    schools = base.schools["source_id"].to_pylist()
    grade = np.array(base.students["grade"].to_pylist(), dtype=object)
    school = np.array(base.students["school_source_id"].to_pylist(), dtype=object)
    grade[:] = "KG"  # everyone else: kindergarten, above grade level, never tutored
    levels = {window: np.full(students, ABOVE) for window in WINDOWS}
    for pupil, row in zip(pupils, clean, strict=False):
        district.pupils[pupil.key] = row
        grade[row], school[row] = pupil.grade, schools[pupil.school]
        for window, level in pupil.math.items():
            levels[window][row] = level
    district.math_levels = levels
    for pupil in pupils:
        row = district.pupils[pupil.key]
        for domain, by_window in pupil.focus.items():
            for window, level in by_window.items():
                named = district.domain_levels.setdefault((domain, window), levels[window] + ABOVE)
                named[row] = level
    grade_num = np.array([0 if g == "KG" else int(g) for g in grade])
    students_table = base.students
    for name, column in (("grade", pa.array(grade, pa.string())), ("grade_num", pa.array(grade_num))):
        students_table = students_table.set_column(students_table.schema.get_field_index(name), name, column)
    district.students = students_table.set_column(
        students_table.schema.get_field_index("school_source_id"),
        "school_source_id",
        pa.array(school, pa.string()),
    )
    district.tutors = _tutors(base, tutors, schools)
    district.roles = {district.tutor_id(tutor.key): tutor.role for tutor in tutors}
    return district


def _tutors(base: SyntheticDistrict, tutors: list[Tutor], schools: list[str]) -> pa.Table:
    """``tutors`` as the district's tutor table, with names borrowed from the generated ones."""
    template = base.tutors.slice(0, 1).to_pylist()[0]
    rows = []
    for number, tutor in enumerate(tutors):
        rows.append(
            {
                **template,
                "source_id": f"tut-{tutor.key}",
                "sis_id": str(900_000 + number),
                "username": f"tutor{number}",
                "email": f"tutor{number}@handbuilt.k12.example.org",
                "school_source_id": schools[tutor.school],
                "subjects": tutor.subjects,
                "max_groups": tutor.max_groups if tutor.max_groups is not None else 0,
            }
        )
    return pa.Table.from_pylist(rows, schema=base.tutors.schema)


def write_drop(
    district: HandBuilt, drop: Path, tutors: list[Tutor], *, leaving: tuple[str, ...] = ()
) -> None:
    """The district's OneRoster package, i-Ready exports and tutors.csv in ``drop`` (replacing any).

    ``leaving``: pupils the SIS no longer exports (their rows are left out of every roster file), as a
    student who moved away. A tutor whose ``role`` is not ``ext:tutor`` is written with that role, and a
    tutor with ``max_groups`` None is left out of tutors.csv (the roster alone names them).
    """
    drop.mkdir(parents=True, exist_ok=True)
    [package] = write_oneroster(district, drop)
    _edit_package(package, {district.source_id(key) for key in leaving}, district.roles)
    write_iready(district, drop / "iready")
    tutors_file = write_tutors(district, drop / "sessions")
    listed = [district.tutor_id(tutor.key) for tutor in tutors if tutor.max_groups is not None]
    table = pacsv.read_csv(tutors_file)
    keep = [tutor_id in listed for tutor_id in table["tutor_id"].to_pylist()]
    pacsv.write_csv(table.filter(pa.array(keep)), tutors_file)


def _edit_package(package: Path, leaving: set[str], roles: dict[str, str]) -> None:
    """Leave the ``leaving`` people out of every file; write each tutor's role as ``roles`` says."""
    with zipfile.ZipFile(package) as archive:
        files = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    for name, text in files.items():
        lines = [line for line in text.splitlines(keepends=True) if not any(who in line for who in leaving)]
        if name == "roles.csv":
            for tutor_id, role in roles.items():
                lines = [
                    line.replace(",ext:tutor,", f",{role},") if f",{tutor_id}," in line else line
                    for line in lines
                ]
        files[name] = "".join(lines)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    package.write_bytes(buffer.getvalue())


def write_sessions(drop: Path, rows: list[dict]) -> None:
    """A session log in the hub's documented format (connectors/session_log), one row per student; the
    optional columns (``skills_covered``, ``mastery_check``) are written when the rows carry them."""
    columns = ["session_id", "session_date", "minutes", "tutor_id", "group_id", "student_id", "attendance"]
    columns += [name for name in ("skills_covered", "mastery_check") if any(name in row for row in rows)]
    path = drop / "sessions" / "sessions-2025-fall.csv"
    values = {column: [str(row.get(column) or "") for row in rows] for column in columns}
    pacsv.write_csv(pa.table(values), path)
