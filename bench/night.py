"""Benchmark: the whole night at district scale, three nights in a row, as ``tutorhub sync`` runs them.

    .venv/bin/python bench/night.py --students 350000 [--warehouse postgresql+psycopg://...] [--keep DIR]

Builds a ``tutorhub demo-data`` district and the demo's hub.yaml (its sources, a files destination),
then runs ``tutorhub sync`` on it as a separate process three times: through Dagster, every asset, the
reports rendered and pushed to the files destination.

1. first night: an empty warehouse, a whole year of tests and session logs;
2. next night: the vendors' files as they stand a night later (``bench/_delta.py``: 2 % new tests in the
   cumulative diagnostic exports, a week more of session logs, 0.5 % of students changed in the roster);
3. unchanged night: the same files again.

Per night: wall and CPU time, peak RSS of the process tree (sampled from /proc, and the largest process's
own high-water mark), each step's wall time and rows from Dagster's event log of that run, with the tree's
CPU time and peak RSS over that step's span (the same /proc samples); beside
them floors measured in the same run, each in a fresh process: a bare pyarrow parse of the night's
input files, and a bare bulk write of as many rows of each table as the night inserted or updated, by
sqlite3 executemany and by ADBC's SQLite driver (``_floors.py`` says what each times).
``--warehouse`` names a PostgreSQL server: the nights then run on a throw-away database there (dropped
after), and the write floor is still SQLite's (the figure for the rows, not for the server).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from _common import check, in_fresh_process
from _floors import bare_adbc_writes, bare_parse, bare_writes

AT_STUDENTS = 350_000
TARGETS = {"first": 180.0, "next": 45.0, "unchanged": 15.0}
"""Wall seconds at 350,000 students (issue 13); a smaller run is held to them scaled linearly."""
TARGET_RSS_MB = 2048.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
NIGHTS = {
    "first": "first night (empty warehouse, a whole year of tests)",
    "next": "next night (2 % new tests, a week more of sessions, 0.5 % roster changes)",
    "unchanged": "unchanged night (the same files again)",
}


def build(students: int, seed: int, work: Path, warehouse_url: str | None) -> dict[str, Any]:
    """The district's exports under ``work/drop`` and the demo's hub.yaml (the warehouse named, if any)."""
    from cli.demo import DISTRICT, demo_as_of, demo_config, write_demo_data
    from testkit.synthetic import DistrictSpec

    start = time.perf_counter()
    written = write_demo_data(students, seed, work / "drop", echo=lambda line: None)
    config = demo_config(work, None, demo_as_of(DistrictSpec(students=students, seed=seed).school_year))
    if warehouse_url:
        settings = yaml.safe_load(config.read_text(encoding="utf-8"))
        [district] = settings["districts"]
        district["warehouse_url"] = warehouse_url
        config.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return {
        "wall": time.perf_counter() - start,
        "district": DISTRICT,
        "files": {path.name: path.stat().st_size / 2**20 for path in written},
    }


def next_night(drop: Path, seed: int) -> dict[str, int]:
    from _delta import write_next_night

    return write_next_night(drop, seed)


class TreeRss:
    """The summed RSS and CPU time of a process and its descendants, sampled from /proc every 0.2 s, so
    that each step's span of the event log can be given its own CPU time and peak (``step_figures``)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kb = pid, 0
        self.samples: list[tuple[float, int, float]] = []  # (epoch seconds, RSS kB, CPU seconds so far)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            tree = _tree(self.pid)
            rss = sum(_rss_kb(pid) for pid in tree)
            self.samples.append((time.time(), rss, sum(_cpu_seconds(pid) for pid in tree)))
            self.peak_kb = max(self.peak_kb, rss)

    def step_figures(self, start: float, end: float) -> tuple[float, float]:
        """CPU seconds and peak RSS (MB) of the tree between two instants of the event log."""
        inside = [rss for at, rss, _ in self.samples if start <= at <= end]
        before = [cpu for at, _, cpu in self.samples if at <= start] or [0.0]
        until = [cpu for at, _, cpu in self.samples if at <= end] or [0.0]
        return max(until[-1] - before[-1], 0.0), max(inside, default=0) / 1024


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):  # the process ended while we looked
                todo += [int(child) for child in (task / "children").read_text().split()]
    return found


