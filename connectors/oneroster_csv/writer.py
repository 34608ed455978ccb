"""Write a synthetic district as a OneRoster 1.2.1 bulk CSV package (``oneroster-1.2-bulk.zip``).

The layout is the CSV binding's exactly: ``manifest.csv`` naming all 21 files, eight of them in bulk and
the rest absent; spec columns in spec order, ``metadata.*`` extensions to their right; ``status`` and
``dateLastModified`` blank, as bulk rows require; UTF-8 without BOM, LF line ends, quotes only around values
that need them. Tutors are users with the extension role ``ext:tutor``.

Files are streamed into the zip batch by batch, so the two million enrollments of a large district never sit
in memory as text. Rows are formatted with Arrow compute rather than ``pyarrow.csv.CSVWriter``: its
"needed" quoting quotes every string value, and the package should look like a SIS export, where only
multi-valued cells (``"{SIS:1},{State:2}"``) are quoted.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from testkit.synthetic import SUBJECT_NAMES, SyntheticDistrict

PACKAGE = "oneroster-1.2-bulk.zip"
BATCH_ROWS = 50_000
_LIFECYCLE = ("sourcedId", "status", "dateLastModified")
_RACES = (
    "americanIndianOrAlaskaNative",
    "asian",
    "blackOrAfricanAmerican",
    "nativeHawaiianOrOtherPacificIslander",
    "white",
    "demographicRaceTwoOrMoreRaces",
    "hispanicOrLatinoEthnicity",
)
HEADERS: dict[str, tuple[str, ...]] = {
    "orgs": (*_LIFECYCLE, "name", "type", "identifier", "parentSourcedId"),
    "academicSessions": (
        *_LIFECYCLE, "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear",
    ),
    "courses": (
        *_LIFECYCLE, "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects",
        "subjectCodes",
    ),
    "classes": (
        *_LIFECYCLE, "title", "grades", "courseSourcedId", "classCode", "classType", "location",
        "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods",
    ),
    "users": (
        *_LIFECYCLE, "enabledUser", "username", "userIds", "givenName", "familyName", "middleName",
        "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password",
        "userMasterIdentifier", "preferredGivenName", "preferredMiddleName", "preferredFamilyName",
        "primaryOrgSourcedId", "pronouns",
    ),
    "roles": (
        *_LIFECYCLE, "userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId",
        "userProfileSourcedId",
    ),
    "enrollments": (
        *_LIFECYCLE, "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate",
        "endDate",
    ),
    "demographics": (
        *_LIFECYCLE, "birthDate", "sex", *_RACES, "countryOfBirthCode", "stateOfBirthAbbreviation",
        "cityOfBirth", "publicSchoolResidenceStatus", "metadata.englishLearner",
        "metadata.studentWithDisability", "metadata.economicallyDisadvantaged",
    ),
}  # fmt: skip
# Every file the 1.2 manifest names, in the order the binding lists them.
MANIFEST_FILES = (
    "academicSessions", "categories", "classes", "classResources", "courses", "courseResources",
    "demographics", "enrollments", "lineItemLearningObjectiveIds", "lineItems", "lineItemScoreScales", "orgs",
    "resources", "resultLearningObjectiveIds", "results", "resultScoreScales", "roles", "scoreScales",
    "userProfiles", "userResources", "users",
)  # fmt: skip
_NEEDS_QUOTES = '[",\r\n]'


def write_oneroster(district: SyntheticDistrict, out_dir: Path) -> list[Path]:
    """Write the package into ``out_dir`` (created if missing); returns the zip's path.

    The zip is byte-for-byte the same for the same district: entries carry a fixed timestamp.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / PACKAGE
    stamp = (district.spec.school_year - 1, 8, 1, 0, 0, 0)
    files = {
        "orgs": [_orgs(district)],
        "academicSessions": [_sessions(district)],
        "courses": [_courses(district)],
        "classes": [_classes(district)],
        "users": _users(district),
        "roles": _roles(district),
        "enrollments": map(_enrollments, district.iter_enrollments(BATCH_ROWS)),
        "demographics": map(_demographics, district.students.to_batches(BATCH_ROWS)),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as package:
        _entry(package, "manifest.csv", stamp, _encode(("propertyName", "value"), [_manifest(set(files))]))
        for stem, tables in files.items():
            _entry(package, f"{stem}.csv", stamp, _encode(HEADERS[stem], tables))
    return [path]


def _entry(
    package: zipfile.ZipFile, name: str, stamp: tuple[int, ...], chunks: Iterable[bytes | memoryview]
) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    with package.open(info, "w") as entry:
        for chunk in chunks:
            entry.write(chunk)


def _encode(header: Iterable[str], tables: Iterable[pa.Table]) -> Iterator[bytes | memoryview]:
    names = list(header)
    yield (",".join(names) + "\n").encode()
    for table in tables:
        if table.column_names != names:
            raise ValueError(f"columns {table.column_names} do not match the header {names}")
        for batch in table.to_batches(BATCH_ROWS):
            yield _csv_lines(batch)


def _csv_lines(batch: pa.RecordBatch) -> memoryview:
    """The rows of ``batch`` as CSV text: one string per row, whose contiguous buffer is the file body."""
    if batch.num_rows == 0:
        return memoryview(b"")
    cells = [_cell(column) for column in batch.columns]
    rows = pc.binary_join_element_wise(pc.binary_join_element_wise(*cells, ","), "\n", "")
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32, count=len(rows) + 1, offset=rows.offset * 4)
    return memoryview(rows.buffers()[2])[offsets[0] : offsets[-1]]


