"""The review packets built a part of schools at a time are the packets of the whole district at once: the
same packets, in the same order, each rendering the same bytes, however small the parts; and a part reads
only its own schools' students.

A demo district is run through the night's steps before the packets (module scope, on SQLite and on
PostgreSQL: a part's reads select in SQL what the whole district's read takes whole), then its packets are
built in parts of 5 students (a part per school or two) and as one part.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from hub.pipeline.night import through
from hub.pipeline.packet_reads import part_inputs, shared_inputs, whole_inputs
from hub.pipeline.packets import review_packets
from hub.pipeline.parts import school_parts
from hub.pipeline.tutoring import last_boundary
from hub.reports.rendered import render
from tests.hub.pipeline.demo_district import demo_district, opened

STUDENTS, SEED = 300, 3
GENERATED = datetime(2026, 5, 4, 7, 30, tzinfo=ZoneInfo("America/Chicago"))
SMALL = 5


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def config(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo district's hub.yaml, its night run up to (not including) the packets; the reports step
    is no input of theirs."""
    steps = [step for step in through("review_packets")[:-1] if step != "alignment_reports"]
    yield from demo_district(request.param, tmp_path_factory.mktemp("district"), STUDENTS, SEED, steps)


def packets(config: Path, part_students: int) -> list[tuple[str, list[bytes]]]:
    """The latest boundary's packets built in parts of ``part_students``, as each rendering's bytes."""
    run = opened(config, part_students)
    try:
        boundary = last_boundary(run)
        assert boundary is not None  # the demo's night is past a boundary
        return [
            (packet.target, [made.body for made in render(packet, ("text/html", "text/csv"))])
            for packet in review_packets(run, boundary, GENERATED)
        ]
    finally:
        run.close()


def test_parts_give_the_whole_districts_packets(config: Path) -> None:
    whole = packets(config, 1_000_000)
    in_parts = packets(config, SMALL)

    assert [target for target, _ in in_parts] == [target for target, _ in whole]  # the order
    assert in_parts == whole  # and every rendering's bytes
    assert len(whole) > 1  # several schools' packets: parts really split them
    run = opened(config)
    try:
        assert len(school_parts(run.warehouse, run.district_id, SMALL)) > 1
        assert len(school_parts(run.warehouse, run.district_id, 1_000_000)) == 1
    finally:
        run.close()


def test_a_part_reads_only_its_schools_students(config: Path) -> None:
    """A part's memberships are its groups' students' (theirs in any group); the parts together hold
    every student of a group, and each fewer than the district."""
    run = opened(config)
    try:
        boundary = last_boundary(run)
        assert boundary is not None
        shared = shared_inputs(run, boundary)
        whole = whole_inputs(run, shared).group_membership
        assert shared.tutoring_group is not None and whole is not None
        school_of = dict(_pairs(shared.tutoring_group, "source_id", "school_source_id"))
        held: set[str] = set()
        for part in school_parts(run.warehouse, run.district_id, SMALL):
            rows = part_inputs(run, shared, part).group_membership
            assert rows is not None
            pairs = _pairs(rows, "person_source_id", "group_source_id")
            theirs = {person for person, group in pairs if school_of[group] in part.schools}
            assert set(rows["person_source_id"].to_pylist()) == theirs
            assert rows.num_rows < whole.num_rows
            held |= theirs
    finally:
        run.close()

    assert held == set(pc.unique(whole["person_source_id"]).to_pylist())


def _pairs(table: pa.Table, first: str, second: str) -> list[tuple]:
    return list(zip(table[first].to_pylist(), table[second].to_pylist(), strict=True))
