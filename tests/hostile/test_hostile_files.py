"""Each class of broken file the issue lists, made in every source connector's own export."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pyarrow.compute as pc
import pytest

from connectors.iready.config import IReadyConfig
from connectors.iready.source import IReadySource
from connectors.nwea_map import MapConfig, MapSource
from tests.hostile.conftest import TARGETS, Outcome, validate

KINDS = tuple(TARGETS)


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _rewrite_row(path: Path, row: int, change) -> None:  # type: ignore[no-untyped-def]
    lines = _lines(path)
    lines[row] = change(lines[row])
    path.write_bytes(b"".join(lines))


@pytest.mark.parametrize("kind", KINDS)
def test_a_nul_byte_is_removed_with_a_warning_and_the_row_loads(kind: str, copy_of) -> None:  # type: ignore[no-untyped-def]
    folder, target = copy_of(kind)
    _rewrite_row(target, 2, lambda line: line.replace(b",", b"\x00,", 1))
    outcome = validate(kind, folder)
    assert outcome.exit_code == 0, outcome.output
    assert outcome.warned(target.name).get("nul_bytes") == 1, outcome.output


@pytest.mark.parametrize("kind", KINDS)
def test_a_windows_1252_file_is_read_and_named(kind: str, copy_of) -> None:  # type: ignore[no-untyped-def]
    folder, target = copy_of(kind)
    text = target.read_bytes().decode("utf-8-sig")
    lines = text.splitlines(keepends=True)
    lines[2] = lines[2].replace(",", ",Zoë ", 1)
    target.write_bytes("".join(lines).encode("cp1252"))
    outcome = validate(kind, folder)
    assert outcome.warned(target.name).get("encoding") == 1, outcome.output


@pytest.mark.parametrize("kind", KINDS)
def test_utf16_with_bom_is_read(kind: str, copy_of) -> None:  # type: ignore[no-untyped-def]
    folder, target = copy_of(kind)
    target.write_bytes(target.read_bytes().decode("utf-8-sig").encode("utf-16"))
    outcome = validate(kind, folder)
    assert outcome.exit_code == 0, outcome.output
    assert outcome.warned(target.name).get("encoding") == 1


@pytest.mark.parametrize("kind", KINDS)
def test_bytes_no_encoding_reads_name_the_line_and_byte(kind: str, copy_of) -> None:  # type: ignore[no-untyped-def]
    folder, target = copy_of(kind)
    _rewrite_row(target, 3, lambda line: line.replace(b",", "é,".encode() + b"\x81\x8d,", 1))
    outcome = validate(kind, folder)
    assert outcome.exit_code in (1, 2)
    assert "line 4" in outcome.output and "CSV UTF-8" in outcome.output, outcome.output


@pytest.mark.parametrize("kind", KINDS)
def test_a_ten_megabyte_cell_costs_at_most_its_row(kind: str, copy_of) -> None:  # type: ignore[no-untyped-def]
    folder, target = copy_of(kind)
    rows = len(_lines(target)) - 1
    _rewrite_row(target, 2, lambda line: line.replace(b",", b"," + b"x" * (10 << 20), 1))
    outcome = validate(kind, folder)
    files = (outcome.summary or {}).get("files", {})
    assert "fatal" not in files.get(target.name, {}), outcome.output
    loaded = files[target.name]["accepted"] + files[target.name].get("skipped", 0)  # MAP Science: skipped
    assert loaded >= rows - 2, outcome.output  # sessions: a session's row and a student's
    [reject] = [reject for reject in outcome.rejects() if reject["kind"] == "cell_too_long"]
    assert (reject["file"], reject["line"]) == (target.name, 3), outcome.output
    assert reject["column"] and "more than the 65,536" in reject["reason"], outcome.output


@pytest.mark.parametrize("kind", KINDS)
def test_an_unbalanced_quote_costs_its_row_only(kind: str, copy_of) -> None:  # type: ignore[no-untyped-def]
    folder, target = copy_of(kind)
    rows = len(_lines(target)) - 1
    _rewrite_row(target, 2, lambda line: line.replace(b",", b',"', 1))
    outcome = validate(kind, folder)
    report = outcome.summary["files"][target.name]
    assert (report["rows"], report["rejected"]) == (rows, 1) or kind == "sessions", outcome.output
    loaded = report["accepted"] + report.get("skipped", 0)  # MAP's Science rows are skipped, not lost
    assert loaded >= rows - 2, outcome.output  # sessions: a session row and a student row
    opened = [
        (reject["file"], reject["line"]) for reject in outcome.rejects() if reject["kind"] == "open_quote"
    ]
    assert opened == [(target.name, 3)], outcome.output


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_cut_mid_row_keeps_the_rows_before(kind: str, copy_of) -> None:  # type: ignore[no-untyped-def]
    folder, target = copy_of(kind)
    data = target.read_bytes()
    target.write_bytes(data[: len(data) * 2 // 3])
    outcome = validate(kind, folder)
    assert outcome.summary is not None, outcome.output


@pytest.mark.parametrize("kind", KINDS)
def test_a_header_only_file_is_a_warning(kind: str, copy_of) -> None:  # type: ignore[no-untyped-def]
    folder, target = copy_of(kind)
    target.write_bytes(_lines(target)[0])
    outcome = validate(kind, folder)
    assert outcome.exit_code == 0 and outcome.warned(target.name).get("header_only") == 1, outcome.output


@pytest.mark.parametrize("kind", KINDS)
def test_random_bytes_under_the_name_are_one_message(kind: str, copy_of) -> None:  # type: ignore[no-untyped-def]
    folder, target = copy_of(kind)
    target.write_bytes(bytes(range(256)) * 40)
    validate(kind, folder)


@pytest.mark.parametrize("kind", KINDS)
def test_a_link_leaving_the_folder_is_refused(kind: str, copy_of, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder, target = copy_of(kind)
    secret = tmp_path / "other-district.csv"
    secret.write_bytes(target.read_bytes())
    target.unlink()
    target.symlink_to(secret)
    outcome = validate(kind, folder)
    assert outcome.exit_code in (1, 2) and "outside the configured folder" in outcome.output, outcome.output


def _zip_of(folder: Path, out: Path, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return out


@pytest.mark.parametrize("kind", ["oneroster", "iready", "map"])
def test_a_zip_bomb_is_refused_before_it_inflates(kind: str, copy_of, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder, target = copy_of(kind)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(folder.iterdir()):
            if path != target:
                archive.write(path, path.name)
        with archive.open(target.name, "w", force_zip64=True) as entry:
            entry.write(_lines(target)[0])
            block = b"\n" * (1 << 20)
            for _ in range(128):  # 128 MiB of blank lines, about 128 KB compressed
                entry.write(block)
    assert bomb.stat().st_size < 4 << 20
    outcome = validate(kind, bomb)
    assert outcome.exit_code in (1, 2) and "zip bomb" in outcome.output, outcome.output


@pytest.mark.parametrize("kind", ["oneroster", "iready", "map"])
@pytest.mark.parametrize(("flag", "method", "words"), [(0x1, None, "password"), (0, 9, "Deflate64")])
def test_encrypted_or_deflate64_entries_are_a_clear_message(  # type: ignore[no-untyped-def]
    kind: str, flag: int, method: int | None, words: str, copy_of, tmp_path: Path
) -> None:
    folder, target = copy_of(kind)
    package = _zip_of(folder, tmp_path / "package.zip")
    data = bytearray(package.read_bytes())
    with zipfile.ZipFile(package) as archive:
        info = archive.getinfo(target.name)
    # Patch the local header and the central directory entry the way a real tool would have written them.
    for offset in _headers_of(bytes(data), target.name.encode()):
        flags_at, method_at = offset, offset + 2
        data[flags_at] |= flag
        if method is not None:
            data[method_at : method_at + 2] = method.to_bytes(2, "little")
    package.write_bytes(bytes(data))
    assert info.filename == target.name
    outcome = validate(kind, package)
    assert outcome.exit_code in (1, 2) and words in outcome.output, outcome.output


def _headers_of(data: bytes, name: bytes) -> list[int]:
    """Offsets of the general-purpose flag field of the local and central headers naming ``name``."""
    found = []
    for signature, flag_offset, name_offset in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        at = data.find(signature)
        while at >= 0:
            if data[at + name_offset : at + name_offset + len(name)] == name:
                found.append(at + flag_offset)
            at = data.find(signature, at + 1)
    return found


def _set_cells(path: Path, cells: dict[int, tuple[str, str]]) -> None:
    """Write ``value`` into ``column`` of data row ``row`` (header = row 0), for each row: column, value."""
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    for row, (column, value) in cells.items():
        rows[row][rows[0].index(column)] = value
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    path.write_text(text.getvalue())


def _rejected_cells(outcome: Outcome) -> set[tuple[int, str]]:
    assert outcome.exit_code == 0, outcome.output
    return {(reject["line"], reject["column"]) for reject in outcome.rejects()}


@pytest.mark.parametrize("value", ["-50", "1e300", "nan", "inf", "1e20"])
def test_implausible_i_ready_numbers_are_rejected_or_emptied(value: str, copy_of) -> None:  # type: ignore[no-untyped-def]
    folder, target = copy_of("iready")
    _set_cells(target, {1: ("Overall Scale Score", value), 2: ("Percentile", value)})
    _set_cells(target, {3: ("Completion Date", "06/01/2099")})
    rejected = _rejected_cells(validate("iready", folder))
    assert {(2, "Overall Scale Score"), (4, "Completion Date")} <= rejected
    source = IReadySource(IReadyConfig(path=folder))
    emptied = {"out_of_range", "not_a_number"}  # nan and inf are no number; 1e20 is one, out of range
    issues = source.normalize(source.read()).issues
    warned = [issue for issue in issues if issue.kind in emptied and issue.severity == "warning"]
    assert [(issue.file, issue.line, issue.column) for issue in warned] == [(target.name, 3, "Percentile")]


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested deeper"),
        ('{"session_id": ' + "9" * 5000 + ', "students": [{}]}', "digits"),
    ],
)
def test_a_json_lines_session_too_deep_or_too_long_is_one_reject(  # type: ignore[no-untyped-def]
    line: str, words: str, copy_of
) -> None:
    folder, _ = copy_of("sessions")
    (folder / "extra.jsonl").write_text(line + "\n")
    outcome = validate("sessions", folder)
    [reject] = [reject for reject in outcome.rejects() if reject["file"] == "extra.jsonl"]
    assert reject["line"] == 1 and words in reject["reason"], outcome.output
    assert outcome.summary["files"]["sessions.csv"]["rejected"] == 0


@pytest.mark.parametrize("value", ["1e20", "nan", "-50", "inf"])
def test_implausible_map_numbers_are_rejected_or_emptied(value: str, copy_of) -> None:  # type: ignore[no-untyped-def]
    folder, target = copy_of("map")
    _set_cells(target, {1: ("TestRITScore", value), 2: ("RapidGuessingPercentage", "250")})
    _set_cells(target, {3: ("TestStartDate", "06/01/2099")})
    assert {(2, "TestRITScore"), (4, "TestStartDate")} <= _rejected_cells(validate("map", folder))
    source = MapSource(MapConfig(path=folder))
    issues = source.normalize(source.read()).issues
    warned = [(i.line, i.column) for i in issues if i.kind == "out_of_range" and i.severity == "warning"]
    assert warned == [(3, "RapidGuessingPercentage")]


def test_an_extra_i_ready_column_blank_on_some_rows_keeps_every_row(copy_of) -> None:  # type: ignore[no-untyped-def]
    folder, target = copy_of("iready")
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    rows[0].append("District Intervention Flag")
    for number, row in enumerate(rows[1:]):
        row.append("Y" if number % 2 else "")
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    target.write_text(text.getvalue())
    assert validate("iready", folder).exit_code == 0
    source = IReadySource(IReadyConfig(path=folder))
    results = source.normalize(source.read()).tables["assessment_result"]
    math = results.filter(pc.equal(results.column("subject"), "math"))
    extras = sorted(math.column("extras").to_pylist(), key=str)
    assert len(extras) == len(rows) - 1
    assert extras.count(None) == (len(rows) - 1) // 2 + (len(rows) - 1) % 2


@pytest.mark.parametrize(
    ("kind", "column", "value"),
    [("iready", "Completion Date", "01/15/2021"), ("map", "TestStartDate", "01/15/2019")],
)
def test_a_date_outside_the_labelled_school_year_is_a_warning(  # type: ignore[no-untyped-def]
    kind: str, column: str, value: str, copy_of
) -> None:
    folder, target = copy_of(kind)
    _set_cells(target, {1: (column, value)})
    assert (2, column) not in _rejected_cells(validate(kind, folder))
    source = (
        IReadySource(IReadyConfig(path=folder)) if kind == "iready" else MapSource(MapConfig(path=folder))
    )
    issues = source.normalize(source.read()).issues
    assert [(i.file, i.line, i.column) for i in issues if i.kind == "outside_school_year"] == [
        (target.name, 2, column)
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_a_carriage_return_inside_the_header_is_a_message(kind: str, copy_of) -> None:  # type: ignore[no-untyped-def]
    folder, target = copy_of(kind)
    target.write_bytes(b"\r" + target.read_bytes().replace(b",", b",\r", 1))
    validate(kind, folder)
