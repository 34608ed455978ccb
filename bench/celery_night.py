"""Districts per minute on Dagster's Celery executor with one worker and with two (deploy/celery).

Each round starts from nothing: a fresh Dagster instance database and a fresh PostgreSQL warehouse, the
profile's dagster.yaml and hub.yaml, N district files, the daemon and W dagster-celery workers (one task at
a time each). The nights go in as one backfill through the queued run coordinator; the time is Dagster's
own, from the first run's start to the last run's end. Every district reads the same synthetic exports
(written once, outside the clock): the figure is throughput, not isolation, which tests/e2e/test_celery.py
proves.

    .venv/bin/python bench/celery_night.py [--districts 50] [--students 5000] [--workers 1 2]

Needs RabbitMQ on 127.0.0.1:5672 and PostgreSQL on 127.0.0.1:5432 (TUTORHUB_TEST_PG_URL), as the tests do.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the test suite's PostgreSQL and Celery helpers, shared rather than copied

from cli.demo import write_demo_data  # noqa: E402
from tests.conftest import fresh_postgres_database  # noqa: E402
from tests.e2e.celery_profile import celery_profile, district_file, wait_for  # noqa: E402


def one_round(root: Path, drop: Path, districts: int, workers: int) -> tuple[float, int]:
    """Seconds from the first night's start to the last night's end, and how many nights succeeded."""
    ids = [f"district_{n:03}" for n in range(districts)]
    with (
        fresh_postgres_database("tutorhub_bench_dagster", driver="postgresql+psycopg2") as dagster_url,
        fresh_postgres_database("tutorhub_bench_warehouse") as warehouse_url,
        celery_profile(root, dagster_url, {}) as profile,
    ):
        profile.write(root / "data")
        (root / "districts").mkdir()
        for district_id in ids:
            text = yaml.safe_dump(district_file(district_id, drop, warehouse_url))
            (root / "districts" / f"{district_id}.yaml").write_text(text, encoding="utf-8")
        for number in range(1, workers + 1):
            profile.start_worker(f"worker_{number}")
        profile.start_daemon()
        profile.await_workers([f"worker_{number}" for number in range(1, workers + 1)])
        logs = [profile.log(name) for name in profile.processes]
        os.environ["DAGSTER_PG_URL"] = dagster_url
        with dg.DagsterInstance.from_config(str(profile.home)) as instance:
            profile.await_partitions(instance, ids)
            profile.backfill(ids, {"bench": "1"})

            def finished() -> list[dg.RunRecord] | None:
                records = instance.get_run_records(filters=dg.RunsFilter(tags={"bench": "1"}))
                done = len(records) == districts and all(r.dagster_run.is_finished for r in records)
                return records if done else None

            records = wait_for("every night to finish", finished, 24 * 3600, logs)
        span = max(r.end_time for r in records) - min(r.start_time for r in records)
        succeeded = sum(r.dagster_run.status == dg.DagsterRunStatus.SUCCESS for r in records)
        return span, succeeded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=50)
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rates = {}
    with tempfile.TemporaryDirectory(prefix="tutorhub-celery-bench-") as scratch:
        drop = Path(scratch) / "drop"
        started = time.perf_counter()
        write_demo_data(args.students, args.seed, drop, echo=lambda _: None)
        took = time.perf_counter() - started
        print(f"exports of one {args.students:,}-student district written in {took:.0f} s (not timed below)")
        print(f"{'workers':>7} {'districts':>9} {'succeeded':>9} {'seconds':>8} {'districts/min':>13}")
        for workers in args.workers:
            span, succeeded = one_round(Path(scratch) / f"round_{workers}", drop, args.districts, workers)
            rates[workers] = 60 * args.districts / span
            print(f"{workers:>7} {args.districts:>9} {succeeded:>9} {span:>8.0f} {rates[workers]:>13.2f}")
            if succeeded != args.districts:
                print("  some nights failed: see the round's logs before trusting the figure")
                return 1
    if 1 in rates and len(rates) > 1:
        for workers, rate in rates.items():
            if workers != 1:
                print(f"speed-up with {workers} workers: {rate / rates[1]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
