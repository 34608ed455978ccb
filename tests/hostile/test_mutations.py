"""Property-based: any few bytes changed, dropped or added anywhere in a real export give an outcome a
person can act on (hypothesis draws the damage; the sample is the shared vendor file or the hub's own
session log)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.conftest import TARGETS, validate

# A change is (where, as a fraction of the file; what: replace, insert or delete; the bytes).
damage = st.lists(
    st.tuples(
        st.floats(0, 1, allow_nan=False),
        st.sampled_from(["replace", "insert", "delete"]),
        st.binary(min_size=1, max_size=8) | st.sampled_from([b'"', b",", b"\n", b"\r", b"\x00", b"\xff\xfe"]),
    ),
    min_size=1,
    max_size=6,
)


def _damaged(data: bytes, changes: list[tuple[float, str, bytes]]) -> bytes:
    for fraction, how, octets in changes:
        at = int(fraction * len(data))
        if how == "replace":
            data = data[:at] + octets + data[at + len(octets) :]
        elif how == "insert":
            data = data[:at] + octets + data[at:]
        else:
            data = data[:at] + data[at + len(octets) :]
    return data


@pytest.mark.parametrize("kind", tuple(TARGETS))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=damage)
def test_damaged_exports_never_crash(kind: str, changes: list[tuple[float, str, bytes]], copy_of) -> None:  # type: ignore[no-untyped-def]
    folder, target = copy_of(kind)
    target.write_bytes(_damaged(target.read_bytes(), changes))
    validate(kind, folder)
