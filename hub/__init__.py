"""The core: the shared data model, the connector contract, the warehouse, the tutoring decisions and the
reports. It imports none of connectors/, assets/, cli/ or testkit/ (tests/test_architecture.py checks).
"""
