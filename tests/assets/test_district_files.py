"""A folder of district files: the districts sensor keeps the partitions in step as files come and go,
and every district gets its own nightly schedule."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from assets.definitions import build_definitions


def write_district(folder: Path, district_id: str) -> None:
    text = f"id: {district_id}\nname: {district_id.title()}\ntimezone: America/Denver\n"
    (folder / f"{district_id}.yaml").write_text(text, encoding="utf-8")


def test_the_sensor_follows_the_district_files(tmp_path: Path, instance: dg.DagsterInstance) -> None:
    folder = tmp_path / "districts"
    folder.mkdir()
    for district_id in ("alpha", "beta", "gamma"):
        write_district(folder, district_id)
    hub_yaml = tmp_path / "hub.yaml"
    hub_yaml.write_text("include: [districts/*.yaml]\n", encoding="utf-8")
    defs = build_definitions(hub_yaml)
    sensor = defs.resolve_sensor_def("districts_from_hub_yaml")

    [added] = sensor(dg.build_sensor_context(instance=instance)).dynamic_partitions_requests
    assert added.partition_keys == ["alpha", "beta", "gamma"]
    assert defs.resolve_schedule_def("nightly_gamma").execution_timezone == "America/Denver"

    instance.add_dynamic_partitions("districts", ["alpha", "beta", "gamma"])
    (folder / "beta.yaml").unlink()
    write_district(folder, "delta")
    added, deleted = sensor(dg.build_sensor_context(instance=instance)).dynamic_partitions_requests
    assert added.partition_keys == ["delta"]
    assert deleted.partition_keys == ["beta"]


def test_a_broken_district_file_is_named_in_the_sensors_skip(
    tmp_path: Path, instance: dg.DagsterInstance
) -> None:
    folder = tmp_path / "districts"
    folder.mkdir()
    write_district(folder, "alpha")
    (folder / "beta.yaml").write_text("id: beta\nname: Beta\ntimezone: Mars/Olympus\n", encoding="utf-8")
    hub_yaml = tmp_path / "hub.yaml"
    hub_yaml.write_text("include: [districts/*.yaml]\n", encoding="utf-8")
    sensor = build_definitions(hub_yaml).resolve_sensor_def("districts_from_hub_yaml")

    skipped = sensor(dg.build_sensor_context(instance=instance))
    assert f"{folder / 'beta.yaml'}: district 'beta': timezone" in skipped.skip_message
