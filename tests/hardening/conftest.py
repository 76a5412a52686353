"""Fixtures of the hardening tests (their helpers live in tests/helpers/hardening.py)."""
