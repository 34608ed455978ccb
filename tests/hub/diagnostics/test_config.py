from __future__ import annotations

import re

import pytest
import yaml
from pydantic import ValidationError

from hub.diagnostics import DEFAULT_ID_PRECEDENCE, DiagnosticsPolicy, GapThresholds


def test_defaults():
    policy = DiagnosticsPolicy()

    assert policy.min_match_rate == 0.95
    assert policy.id_precedence == DEFAULT_ID_PRECEDENCE == ("sis_id", "sourced_id", "state_id", "username")
    assert policy.rapid_guessing_threshold == 30.0
    assert policy.gap_thresholds == GapThresholds(min_grade_levels_below=1, adjectives={"Low": 3, "LoAvg": 2})


def test_a_district_overrides_part_of_it_from_yaml():
    text = """
    min_match_rate: 0.9
    id_precedence: [state_id, sis_id]
    gap_thresholds:
      adjectives: {Low: 3, LoAvg: 2, Avg: 1}
    """

    policy = DiagnosticsPolicy.model_validate(yaml.safe_load(text))

    assert policy.min_match_rate == 0.9
    assert policy.id_precedence == ("state_id", "sis_id")
    assert policy.gap_thresholds.adjectives == {"Low": 3, "LoAvg": 2, "Avg": 1}
    assert policy.gap_thresholds.min_grade_levels_below == 1
    assert policy.rapid_guessing_threshold == 30.0


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"id_precedence": ["sis_id", "sis_id"]}, "repeated: ['sis_id']"),
        ({"id_precedence": []}, "at least 1 item"),
        ({"min_match_rate": 1.5}, "less than or equal to 1"),
        ({"gap_thresholds": {"adjectives": {"Low": 4}}}, "less than or equal to 3"),
        ({"gap_thresholds": {"min_grade_levels_below": 0}}, "greater than or equal to 1"),
        ({"min_match_ratio": 0.9}, "Extra inputs are not permitted"),
    ],
)
def test_wrong_settings_say_what_is_expected(settings, complaint):
    with pytest.raises(ValidationError, match=re.escape(complaint)):
        DiagnosticsPolicy.model_validate(settings)