def _cell(column: pa.Array) -> pa.Array:
    """One column as CSV cells; only text can hold a comma or a quote, so only text is searched."""
    if column.null_count == len(column):
        return pa.repeat(pa.scalar(""), len(column))
    text = column.cast(pa.string())
    if pa.types.is_string(column.type):
        needs_quotes = pc.match_substring_regex(text, _NEEDS_QUOTES)
        if pc.any(needs_quotes).as_py():
            quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
            text = pc.if_else(needs_quotes, quoted, text)
    return pc.fill_null(text, "")


def _rows(stem: str, n: int, columns: dict[str, pa.Array | pa.ChunkedArray | str | None]) -> pa.Table:
    """A table in ``stem``'s header order; absent columns are blank, a str is repeated on every row."""
    unknown = set(columns) - set(HEADERS[stem])
    if unknown:
        raise ValueError(f"{stem}.csv has no column(s) {sorted(unknown)}")
    arrays = []
    for name in HEADERS[stem]:
        value = columns.get(name)
        if value is None:
            value = pa.nulls(n, pa.string())
        elif isinstance(value, str):
            value = pa.repeat(pa.scalar(value), n)
        arrays.append(value)
    return pa.table(arrays, names=list(HEADERS[stem]))


def _manifest(present: set[str]) -> pa.Table:
    properties = ["manifest.version", "oneroster.version"] + [f"file.{stem}" for stem in MANIFEST_FILES]
    values = ["1.0", "1.2"] + ["bulk" if stem in present else "absent" for stem in MANIFEST_FILES]
    properties += ["source.systemName", "source.systemCode"]
    values += ["tutorhub synthetic district", "tutorhub-synthetic"]
    return pa.table({"propertyName": properties, "value": values})


def _orgs(district: SyntheticDistrict) -> pa.Table:
    schools = district.schools
    n = schools.num_rows + 1
    return _rows(
        "orgs",
        n,
        {
            "sourcedId": pa.concat_arrays(
                [pa.array([district.district_org_id]), *schools["source_id"].chunks]
            ),
            "name": pa.concat_arrays([pa.array([district.district_name]), *schools["name"].chunks]),
            "type": pa.array(["district"] + ["school"] * schools.num_rows),
            "identifier": pa.concat_arrays(
                [pa.array([district.district_identifier]), *schools["identifier"].chunks]
            ),
            "parentSourcedId": pa.array([None] + [district.district_org_id] * schools.num_rows, pa.string()),
        },
    )


def _sessions(district: SyntheticDistrict) -> pa.Table:
    sessions = district.sessions
    names = ("title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear")
    own = ("title", "type", "start_date", "end_date", "parent_source_id", "school_year")
    columns = {name: sessions[column] for name, column in zip(names, own, strict=True)}
    return _rows("academicSessions", sessions.num_rows, {"sourcedId": sessions["source_id"], **columns})