def _cpu_seconds(pid: int) -> float:
    """User and system time of a live process (its waited-for children's too), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / CLOCK_TICKS


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass(slots=True)
class Night:
    label: str
    ok: bool
    wall: float
    cpu: float
    peak_mb: float
    steps: dict[str, float] = field(default_factory=dict)
    spans: dict[str, tuple[float, float]] = field(default_factory=dict)  # step -> (start, end), epoch s
    figures: dict[str, tuple[float, float]] = field(default_factory=dict)  # step -> (CPU s, peak RSS MB)
    tree: TreeRss | None = None
    rows: dict[str, dict[str, int]] = field(default_factory=dict)  # step -> asset -> rows


def run_night(label: str, config: Path, environment: dict[str, str], log: Path) -> Night:
    """``tutorhub sync`` in a process of its own: wall, CPU (with its children) and the tree's peak RSS."""
    command = [str(Path(sys.executable).with_name("tutorhub")), "sync", "--config", str(config)]
    with log.open("w") as output:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=environment)
        tree = TreeRss(process.pid)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
    peak = max(tree.stop(), usage.ru_maxrss / 1024)
    return Night(label, process.returncode == 0, wall, usage.ru_utime + usage.ru_stime, peak, tree=tree)


def read_steps(config: Path, night: Night) -> None:
    """Each step's time and each asset's rows, from Dagster's event log of the district's latest run."""
    import dagster as dg

    from cli.demo import DISTRICT
    from cli.night import hub_instance
    from hub.settings import load_hub_config

    instance = hub_instance(load_hub_config(config))
    try:
        [record] = instance.get_run_records(dg.RunsFilter(tags={"dagster/partition": DISTRICT}), limit=1)
        started: dict[str, float] = {}
        for entry in instance.all_logs(record.dagster_run.run_id):
            event = entry.dagster_event
            if event is None or entry.step_key is None:
                continue
            if event.event_type == dg.DagsterEventType.STEP_START:
                started[entry.step_key] = entry.timestamp
            elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
                start = started.get(entry.step_key, entry.timestamp)
                night.steps[entry.step_key] = entry.timestamp - start
                night.spans[entry.step_key] = (start, entry.timestamp)
            elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
                materialization = event.step_materialization_data.materialization
                rows = materialization.metadata.get("dagster/row_count")
                asset = materialization.asset_key.to_user_string()
                night.rows.setdefault(entry.step_key, {})[asset] = int(rows.value) if rows else 0
    finally:
        instance.dispose()


def warehouse_url(config: Path) -> str:
    from cli.demo import DISTRICT
    from hub.settings import load_hub_config

    hub = load_hub_config(config)
    return hub.district(DISTRICT).database_url(hub.data_dir)


def last_sync_run(url: str) -> int:
    """The warehouse's newest sync_run id (0 before the first night made the tables)."""
    from sqlalchemy import create_engine, func, inspect, make_url, select

    from hub.model import SyncRun

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return 0
    engine = create_engine(url)
    try:
        if not inspect(engine).has_table("sync_run"):
            return 0
        with engine.connect() as connection:
            return connection.execute(select(func.max(SyncRun.run_id))).scalar_one() or 0
    finally:
        engine.dispose()


def rows_written(url: str, after: int) -> dict[str, int]:
    """Rows inserted or updated per table by the syncs committed after run ``after``."""
    from sqlalchemy import create_engine, select

    from hub.model import SyncRun

    engine = create_engine(url)
    written: dict[str, int] = {}
    try:
        with engine.connect() as connection:
            query = select(SyncRun.counts).where(SyncRun.run_id > after, SyncRun.outcome == "committed")
            for (counts,) in connection.execute(query):
                for table, change in counts.items():
                    written[table] = (
                        written.get(table, 0) + change.get("inserted", 0) + change.get("updated", 0)
                    )
    finally:
        engine.dispose()
    return written


def input_files(work: Path) -> list[str]:
    return sorted(str(path) for path in (work / "drop").rglob("*") if path.suffix in (".csv", ".zip"))


