"""The next night's new files, in the vendors' own layouts, made from a ``demo-data`` drop folder.

What a district's drop folder looks like one night later: the vendors' cumulative exports again, 2 % more
tests in them; a week more of session logs; 0.5 % of students changed in the roster package. Each file is
written whole, as the vendor writes it every night, so the night cannot tell the delta from the layout.

- i-Ready (``diagnostic_results_<subject>_CONFIDENTIAL.csv``: UTF-8 BOM, CRLF, nothing quoted): a retest
  for 2 % of the rows' students, dated a few days after their latest test, its scale score moved a few
  points; the student's earlier test loses its ``Most Recent Diagnostic YTD`` Y, as the vendor's does.
- MAP Growth (``AssessmentResults.csv``: every field quoted, header bare): as many new tests as 2 % of
  the rows, each a retest of a student's latest test of a subject (new TestID, a few days later, a moved
  RIT score), appended.
- Session logs: the last logged week's sessions once more, a week later, as a new file beside the others
  (new session ids; the same groups, tutors and students).
- OneRoster (the bulk zip, LF, quoted where needed): of 0.5 % of the students, a third leave (their users,
  roles, demographics and enrollments rows go), a third arrive (a new user enrolled in the classes of an
  existing one), a third are corrected (a preferred given name filled in).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

NEW_TESTS = 0.02
ROSTER_CHANGES = 0.005
MOST_RECENT = "Most Recent Diagnostic YTD (Y/N)"


def write_next_night(drop: Path, seed: int) -> dict[str, int]:
    """Rewrite the exports under ``drop`` as they stand one night later; counts of what changed."""
    rng = np.random.default_rng(seed)
    counts: dict[str, int] = {}
    for path in sorted((drop / "iready").glob("diagnostic_results_*_CONFIDENTIAL.csv")):
        counts[path.name] = _iready_retests(path, rng)
    counts["AssessmentResults.csv"] = _map_retests(drop / "map" / "AssessmentResults.csv", rng)
    counts["sessions (a week more)"] = _next_week_of_sessions(drop / "sessions")
    counts["roster students changed"] = _roster_changes(drop / "oneroster-1.2-bulk.zip", rng)
    return counts


def _read_text(path: Path) -> pa.Table:
    """Every column as text, blanks as empty strings: the file's cells exactly."""
    with path.open(encoding="utf-8-sig") as stream:
        header = next(csv.reader([stream.readline()]))
    options = pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False)
    return pacsv.read_csv(path, convert_options=options)


def _us_dates(text: pa.Array, days: np.ndarray, fmt: str) -> pa.Array:
    """``text`` (month/day/year dates) moved on by ``days``, written back in ``fmt``."""
    parsed = pc.strptime(text, format="%m/%d/%Y", unit="s").cast(pa.date32()).to_numpy(zero_copy_only=False)
    moved = pa.array(parsed + days.astype("timedelta64[D]"))
    if fmt == "%-m/%-d/%Y":  # i-Ready writes no leading zeros, which strftime cannot drop portably
        parts = [pc.month(moved), pc.day(moved), pc.year(moved)]
        return pc.binary_join_element_wise(*[part.cast(pa.string()) for part in parts], "/")
    return pc.strftime(moved, format=fmt)


def _moved_scores(scores: pa.Array, rng: np.random.Generator) -> pa.Array:
    values = pc.cast(scores, pa.int64()).to_numpy() + rng.choice([-6, -3, 2, 4, 7, 11], len(scores))
    return pa.array(values).cast(pa.string())


