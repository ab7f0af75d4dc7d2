"""Speed comparisons that print ratio tables. Run one with ``python -m benchmarks.NAME``."""
