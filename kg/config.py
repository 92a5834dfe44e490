"""Where the graph lives: options and environment variables resolved into one store configuration."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB_PATH = Path("medkg-data") / "graph.lbug"


@dataclass(frozen=True, slots=True)
class StoreConfig:
    backend: str = "embedded"  # "embedded" (LadybugDB file) or "neo4j"
    db_path: Path = DEFAULT_DB_PATH
    neo4j_uri: str = "bolt://localhost:7687"
    neo4j_user: str | None = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str | None = None

    @classmethod
    def from_env(cls) -> StoreConfig:
        uri = os.environ.get("NEO4J_URI")
        return cls(
            backend=os.environ.get("KG_STORE") or ("neo4j" if uri else "embedded"),
            db_path=Path(os.environ.get("KG_DB", DEFAULT_DB_PATH)),
            neo4j_uri=uri or cls.neo4j_uri,
            neo4j_user=os.environ.get("NEO4J_USER", "neo4j"),
            neo4j_password=os.environ.get("NEO4J_PASSWORD"),
            neo4j_database=os.environ.get("NEO4J_DATABASE"),
        )

    def describe(self) -> str:
        return f"neo4j {self.neo4j_uri}" if self.backend == "neo4j" else f"embedded {self.db_path}"
