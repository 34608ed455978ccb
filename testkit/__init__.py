"""Demo and test support: synthetic districts, fake vendor servers and simulated seasons.

Nothing in production needs this package: ``hub/``, ``assets/``, the connectors' readers and destinations
and the ``tutorhub`` commands other than the demo's never import it (an import-linter contract in
pyproject.toml, run by the tests). The demo, the vendor-layout writers, the tests and the benchmarks do.

    synthetic/   a realistic district, deterministic by (students, seed); knows no vendor
    fakes/       real HTTP servers on loopback playing Canvas, OneRoster rostering and gradebook
    simulate/    how a synthetic student looks on a vendor's report, and a season of tutoring sessions
    season.py    the demo's season, run boundary by boundary as the hub decides it
"""