def show(night: Night, floors: dict[str, dict[str, Any]], students: int) -> list[bool]:
    print(f"{NIGHTS[night.label]}")
    print(
        f"  {'the night (tutorhub sync)':<34}{night.wall:8.1f} s wall {night.cpu:8.1f} s CPU   "
        f"peak RSS {night.peak_mb:7,.0f} MB (process tree)"
    )
    print(f"    {'step':<32}{'wall':>8}   {'CPU':>8}   {'peak RSS':>9}   rows")
    for step, seconds in sorted(night.steps.items(), key=lambda item: -item[1]):
        rows = ", ".join(f"{asset} {count:,}" for asset, count in sorted(night.rows.get(step, {}).items()))
        cpu, peak = night.tree.step_figures(*night.spans[step]) if night.tree else (float("nan"),) * 2
        print(f"    {step:<32}{seconds:6.1f} s {cpu:8.1f} s {peak:7,.0f} MB   {rows or '-'}")
    parse, write = floors["parse"], floors["write"]
    print(
        f"  {'floor: bare parse':<34}{parse['wall']:8.1f} s  {parse['rows']:>12,} rows in {parse['files']} "
        "files (pyarrow.csv, every column as text)"
    )
    for label, floor, how in (
        ("floor: bare bulk write", write, "sqlite3 executemany"),
        ("floor: bare ADBC write", floors["adbc"], "adbc_ingest of Arrow tables, read untimed"),
    ):
        on_sqlite = floor["wall"] == floor["wall"]  # NaN on a PostgreSQL run
        measured = (
            f"{floor['wall']:8.1f} s {floor['cpu']:5.1f} s CPU"
            if on_sqlite
            else "   not measured (a PostgreSQL run)"
        )
        print(
            f"  {label:<34}{measured}  {floor['rows']:>12,} rows ({how}, as many rows per table as the "
            "night inserted or updated)"
        )
    target = TARGETS[night.label] * students / AT_STUDENTS
    scaled = "" if students == AT_STUDENTS else f"; {TARGETS[night.label]:.0f} s at 350,000, scaled linearly"
    return [
        check(f"{night.label} night ran", night.ok, "exit status 0" if night.ok else "tutorhub sync failed"),
        check(
            f"{night.label} night wall", night.wall <= target, f"{night.wall:.1f} s <= {target:.1f} s{scaled}"
        ),
        check(
            f"{night.label} night peak RSS",
            night.peak_mb <= TARGET_RSS_MB,
            f"{night.peak_mb:,.0f} MB <= {TARGET_RSS_MB:,.0f} MB",
        ),
    ]


def floors_of(work: Path, url: str, before: int) -> dict[str, dict[str, Any]]:
    parse = in_fresh_process(bare_parse, input_files(work))
    written = rows_written(url, before)
    if not url.startswith("sqlite"):
        unmeasured = {"wall": float("nan"), "rows": sum(written.values())}
        return {"parse": parse, "write": unmeasured, "adbc": unmeasured}
    database = url.split("///", 1)[1]
    write = in_fresh_process(bare_writes, database, written)
    return {"parse": parse, "write": write, "adbc": in_fresh_process(bare_adbc_writes, database, written)}


def run_all(students: int, seed: int, work: Path, server: str | None) -> bool:
    environment = {name: value for name, value in os.environ.items() if name != "DAGSTER_HOME"}
    made = in_fresh_process(build, students, seed, work, server)
    sizes = ", ".join(f"{name} {mb:,.0f} MB" for name, mb in made["files"].items())
    print(f"built a {students:,}-student district in {made['wall']:.0f} s (not timed): {sizes}")
    config = work / "hub.yaml"
    url = warehouse_url(config)
    print(f"warehouse: {url.split('@')[-1]}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    results = []
    for label in NIGHTS:
        if label == "next":
            changed = in_fresh_process(next_night, work / "drop", seed)
            print(
                "the next night's files: " + ", ".join(f"{name} {count:,}" for name, count in changed.items())
            )
        before = last_sync_run(url)
        night = run_night(label, config, environment, work / f"sync-{label}.log")
        read_steps(config, night)
        results += show(night, floors_of(work, url, before), students)
        if not night.ok:
            print((work / f"sync-{label}.log").read_text()[-3000:])
            break
    return all(results)


def _throw_away_database(server: str) -> str:
    from sqlalchemy import create_engine, make_url, text

    name = f"bench_night_{uuid.uuid4().hex[:10]}"
    with create_engine(server, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def _drop_database(url: str, server: str) -> None:
    from sqlalchemy import create_engine, make_url, text

    name = make_url(url).database
    with create_engine(server, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=AT_STUDENTS)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--warehouse", help="a PostgreSQL server URL; a throw-away database is made there")
    parser.add_argument("--keep", type=Path, help="build and run in this folder, and leave it there")
    arguments = parser.parse_args()
    database = _throw_away_database(arguments.warehouse) if arguments.warehouse else None
    work = arguments.keep or Path(tempfile.mkdtemp(prefix="tutorhub-night-"))
    if arguments.keep and work.exists() and any(work.iterdir()):
        print(f"{work} is not empty; name a new folder for --keep")
        return 2
    work.mkdir(parents=True, exist_ok=True)
    try:
        ok = run_all(arguments.students, arguments.seed, work.resolve(), database)
    finally:
        if database:
            _drop_database(database, arguments.warehouse)
        if not arguments.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