def _iready_retests(path: Path, rng: np.random.Generator) -> int:
    table = _read_text(path)
    latest = np.flatnonzero(pc.equal(table[MOST_RECENT], "Y").to_numpy(zero_copy_only=False))
    chosen = np.sort(rng.choice(latest, int(NEW_TESTS * table.num_rows), replace=False))
    retests = table.take(chosen)
    days = rng.integers(3, 10, len(chosen))
    for name in ("Start Date", "Completion Date"):
        retests = retests.set_column(
            retests.schema.get_field_index(name), name, _us_dates(retests[name], days, "%-m/%-d/%Y")
        )
    score = retests.schema.get_field_index("Overall Scale Score")
    retests = retests.set_column(score, "Overall Scale Score", _moved_scores(retests[score], rng))
    retests = retests.set_column(
        retests.schema.get_field_index("Baseline Diagnostic (Y/N)"),
        "Baseline Diagnostic (Y/N)",
        pa.array(["N"] * len(chosen)),
    )
    was_latest = np.zeros(table.num_rows, dtype=bool)
    was_latest[chosen] = True
    flags = pc.if_else(pa.array(was_latest), "N", table[MOST_RECENT])
    table = table.set_column(table.schema.get_field_index(MOST_RECENT), MOST_RECENT, flags)
    with path.open("wb") as stream:
        stream.write(codecs.BOM_UTF8)
        options = pacsv.WriteOptions(quoting_style="none", eol="\r\n")
        pacsv.write_csv(pa.concat_tables([table, retests]), stream, options)
    return len(chosen)


def _map_retests(path: Path, rng: np.random.Generator) -> int:
    table = _read_text(path)
    chosen = np.sort(rng.choice(_latest_tests(table), int(NEW_TESTS * table.num_rows), replace=False))
    retests = table.take(chosen)
    first_id = pc.max(pc.cast(table["TestID"], pa.int64())).as_py() + 1
    new_ids = pa.array(np.arange(first_id, first_id + len(chosen))).cast(pa.string())
    retests = retests.set_column(retests.schema.get_field_index("TestID"), "TestID", new_ids)
    when = retests.schema.get_field_index("TestStartDate")
    days = rng.integers(3, 10, len(chosen))
    retests = retests.set_column(when, "TestStartDate", _us_dates(retests[when], days, "%m/%d/%Y"))
    score = retests.schema.get_field_index("TestRITScore")
    retests = retests.set_column(score, "TestRITScore", _moved_scores(retests[score], rng))
    body = io.BytesIO()
    pacsv.write_csv(retests, body, pacsv.WriteOptions(include_header=False, quoting_style="all_valid"))
    with path.open("ab") as stream:  # NWEA writes blanks as "" too: every cell is a valid string here
        stream.write(body.getvalue())
    return len(chosen)


def _latest_tests(table: pa.Table) -> np.ndarray:
    """Rows of each student's latest test of a subject: a retest dated after it is never a test the
    export already holds (the hub refuses a duplicate test, rightly)."""
    day = pc.strptime(table["TestStartDate"], format="%m/%d/%Y", unit="s").cast(pa.date32())
    rows = pa.table(
        {"student": table["StudentID"], "subject": table["Subject"], "day": day, "row": np.arange(len(table))}
    )
    latest = rows.group_by(["student", "subject"]).aggregate([("day", "max")])
    found = rows.join(latest, ["student", "subject"]).filter(pc.equal(pc.field("day"), pc.field("day_max")))
    return np.unique(found["row"].to_numpy())


