"""Test support shared by the test modules (and the benchmarks): a deployed world of participants."""
