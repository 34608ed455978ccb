"""Benchmark: a district's diagnostics (i-Ready ELA + Math and MAP Growth, fall to spring) imported as the
night imports them.

    .venv/bin/python bench/diagnostics_import.py --students 350000

Writes the synthetic district with the connectors' own writers: the OneRoster package, i-Ready Diagnostic
Results (ELA and Math, every test of the year) and MAP's AssessmentResults, StudentsBySchool and
ClassAssignments. Loads the roster into a fresh SQLite warehouse (timed apart). Then, in a fresh process
over a hub.yaml naming the three sources, times the night's diagnostics steps (``hub.pipeline.night``):
read each source and keep its raw extract; normalize, match to the roster, apply and settle the test of
record; derive skill gaps. A bare pyarrow.csv parse of the same files runs in a process of its own beside it.
Then the same import again over the unchanged files, as the next night would run it. Targets: import
<= 60 s, peak RSS <= 2 GB.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from _common import Clock, check, in_fresh_process, rss_mb
from _floors import bare_parse, bare_writes

DISTRICT_ID = "bench"
TARGET_SECONDS = 60.0
TARGET_RSS_MB = 2048.0


def generate(students: int, seed: int, work: Path) -> dict[str, Any]:
    """The district's roster and vendor exports under ``work/drop``, and a hub.yaml naming them."""
    from connectors.iready.writer import write_iready
    from connectors.nwea_map.writer import write_map
    from connectors.oneroster_csv.writer import write_oneroster
    from testkit.synthetic import DistrictSpec, build_district

    start = time.perf_counter()
    district = build_district(DistrictSpec(students=students, seed=seed, district_id=DISTRICT_ID))
    drop = work / "drop"
    [package] = write_oneroster(district, drop)
    exports = [*write_iready(district, drop / "iready"), *write_map(district, drop / "map")]
    connectors = [
        {"name": "roster", "type": "oneroster_csv", "settings": {"path": str(package)}},
        {"name": "iready", "type": "iready", "settings": {"path": str(drop / "iready")}},
        {"name": "map", "type": "nwea_map", "settings": {"path": str(drop / "map")}},
    ]
    district_entry = {"id": DISTRICT_ID, "name": district.district_name, "timezone": "America/Chicago"}
    config = {"data_dir": str(work / "data"), "districts": [{**district_entry, "connectors": connectors}]}
    (work / "hub.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return {
        "wall": time.perf_counter() - start,
        "peak_mb": rss_mb(),
        "exports": {path.name: (str(path), path.stat().st_size / 2**20) for path in exports},
    }


def _district_run(config: str) -> Any:
    from hub.pipeline.context import DistrictRun
    from hub.plugins import installed
    from hub.settings import load_hub_config

    hub = load_hub_config(config)
    return DistrictRun(hub, hub.district(DISTRICT_ID), installed())


def load_roster(config: str) -> dict[str, Any]:
    """The night's roster steps (read and keep, then normalize and apply): what matching reads."""
    from hub.pipeline.night import run_steps

    run = _district_run(config)
    start = time.perf_counter()
    loaded = run_steps(run, ["roster_extract", "roster"])["roster"]
    wall = time.perf_counter() - start
    run.close()
    return {"wall": wall, "peak_mb": rss_mb(), "rows": loaded.rows}


