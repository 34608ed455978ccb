"""Names, user names and e-mail addresses for anyone on the roster, drawn in bulk."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from testkit.synthetic.names import FAMILY, FAMILY_ASIAN, FAMILY_HISPANIC, FEMALE, MALE

_GIVEN = pa.array(FEMALE + MALE)
_FAMILY = pa.array(FAMILY + FAMILY_HISPANIC + FAMILY_ASIAN)
SEXES = ("female", "male", "unspecified")


def given_names(rng: np.random.Generator, sex: np.ndarray) -> pa.Array:
    """First names matching ``sex`` (0 female, 1 male, 2 unspecified: either list)."""
    female = rng.integers(0, len(FEMALE), len(sex))
    male = len(FEMALE) + rng.integers(0, len(MALE), len(sex))
    either = rng.integers(0, len(FEMALE) + len(MALE), len(sex))
    return _GIVEN.take(np.select([sex == 0, sex == 1], [female, male], either))


def family_names(rng: np.random.Generator, hispanic: np.ndarray, asian: np.ndarray) -> pa.Array:
    """Surnames; most Hispanic and Asian students carry a surname from the matching list."""
    n = len(hispanic)
    general = rng.integers(0, len(FAMILY), n)
    from_hispanic = len(FAMILY) + rng.integers(0, len(FAMILY_HISPANIC), n)
    from_asian = len(FAMILY) + len(FAMILY_HISPANIC) + rng.integers(0, len(FAMILY_ASIAN), n)
    matching = rng.random(n) < 0.85
    index = np.select([hispanic & matching, asian & matching], [from_hispanic, from_asian], general)
    return _FAMILY.take(index)


def username(given: pa.Array, family: pa.Array, number: pa.Array) -> pa.Array:
    """``jgarcia104233``: initial, surname and a number that keeps it unique; ASCII letters only."""
    initial = pc.utf8_slice_codeunits(given, 0, 1)
    letters = pc.replace_substring_regex(
        pc.utf8_lower(pc.binary_join_element_wise(initial, family, "")), "[^a-z]", ""
    )
    return pc.binary_join_element_wise(letters, number, "")


def email(user: pa.Array, domain: str) -> pa.Array:
    return pc.binary_join_element_wise(user, domain, "@")


def adults(rng: np.random.Generator, count: int) -> tuple[pa.Array, pa.Array]:
    """Names for staff: sexes about as in US teaching (three in four women), surnames from every list."""
    sex = (rng.random(count) < 0.25).astype(np.int64)
    draw = rng.random(count)
    return given_names(rng, sex), family_names(rng, draw < 0.15, draw > 0.93)
