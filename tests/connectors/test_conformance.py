"""The built-in connectors pass the conformance checks a vendor runs against theirs (hub.testing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from connectors.canvas import CanvasConfig, CanvasDestination
from connectors.files.destination import FilesConfig, FilesDestination
from connectors.iready import IReadyConfig, IReadySource
from connectors.nwea_map.config import MapConfig
from connectors.nwea_map.source import MapSource
from connectors.oneroster_api import OneRosterApiConfig, OneRosterApiSource
from connectors.oneroster_api.writer import rest_roster
from connectors.oneroster_csv import OneRosterCsvSource
from connectors.oneroster_csv.source import OneRosterCsvConfig
from hub.connector import RenderedReport, SourceConnector
from hub.testing import check_destination, check_source
from testkit.fakes.canvas import FakeCanvas
from testkit.fakes.oneroster_api import FakeRostering
from testkit.fakes.server import LOOPBACK_HTTP
from testkit.synthetic import DistrictSpec, build_district

SAMPLES = {
    "oneroster_csv": (OneRosterCsvSource, OneRosterCsvConfig, "oneroster/edfi-lms-toolkit-1.1"),
    "iready": (IReadySource, IReadyConfig, "iready/diagnostic-results-2025-26"),
    "nwea_map": (MapSource, MapConfig, "nwea-map"),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_builtin_sources_conform_on_the_real_samples(name: str, shared_fixtures: Path) -> None:
    cls, config, sample = SAMPLES[name]
    source: SourceConnector = cls(config(path=shared_fixtures / sample))
    batch = check_source(source)
    assert batch.tables[cls.tables[0]].num_rows > 0  # the sample really reached the model


def test_oneroster_api_source_conforms_over_real_http() -> None:
    """A service has no sample file: the fake rostering service serves a small synthetic district."""
    district = build_district(DistrictSpec(students=20, seed=5, district_id="north"))
    with FakeRostering(rest_roster(district), client_secret="conformance-secret") as service:
        config = OneRosterApiConfig(
            base_url=service.url,
            token_url=service.token_url,
            client_id="tutorhub",
            client_secret=SecretStr("conformance-secret"),
            page_size=25,
            http=LOOPBACK_HTTP,
        )
        batch = check_source(OneRosterApiSource(config))
    assert batch.tables["person"].num_rows == len(service.data["users"])


def _reports() -> list[RenderedReport]:
    students = {"students": [{"student": "S-1", "status": "Tutoring: Phonics; attended 3/3 this week"}]}
    return [
        RenderedReport("teacher", "ALG-1", "Tutoring", "text/html", b"<h1>Algebra</h1>", students),
        RenderedReport("teacher", "BIO-7", "Tutoring", "text/html", b"<h1>Biology</h1>", students),
    ]


def test_files_destination_conforms(tmp_path: Path) -> None:
    destination = FilesDestination(FilesConfig(district_id="north", directory=tmp_path))
    check_destination(destination, _reports())
    assert sorted(path.name for path in (tmp_path / "north").iterdir()) == [
        "teacher-ALG-1.html",
        "teacher-BIO-7.html",
    ]


def test_canvas_destination_conforms_over_real_http() -> None:
    with FakeCanvas(token="conformance-token", create_unknown_courses=True) as canvas:
        config = CanvasConfig(
            district_id="north", base_url=canvas.url, token=SecretStr("conformance-token"), http=LOOPBACK_HTTP
        )
        check_destination(CanvasDestination(config), _reports())
        assert len(canvas.pages) == 2
