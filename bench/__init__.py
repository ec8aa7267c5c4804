"""Benchmarks (run as scripts, e.g. `python -m bench.filing`); not part of the test suite."""
