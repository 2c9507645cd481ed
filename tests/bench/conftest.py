"""Benchmarks run through `python -m tests.bench`, never as part of the test suite."""

collect_ignore_glob = ["*"]