def import_diagnostics(config: str) -> dict[str, Any]:
    """The night's diagnostics steps, each timed: read and keep the extracts; match, apply and settle the
    test of record; derive the skill gaps."""
    from hub.pipeline.night import run_step, steps

    run = _district_run(config)
    clock = Clock(width=44)
    warehouse = run.warehouse  # opened (and migrated) before the clock starts, as the roster left it
    done = {
        step.name: clock.step(step.name, run_step, step, run)
        for step in steps(["diagnostics_extract", "assessment_results", "skill_gaps"])
    }
    extracted, loaded, gaps = done["diagnostics_extract"], done["assessment_results"], done["skill_gaps"]
    run.close()
    record, gate = loaded.record, loaded.gate
    return {
        "database": warehouse.engine.url.database,
        "wall": clock.wall,
        "cpu": clock.cpu,
        "peak_mb": rss_mb(),
        "files": {name: report.rows for s in extracted.summaries for name, report in s.files.items()},
        "written": {
            f"{s.connector}.{table}": change.rows
            for s in loaded.summaries
            for table, change in s.changes.items()
        },
        "match": [(report.file, report.total, report.match_rate) for report in gate.reports],
        "refused": gate.refused,
        "results": record.results,
        "tests_of_record": record.tests_of_record,
        "duplicates": record.duplicates,
        "gaps": gaps.rows,
    }


WRITTEN_TABLES = ("assessment_result", "result_domains", "skill_gap")


def _line(label: str, result: dict[str, Any], rows: int | None = None, extra: str = "") -> None:
    rate = f"{rows / result['wall']:>10,.0f} rows/s" if rows else ""
    print(f"{label:<12}{result['wall']:>8.2f} s  peak {result['peak_mb']:>7.0f} MB  {rate}  {extra}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=350_000)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tutorhub-bench-") as directory:
        work = Path(directory)
        made = in_fresh_process(generate, arguments.students, arguments.seed, work)
        _line(
            "generate",
            made,
            extra=", ".join(f"{name} {mb:,.0f} MB" for name, (_, mb) in made["exports"].items()),
        )
        config = str(work / "hub.yaml")
        roster = in_fresh_process(load_roster, config)
        _line("roster", roster, roster["rows"], "(rows written; loaded first, not part of the import)")
        floor = in_fresh_process(bare_parse, [path for path, _ in made["exports"].values()])
        _line("bare parse", floor, floor["rows"], "(pyarrow.csv, every column as text)")
        print("import, step by step (peak RSS: the import process's so far)")
        try:
            run = in_fresh_process(import_diagnostics, config)
        except Exception as error:  # e.g. out of memory under a cap: the steps printed so far are the figures
            where = str(error.__cause__ or "").strip('\n" ').splitlines()[-3:]  # the child's own traceback
            print(f"import FAILED: {error!r}", *where, sep="\n  ")
            return 1
        rows = sum(run["files"].values())
        _line("import", run, rows, f"({run['cpu']:.2f} s CPU; {rows:,} rows read)")
        print("the same files again, as an unchanged night (fingerprints and derived steps skip their work)")
        again = in_fresh_process(import_diagnostics, config)
        _line("again", again, rows, f"({again['cpu']:.2f} s CPU)")
        writes = in_fresh_process(bare_writes, run["database"], dict.fromkeys(WRITTEN_TABLES))
        _line(
            "bare writes",
            writes,
            writes["rows"],
            f"(sqlite3 executemany of the {', '.join(WRITTEN_TABLES)} rows)",
        )
    print(f"  rows read per file: {run['files']}")
    print(f"  rows written: {run['written']}")
    rates = [f"{file or 'one report'} {total:,} at {rate:.1%}" for file, total, rate in run["match"]]
    print(f"  match rates: {', '.join(rates)}; refused: {run['refused'] or 'none'}")
    print(
        f"  results settled {run['results']:,}, tests of record {run['tests_of_record']:,}, "
        f"duplicates {run['duplicates']:,}, skill gaps {run['gaps']:,}"
    )
    bare = floor["wall"] + writes["wall"]
    print(f"  import / (bare parse + bare writes): {run['wall'] / bare:.1f}x the time")
    results = [
        check("import", run["wall"] <= TARGET_SECONDS, f"{run['wall']:.1f} s <= {TARGET_SECONDS:.0f} s"),
        check(
            "peak RSS", run["peak_mb"] <= TARGET_RSS_MB, f"{run['peak_mb']:.0f} MB <= {TARGET_RSS_MB:.0f} MB"
        ),
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
