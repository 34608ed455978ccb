"""A report made from what last night's was made from keeps last night's renderings, unrendered; one whose
data changed is rendered again, and a set kept before rows carried their sources is rendered whole once,
keeping the bytes of each rendering that says what last night's said. A night renders its set a part at a
time, reading of last night's only the row groups its kept rows are in."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from hub.connector import RenderedReport
from hub.pipeline.rendered_store import (
    DIGEST,
    SCHEMA,
    SOURCE,
    render_in_parts,
    render_unless_kept,
    rendered_table,
    reports_of,
    source_key,
)
from hub.reports import ReportInputs, build_reports, render_all
from hub.reports.render_json import render_json
from hub.reports.rendered import RENDERERS

CONTENT_TYPES = tuple(RENDERERS)

MORNING = datetime(2026, 1, 17, 6, 0, 5, tzinfo=UTC)
EVENING = datetime(2026, 1, 18, 21, 42, 31, tzinfo=UTC)


def stamps(table: pa.Table) -> set[tuple[str, ...]]:
    return {tuple(volatile) for volatile in table["volatile"].to_pylist()}


def test_a_report_made_from_the_same_data_keeps_last_nights_renderings(small: ReportInputs) -> None:
    first, changed = render_unless_kept(build_reports(small, MORNING), SCHEMA.empty_table())
    assert first.num_rows and all(changed)
    assert stamps(first) == {("2026-01-17T06:00:05+00:00", "2026-01-17 06:00 UTC")}
    again, changed = render_unless_kept(build_reports(small, EVENING), first)
    assert again.equals(first) and not any(changed)  # the morning's bytes, stamp and all
    # not rendered at all: rows kept whatever they hold (a rendering would not match this digest)
    stale = first.set_column(SCHEMA.get_field_index(DIGEST), DIGEST, pa.array(["stale"] * first.num_rows))
    again, changed = render_unless_kept(build_reports(small, EVENING), stale)
    assert again.equals(stale) and not any(changed)
    assert [r.body for r in reports_of(again)] == [r.body for r in reports_of(first)]


def test_a_report_whose_data_changed_is_rendered_again_and_only_it(small: ReportInputs) -> None:
    reports = build_reports(small, MORNING)
    first, _ = render_unless_kept(reports, SCHEMA.empty_table())
    evening = build_reports(small, EVENING)
    evening[0] = replace(evening[0], title=evening[0].title + " (renamed)")
    again, changed = render_unless_kept(evening, first)
    differ = [index for index in range(again.num_rows) if again.slice(index, 1) != first.slice(index, 1)]
    per_report = again.num_rows // len(reports)
    assert differ == list(range(per_report))  # the first report's renderings, each content type
    assert changed == [index < per_report for index in range(again.num_rows)]
    assert stamps(again.slice(0, per_report)) == {("2026-01-18T21:42:31+00:00", "2026-01-18 21:42 UTC")}
    assert again["title"][0].as_py().endswith("(renamed)")


def test_a_set_kept_without_sources_is_rendered_whole_then_kept(small: ReportInputs) -> None:
    older = rendered_table(render_all(build_reports(small, MORNING)))  # no source: an earlier version's set
    assert older[SOURCE].null_count == older.num_rows
    kept, changed = render_unless_kept(build_reports(small, EVENING), older)  # each one rendered, then
    assert not any(changed) and stamps(kept) == stamps(older)  # found the same: last night's bytes stay
    assert kept[SOURCE].null_count == 0  # but they carry tonight's sources, so tomorrow renders nothing
    assert render_unless_kept(build_reports(small, EVENING), kept)[0].equals(kept)


def test_a_set_rendered_in_parts_is_the_set_rendered_whole_and_keeps_by_row_group(
    small: ReportInputs, tmp_path: Path
) -> None:
    path = tmp_path / "rendered.parquet"
    written: list[list[RenderedReport]] = []
    render_in_parts(build_reports(small, MORNING), path, CONTENT_TYPES, written.append, part=2)
    whole, _ = render_unless_kept(build_reports(small, MORNING), SCHEMA.empty_table())
    morning = pq.read_table(path)
    assert morning.equals(whole)
    assert [report for part in written for report in part] == reports_of(whole)  # every row new: all written
    per_report = len(CONTENT_TYPES)
    assert pq.ParquetFile(path).num_row_groups == -(-whole.num_rows // (2 * per_report))
    evening = build_reports(small, EVENING)
    evening[-1] = replace(evening[-1], title=evening[-1].title + " (renamed)")
    written.clear()
    render_in_parts(evening, path, CONTENT_TYPES, written.append, part=2)
    again = pq.read_table(path)
    assert [report.title for part in written for report in part] == [evening[-1].title] * per_report
    assert again.slice(0, again.num_rows - per_report).equals(morning.slice(0, again.num_rows - per_report))
    assert not list(tmp_path.glob(".*partial"))


def test_a_source_leaves_out_the_generated_stamp_and_nothing_else(small: ReportInputs) -> None:
    morning, evening = build_reports(small, MORNING)[0], build_reports(small, EVENING)[0]
    assert source_key(morning, render_json(morning)) == source_key(evening, render_json(evening))
    renamed = replace(evening, title=evening.title + ".")
    assert source_key(renamed, render_json(renamed)) != source_key(evening, render_json(evening))
