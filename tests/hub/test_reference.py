"""The README's settings reference is generated from the models, and current."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.generated import markers, replace_section
from hub.plugins import installed
from hub.reference import SECTION, settings_reference
from hub.settings import DistrictConfig, HubFile

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_holds_the_current_settings_reference() -> None:
    text = README.read_text(encoding="utf-8")
    assert replace_section(text, SECTION, settings_reference(installed())) == text, (
        "the settings reference is stale: run `tutorhub settings-reference --write README.md`"
    )


def test_every_hub_yaml_key_has_a_row_with_its_default() -> None:
    reference = settings_reference(installed())
    for model in (HubFile, DistrictConfig):
        for name in model.model_fields:
            assert f"| `{name}` |" in reference, name
    assert "| `as_of` | date (YYYY-MM-DD) or null | null | decide as of this date" in reference
    assert "| `max_cycles` | integer or null | `3` |" in reference
    assert "#### `connectors[].settings` of `type: nwea_map` (source)" in reference
    assert "| `district_id` | text | the district's id | filled in by the hub; leave it out |" in reference
    assert "Cycle dates: the school year is the roster's" in reference
    assert "Tutors: people on the roster with one of ``tutor_roles`` tutor" in reference


def test_a_file_without_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="markers") as refusal:
        replace_section("no markers here", SECTION, "x")
    assert all(marker in str(refusal.value) for marker in markers(SECTION))
