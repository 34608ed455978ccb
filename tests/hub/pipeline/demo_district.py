"""A demo district run up to a step, on SQLite or PostgreSQL, for the tests that build a step's output in
parts and as one part from the same warehouse."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import yaml

from cli.demo import demo_as_of, demo_config, write_demo_data
from hub.pipeline.context import DistrictRun
from hub.pipeline.night import run_steps
from hub.plugins import installed
from hub.settings import load_hub_config
from testkit.synthetic import DistrictSpec
from tests.conftest import fresh_postgres_database


def demo_district(
    backend: str, folder: Path, students: int, seed: int, steps: Sequence[str]
) -> Iterator[Path]:
    """The demo district's hub.yaml in ``folder``, its warehouse on ``backend`` (sqlite or postgresql, a
    throw-away database dropped after), its night run through ``steps``."""
    write_demo_data(students, seed, folder / "drop", echo=lambda _: None)
    path = demo_config(folder, None, demo_as_of(DistrictSpec(students=students, seed=seed).school_year))
    if backend == "sqlite":
        yield night(path, steps)
        return
    with fresh_postgres_database() as url:
        settings = yaml.safe_load(path.read_text(encoding="utf-8"))
        settings["districts"][0]["warehouse_url"] = url
        path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
        yield night(path, steps)


def night(config: Path, steps: Sequence[str]) -> Path:
    run = opened(config)
    try:
        run_steps(run, list(steps))
    finally:
        run.close()
    return config


def opened(config: Path, part_students: int | None = None) -> DistrictRun:
    """The demo district's run, in parts of ``part_students`` if given."""
    hub = load_hub_config(config)
    district = hub.district("demo")
    if part_students is not None:
        district = district.model_copy(update={"part_students": part_students})
    return DistrictRun(hub, district, installed())
