"""Ingestion on a distributed engine: extraction on Ray actors, results as columnar shards, one writer.

:mod:`kg.distributed.shards` (the shard files and their manifest) needs no Ray; :mod:`kg.distributed.ray_engine`
imports Ray when an ingest starts (``pip install 'medkg[ray]'``).
"""
