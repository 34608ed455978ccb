"""Reading the session log format: both shapes, files in a folder, updates, tutors, the contract."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from connectors.session_log import SessionLogConfig, SessionLogSource
from hub import csvtext
from hub.connector import ConnectorError, SyncMode
from hub.pipeline import extracts
from hub.plugins import installed
from hub.testing import check_source


def source(path: Path) -> SessionLogSource:
    return SessionLogSource(SessionLogConfig(path=path))


def sessions(logs) -> list[dict]:  # type: ignore[no-untyped-def]
    return [
        logs.session("s-1", skills_covered="Phonics; vocabulary", standards="RF.2.3; RF.2.4"),
        logs.session(
            "s-2",
            session_date="2025-10-08",
            minutes=45,
            students=[
                {"student_id": "p-1", "attendance": "tardy", "minutes_present": 35},
                {"student_id": "p-2", "attendance": "excused"},
                {"student_id": "p-3", "attendance": "present"},
            ],
        ),
        logs.session(
            "s-3",
            session_date="2025-10-10",
            session_status="cancelled",
            students=[{"student_id": "p-1"}, {"student_id": "p-2"}],
        ),
    ]


def by_id(table: pa.Table) -> list[dict]:
    return table.sort_by("source_id").to_pylist()


def test_csv_and_jsonl_normalize_to_the_same_rows(logs) -> None:  # type: ignore[no-untyped-def]
    from_csv = source(logs.write("a.csv", sessions(logs))).read()
    from_jsonl = source(logs.write("b.jsonl", sessions(logs))).read()
    assert not from_csv.issues and not from_jsonl.issues
    csv_batch = source(logs.folder / "a.csv").normalize(from_csv)
    jsonl_batch = source(logs.folder / "b.jsonl").normalize(from_jsonl)
    for table in ("tutoring_session", "session_attendance"):
        assert by_id(csv_batch.tables[table]) == by_id(jsonl_batch.tables[table])
    first = by_id(csv_batch.tables["tutoring_session"])[0]
    assert first["session_date"] == date(2025, 10, 6)
    assert first["skills_covered"] == "phonics,vocabulary"  # a label and a key, both canonical now
    assert first["standards"] == "RF.2.3,RF.2.4"
    assert first["tutor_person_source_id"] == "t-1" and first["group_source_id"] == "g-1"


def test_attendance_minutes_and_cancelled_sessions(logs) -> None:  # type: ignore[no-untyped-def]
    batch = source(logs.write("a.csv", sessions(logs))).normalize(source(logs.folder / "a.csv").read())
    rows = {row["source_id"]: row for row in batch.tables["session_attendance"].to_pylist()}
    assert len(rows) == 7  # every scheduled student, absent and cancelled ones too
    assert rows["s-1:p-1"]["minutes_present"] == 30  # blank + present = the whole session
    assert rows["s-1:p-1"]["mastery_check"] == "3/4"
    assert rows["s-1:p-2"]["attendance"] == "absent" and rows["s-1:p-2"]["minutes_present"] == 0
    assert rows["s-2:p-1"]["attendance"] == "tardy" and rows["s-2:p-1"]["minutes_present"] == 35
    assert rows["s-2:p-3"]["minutes_present"] == 45
    assert rows["s-3:p-1"]["attendance"] == "cancelled" and rows["s-3:p-1"]["minutes_present"] == 0
    assert rows["s-3:p-1"]["session_source_id"] == "s-3" and rows["s-3:p-1"]["person_source_id"] == "p-1"
    assert batch.modes == {"tutoring_session": SyncMode.DELTA, "session_attendance": SyncMode.DELTA}


def test_a_later_file_updates_a_session_instead_of_duplicating_it(logs) -> None:  # type: ignore[no-untyped-def]
    logs.write(
        "sessions-2025-10-06.csv", [logs.session("s-1"), logs.session("s-2", session_date="2025-10-07")]
    )
    fixed = logs.session("s-1", minutes=40, students=[{"student_id": "p-1", "attendance": "present"}])
    logs.write("sessions-2025-10-07.jsonl", [fixed])
    extract = source(logs.folder).read()
    batch = source(logs.folder).normalize(extract)
    sessions_by_id = {row["source_id"]: row for row in batch.tables["tutoring_session"].to_pylist()}
    assert sessions_by_id["s-1"]["minutes"] == 40 and sessions_by_id["s-2"]["minutes"] == 30
    attendance = sorted(batch.tables["session_attendance"].column("source_id").to_pylist())
    assert attendance == ["s-1:p-1", "s-2:p-1", "s-2:p-2"]  # the newer copy of s-1 replaces the older whole
    assert extract.info == {"sessions": 2, "superseded_sessions": 1}


def test_the_same_session_twice_in_one_jsonl_file_keeps_the_later_line(logs) -> None:  # type: ignore[no-untyped-def]
    path = logs.write("a.jsonl", [logs.session("s-1"), logs.session("s-1", notes="corrected")])
    batch = source(path).normalize(source(path).read())
    assert batch.tables["tutoring_session"].column("notes").to_pylist() == ["corrected"]


def test_tutors_file_is_the_whole_list(logs) -> None:  # type: ignore[no-untyped-def]
    logs.write("a.csv", [logs.session()])
    logs.write(
        "tutors.csv", "tutor_id,subjects,max_groups,schools\nt-1,ELA; Math,6,sch-1;sch-2\nt-2,math,4,\n"
    )
    batch = source(logs.folder).normalize(source(logs.folder).read())
    assert by_id(batch.tables["tutor_profile"]) == [
        {
            "source_id": "t-1",
            "subjects": "ela,math",
            "max_groups": 6,
            "school_source_ids": "sch-1,sch-2",
            "source_modified_at": None,
        },
        {
            "source_id": "t-2",
            "subjects": "math",
            "max_groups": 4,
            "school_source_ids": None,
            "source_modified_at": None,
        },
    ]
    assert batch.modes["tutor_profile"] is SyncMode.BULK


def test_line_numbers_count_line_breaks_inside_notes(logs) -> None:  # type: ignore[no-untyped-def]
    text = logs.csv_text(
        [
            logs.session("s-1", notes="first line\nsecond line"),
            logs.session("s-2", minutes=0, students=[{"student_id": "p-1", "attendance": "present"}]),
        ]
    )
    extract = source(logs.write("a.csv", text)).read()
    (issue,) = extract.issues
    assert (issue.kind, issue.line) == ("minutes_range", 6)  # header, 2 rows of s-1 taking 2 lines each


def test_a_file_missing_a_required_column_is_fatal_and_the_others_still_load(logs) -> None:  # type: ignore[no-untyped-def]
    logs.write(
        "a.csv", "session_id,session_date,tutor_id,student_id,attendance\ns-9,2025-10-06,t-1,p-1,present\n"
    )
    logs.write("b.csv", [logs.session("s-1")])
    extract = source(logs.folder).read()
    assert "a.csv: missing required column(s) minutes" in extract.files["a.csv"].fatal
    assert not extract.importable
    batch = source(logs.folder).normalize(extract)
    assert batch.tables["tutoring_session"].column("source_id").to_pylist() == ["s-1"]


def test_a_missing_path_or_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match="no such file or folder"):
        source(tmp_path / "nowhere").read()
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConnectorError, match="no session log files"):
        source(tmp_path / "empty").read()


def test_the_connector_meets_the_contract_and_is_registered(logs) -> None:  # type: ignore[no-untyped-def]
    logs.write("a.csv", sessions(logs))
    logs.write("b.jsonl", [logs.session("s-9", students=[{"student_id": "p-1", "attendance": "bogus"}])])
    logs.write("tutors.csv", "tutor_id,subjects,max_groups\nt-1,ela,3\n")
    batch = check_source(source(logs.folder))
    assert set(batch.tables) == {"tutoring_session", "session_attendance", "tutor_profile"}
    assert installed().get("session_log").cls is SessionLogSource


def test_relative_paths_are_taken_from_the_config_folder(tmp_path: Path) -> None:
    config = SessionLogConfig.model_validate({"path": "logs"}, context={"base_dir": tmp_path})
    assert config.path == (tmp_path / "logs").resolve()


def test_the_tutors_list_is_told_by_its_header_under_any_name(logs) -> None:  # type: ignore[no-untyped-def]
    logs.write("a.csv", [logs.session()])
    logs.write("Tutor roster (fall).csv", "\ufefftutor_id,subjects,max_groups\nt-9,ela,2\n")
    batch = source(logs.folder).normalize(source(logs.folder).read())
    assert batch.tables["tutor_profile"].column("source_id").to_pylist() == ["t-9"]
    assert batch.tables["tutoring_session"].num_rows == 1


def test_a_zip_of_logs_reads_as_the_folder_it_holds(logs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    logs.write("week1.csv", sessions(logs))
    logs.write("weeks/week2.jsonl", [logs.session("s-1", minutes=50)])
    logs.write("Tutor roster.csv", "tutor_id,subjects,max_groups\nt-9,ela,2\n")
    archive = tmp_path / "session logs.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in logs.folder.rglob("*"):
            zipped.write(path, path.relative_to(logs.folder).as_posix())
        zipped.writestr("README.txt", "not a log")
    extract = source(archive).read()
    assert not extract.issues and sorted(extract.files) == ["Tutor roster.csv", "week1.csv", "week2.jsonl"]
    batch = source(archive).normalize(extract)
    minutes = {row["source_id"]: row["minutes"] for row in batch.tables["tutoring_session"].to_pylist()}
    assert minutes["s-1"] == 50  # the later file's copy of the session wins, as in a folder
    assert batch.tables["tutor_profile"].column("source_id").to_pylist() == ["t-9"]


def test_a_password_protected_zip_entry_is_refused_by_name(logs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    archive = tmp_path / "logs.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("week1.csv", logs.csv_text(sessions(logs)))
    data = bytearray(archive.read_bytes())
    data[6] |= 0x1  # the local header's "encrypted" flag
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x1  # and the central directory's
    archive.write_bytes(bytes(data))
    with pytest.raises(ConnectorError, match=r"logs\.zip: week1\.csv is password-protected"):
        source(archive).read()


def test_a_stored_log_normalized_a_block_at_a_time_matches_the_whole(logs, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(extracts, "BLOCK_ROWS", 2)  # every session of three students spans two blocks
    students = [
        {"student_id": f"p-{n}", "attendance": "present", "mastery_check": f"{n}/4"} for n in range(1, 4)
    ]
    log = [logs.session(f"s-{n}", students=students, minutes=30 + n) for n in range(5)]
    log.append(logs.session("s-9", students=[{"student_id": "p-1", "attendance": "absent"}]))
    reader = source(logs.write("a.csv", log))
    stored = extracts.save_extract(reader.read(), tmp_path / "raw")

    whole = reader.normalize(extracts.load_extract(stored))
    replay = extracts.load_extract(stored, reader.streamed)
    assert isinstance(replay.streams["sessions"], pa.RecordBatchReader)
    streamed = reader.normalize(replay)
    assert not streamed.tables and streamed.modes == whole.modes and streamed.deletes == whole.deletes
    blocks = list(streamed.blocks)
    assert len(blocks) == 8  # 16 rows, two a block

    sessions = pa.concat_tables([block["tutoring_session"] for block in blocks])
    heads = {row["source_id"]: row for row in sessions.to_pylist()}  # a head repeated is the same row
    assert len(heads) == 6 < sessions.num_rows
    assert list(heads.values()) == whole.tables["tutoring_session"].to_pylist()
    attendance = pa.concat_tables([block["session_attendance"] for block in blocks])
    assert attendance.equals(whole.tables["session_attendance"])
    assert whole.tables["tutoring_session"]["minutes"].to_pylist() == [30, 31, 32, 33, 34, 30]
    # the checks ride on their attendance rows: 15 present students' checks, the absent one's none
    assert attendance["mastery_percent"].drop_null().to_pylist() == [25.0, 50.0, 75.0] * 5


def test_a_first_tracked_read_streams_the_latest_copies_from_the_kept_files(
    logs, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(csvtext, "BLOCK", 1 << 9)  # a few rows a block
    students = [{"student_id": f"p-{n}", "attendance": "present"} for n in range(1, 4)]
    first = [logs.session(f"s-{n}", students=students) for n in range(8)]
    text = logs.csv_text(first).replace("mastery_check\n", "mastery_check,room\n", 1)
    text = text.replace("\n", ",\n").replace("mastery_check,room,\n", "mastery_check,room\n", 1)
    logs.write("a.csv", text)  # a column outside the format: kept in the raw extract
    logs.write("b.jsonl", [logs.session("s-3", minutes=45, students=students[:1])])
    reader = source(logs.folder)

    tracked = reader.read_tracked(None, tmp_path / "kept", {})
    assert isinstance(tracked.streams["sessions"], pa.RecordBatchReader)
    stored = extracts.load_extract(extracts.save_extract(tracked, tmp_path / "raw"))
    plain = reader.read()

    assert stored.streams["sessions"].equals(plain.streams["sessions"])
    assert stored.info["sessions"] == 8 and stored.info["superseded_sessions"] == 1
    assert [i.kind for i in stored.issues] == [i.kind for i in plain.issues] == ["unknown_column"]
    s3 = stored.streams["sessions"].filter(pc.equal(stored.streams["sessions"]["session_id"], "s-3"))
    assert s3["minutes"].to_pylist() == ["45"] and s3["_file"].to_pylist() == ["b.jsonl"]