def _next_week_of_sessions(folder: Path) -> int:
    """The last logged week once more, seven days later, as a file of its own; the sessions it holds.

    Two passes over the logs, so that only the last week is ever held: a district's season of logs is
    gigabytes."""
    logs = sorted(folder.glob("sessions*.csv"))
    text = {"session_date": pa.string(), "session_id": pa.string()}
    keys = pacsv.ConvertOptions(column_types=text, include_columns=list(text))
    seen = pa.concat_tables(pacsv.read_csv(path, convert_options=keys) for path in logs)
    last_day = date.fromisoformat(pc.max(seen["session_date"]).as_py())
    last_id = pc.max(pc.cast(pc.utf8_slice_codeunits(seen["session_id"], 4), pa.int64())).as_py()
    monday = (last_day - timedelta(days=last_day.weekday())).isoformat()
    # times stay as written (10:30), numbers stay bare: the other columns' types are inferred
    options = pacsv.ConvertOptions(column_types={**text, "start_time": pa.string()})
    rows = pa.concat_tables(
        pa.Table.from_batches([batch]).filter(pc.greater_equal(batch["session_date"], monday))
        for path in logs
        for batch in pacsv.open_csv(path, convert_options=options)
    )
    days = pc.strptime(rows["session_date"], format="%Y-%m-%d", unit="s").cast(pa.date32())
    later = pc.strftime(pa.array(days.to_numpy(zero_copy_only=False) + np.timedelta64(7, "D")), "%Y-%m-%d")
    old_ids = pc.cast(pc.utf8_slice_codeunits(rows["session_id"], 4), pa.int64())
    first = pc.min(old_ids).as_py()
    new_ids = pc.utf8_lpad(pc.cast(pc.add(pc.subtract(old_ids, first), last_id + 1), pa.string()), 8, "0")
    rows = rows.set_column(rows.schema.get_field_index("session_date"), "session_date", later)
    rows = rows.set_column(0, "session_id", pc.binary_join_element_wise("ses-", new_ids, ""))
    target = folder / f"sessions-{date.fromisoformat(monday) + timedelta(days=7)}.csv"
    pacsv.write_csv(rows, target, pacsv.WriteOptions(quoting_style="needed"))
    return pc.count_distinct(rows["session_id"]).as_py()


def _roster_changes(package: Path, rng: np.random.Generator) -> int:
    with zipfile.ZipFile(package) as archive:
        files = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    tables = {
        name: list(csv.reader(io.StringIO(text))) for name, text in files.items() if name != "manifest.csv"
    }
    users = tables["users.csv"]
    header = users[0]
    column = {name: index for index, name in enumerate(header)}
    students = [row for row in users[1:] if row[0].startswith("stu-")]
    touched = rng.choice(len(students), max(3, int(ROSTER_CHANGES * len(students))), replace=False)
    leaving, arriving, corrected = ({students[i][0] for i in part} for part in np.array_split(touched, 3))
    for row in users[1:]:
        if row[0] in corrected:
            row[column["preferredGivenName"]] = row[column["givenName"]][:3]
    twins = {old: f"stu-n{number:07d}" for number, old in enumerate(sorted(arriving), start=1)}
    _arrive(tables, twins, column)
    owner = {"users.csv": 0, "demographics.csv": 0, "roles.csv": 3, "enrollments.csv": 5}
    for name, index in owner.items():
        rows = tables[name]
        tables[name] = [rows[0], *(row for row in rows[1:] if row[index] not in leaving)]
    with zipfile.ZipFile(package, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.csv", files["manifest.csv"])
        for name, rows in tables.items():
            text = io.StringIO()
            csv.writer(text, lineterminator="\n").writerows(rows)
            archive.writestr(name, text.getvalue())
    return len(touched)


def _arrive(tables: dict[str, list[list[str]]], twins: dict[str, str], column: dict[str, int]) -> None:
    """New students, each enrolled where an existing one is: new ids, user name, SIS and state ids."""
    sis = 9_000_000
    for name, index in {"users.csv": 0, "demographics.csv": 0, "roles.csv": 3, "enrollments.csv": 5}.items():
        rows = tables[name]
        copies = []
        for row in rows[1:]:
            if row[index] not in twins:
                continue
            new_id = twins[row[index]]
            copy = [cell.replace(row[index], new_id) for cell in row]
            if name == "users.csv":
                number = sis + int(new_id[-7:])
                copy[column["identifier"]] = str(number)
                copy[column["username"]] = f"new{number}"
                copy[column["email"]] = f"new{number}@students.demo.k12.example.org"
                copy[column["userIds"]] = f"{{SIS:{number}}},{{State:{number + 10**9}}}"
            elif name == "enrollments.csv":
                copy[0] = f"{row[0]}-{new_id}"
            copies.append(copy)
        rows.extend(copies)
