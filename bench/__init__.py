"""Benchmarks: a deterministic data generator and runners that report ratios measured in one run."""
