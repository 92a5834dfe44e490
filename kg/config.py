"""Where the graph lives: options and environment variables resolved into one store configuration."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_DB_PATH = Path("medkg-data") / "graph.lbug"
DEFAULT_NEO4J_URI = "bolt://localhost:7687"
# The schemes of the official driver's Bolt connections: bolt (one server), neo4j (routed, a cluster), each plain,
# +s (TLS, verified) or +ssc (TLS, self-signed certificate accepted).
NEO4J_URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


@dataclass(frozen=True, slots=True)
class StoreConfig:
    backend: str = "embedded"  # "embedded" (LadybugDB file) or "neo4j"
    db_path: Path = DEFAULT_DB_PATH
    neo4j_uri: str = DEFAULT_NEO4J_URI
    neo4j_user: str | None = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str | None = None

    @classmethod
    def from_env(cls) -> StoreConfig:
        uri = os.environ.get("NEO4J_URI")
        return cls(
            backend=os.environ.get("KG_STORE") or ("neo4j" if uri else "embedded"),
            db_path=Path(os.environ.get("KG_DB", DEFAULT_DB_PATH)),
            neo4j_uri=uri or DEFAULT_NEO4J_URI,  # not cls.neo4j_uri: with slots=True that is a member descriptor
            neo4j_user=os.environ.get("NEO4J_USER", "neo4j"),
            neo4j_password=os.environ.get("NEO4J_PASSWORD"),
            neo4j_database=os.environ.get("NEO4J_DATABASE"),
        )

    def describe(self) -> str:
        return f"neo4j {self.neo4j_uri}" if self.backend == "neo4j" else f"embedded {self.db_path}"


def neo4j_uri_problem(uri: str) -> str | None:
    """Why ``uri`` is not a Bolt URI the driver takes (``None`` when it is), phrased as what to write instead."""
    parts = urlsplit(uri) if "://" in uri else None
    if parts is None or parts.scheme not in NEO4J_URI_SCHEMES:
        if parts is not None and parts.scheme in ("http", "https"):  # the browser's port is not the Bolt port
            host = f"{parts.hostname or 'localhost'}:7687"
        else:
            host = uri.split("://", 1)[-1] or "localhost:7687"
        return (f"{uri!r} is not a Neo4j Bolt URI: write it with its scheme, e.g. bolt://{host} (one server) or "
                f"neo4j://{host} (a cluster); schemes: {', '.join(s + '://' for s in NEO4J_URI_SCHEMES)}")
    if not parts.hostname:
        return f"{uri!r} names no host: e.g. {parts.scheme}://localhost:7687"
    return None
