"""Canonical skill domains: the one vocabulary both diagnostics, the groups and the reports speak.

Each vendor connector maps its own domain or goal names onto these (and keeps the vendor's name beside
them); where two vendors measure the same thing they land on the same key. See README, "Skill domains".
"""

from __future__ import annotations

SUBJECTS = ("ela", "math")

DOMAINS: dict[str, dict[str, str]] = {
    "ela": {
        "phonological_awareness": "Phonological Awareness",
        "phonics": "Phonics",
        "high_frequency_words": "High-Frequency Words",
        "vocabulary": "Vocabulary",
        "comprehension_literature": "Comprehension: Literature",
        "comprehension_informational": "Comprehension: Informational Text",
        "language_and_writing": "Language and Writing",
    },
    "math": {
        "number_and_operations": "Number and Operations",
        "algebra_and_algebraic_thinking": "Algebra and Algebraic Thinking",
        "measurement_and_data": "Measurement and Data",
        "geometry": "Geometry",
        "statistics_and_probability": "Statistics and Probability",
    },
}


def label(domain: str | None) -> str:
    """A person-readable name for a canonical domain key (a session log may name none)."""
    if not domain:
        return "Not recorded"
    for domains in DOMAINS.values():
        if domain in domains:
            return domains[domain]
    return domain.replace("_", " ").title()