def _subject_names(subjects: pa.ChunkedArray) -> pa.Array:
    keys = pa.array(list(SUBJECT_NAMES))
    return pa.array(list(SUBJECT_NAMES.values())).take(pc.index_in(subjects, keys))


def _courses(district: SyntheticDistrict) -> pa.Table:
    courses = district.courses
    return _rows(
        "courses",
        courses.num_rows,
        {
            "sourcedId": courses["source_id"],
            "schoolYearSourcedId": courses["school_year_source_id"],
            "title": courses["title"],
            "courseCode": courses["course_code"],
            "grades": courses["grades"],
            "orgSourcedId": courses["org_source_id"],
            "subjects": _subject_names(courses["subject"]),
        },
    )


def _classes(district: SyntheticDistrict) -> pa.Table:
    sections = district.sections
    return _rows(
        "classes",
        sections.num_rows,
        {
            "sourcedId": sections["source_id"],
            "title": sections["title"],
            "grades": sections["grades"],
            "courseSourcedId": sections["course_source_id"],
            "classCode": sections["class_code"],
            "classType": sections["class_type"],
            "schoolSourcedId": sections["school_source_id"],
            "termSourcedIds": sections["term_source_ids"],
            "subjects": _subject_names(sections["subject"]),
            "periods": sections["period"],
        },
    )


def _people(district: SyntheticDistrict) -> Iterator[tuple[str, pa.Table]]:
    """Every user with their primary role: students (in batches), then teachers, then tutors."""
    for batch in district.students.to_batches(BATCH_ROWS):
        yield "student", pa.Table.from_batches([batch])
    yield "teacher", district.teachers
    yield "ext:tutor", district.tutors


def _user_ids(people: pa.Table) -> pa.Array:
    ids = pc.binary_join_element_wise("{SIS:", people["sis_id"], "}", "")
    if "state_id" in people.column_names:
        state = pc.binary_join_element_wise("{State:", people["state_id"], "}", "")
        ids = pc.binary_join_element_wise(ids, state, ",")
    return ids


def _users(district: SyntheticDistrict) -> Iterator[pa.Table]:
    for role, people in _people(district):
        yield _rows(
            "users",
            people.num_rows,
            {
                "sourcedId": people["source_id"],
                "enabledUser": "true",
                "username": people["username"],
                "userIds": _user_ids(people),
                "givenName": people["given_name"],
                "familyName": people["family_name"],
                "identifier": people["sis_id"],
                "email": people["email"],
                "grades": people["grade"] if role == "student" else None,
                "primaryOrgSourcedId": people["school_source_id"],
            },
        )


def _roles(district: SyntheticDistrict) -> Iterator[pa.Table]:
    for role, people in _people(district):
        yield _rows(
            "roles",
            people.num_rows,
            {
                "sourcedId": pc.binary_join_element_wise("role-", people["source_id"], ""),
                "userSourcedId": people["source_id"],
                "roleType": "primary",
                "role": role,
                "orgSourcedId": people["school_source_id"],
            },
        )


def _enrollments(enrollments: pa.Table) -> pa.Table:
    return _rows(
        "enrollments",
        enrollments.num_rows,
        {
            "sourcedId": enrollments["source_id"],
            "classSourcedId": enrollments["section_source_id"],
            "schoolSourcedId": enrollments["school_source_id"],
            "userSourcedId": enrollments["person_source_id"],
            "role": enrollments["role"],
            "primary": enrollments["primary"],
            "beginDate": enrollments["begin_date"],
            "endDate": enrollments["end_date"],
        },
    )


_DEMOGRAPHICS = {
    "birthDate": "birth_date",
    "sex": "sex",
    **dict(zip(_RACES, (
        "american_indian_or_alaska_native", "asian", "black_or_african_american",
        "native_hawaiian_or_other_pacific_islander", "white", "two_or_more_races", "hispanic_or_latino",
    ), strict=True)),
    "metadata.englishLearner": "english_learner",
    "metadata.studentWithDisability": "disability",
    "metadata.economicallyDisadvantaged": "economically_disadvantaged",
}  # fmt: skip


def _demographics(students: pa.RecordBatch) -> pa.Table:
    columns = {name: students.column(column) for name, column in _DEMOGRAPHICS.items()}
    return _rows("demographics", students.num_rows, {"sourcedId": students.column("source_id"), **columns})
