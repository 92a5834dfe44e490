"""Store benchmarks (run from the repository root: ``python -m benchmarks.store_write``)."""
