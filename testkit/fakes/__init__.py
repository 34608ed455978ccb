"""Loopback HTTP fakes of the vendors' APIs; ``server`` is the plumbing they share (routes, faults, log)."""
