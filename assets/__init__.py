"""The Dagster code location: hub.yaml turned into assets, checks, schedules and sensors.

Thin on purpose: every asset body calls into ``hub.pipeline``; nothing here holds business logic.
(No ``from __future__ import annotations`` in this package: Dagster inspects the real annotations.)
"""
