"""Graph stores: one protocol (:class:`GraphStore`), a Neo4j backend and an embedded LadybugDB backend."""

from __future__ import annotations

from kg.config import StoreConfig
from kg.store.base import GraphStore, StoreStats
from kg.store.errors import QueryTimeout, QueryTooLarge, StoreError, StoreUnavailable, WriteRefused

__all__ = ["GraphStore", "QueryTimeout", "QueryTooLarge", "StoreConfig", "StoreError", "StoreStats", "StoreUnavailable",
           "WriteRefused", "open_store"]


def open_store(config: StoreConfig, *, read_only: bool = False) -> GraphStore:
    """Open the configured backend (imports only the driver it needs)."""
    if config.backend == "neo4j":
        from kg.store.neo4j_store import Neo4jStore

        return Neo4jStore(config.neo4j_uri, config.neo4j_user, config.neo4j_password, config.neo4j_database,
                          read_only=read_only)
    if config.backend == "embedded":
        from kg.store.embedded import EmbeddedStore

        return EmbeddedStore(config.db_path, read_only=read_only)
    raise ValueError(f"unknown store backend {config.backend!r} (expected 'embedded' or 'neo4j')")
