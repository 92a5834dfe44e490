"""The Neo4j test server is configured as the README recommends for production: ``LOAD CSV`` reads no file of the
machine and fetches no URL, whatever gets past medkg's read-only check (issue 20, item 1: defence in depth).

The queries go through the official driver directly, not through ``read_cypher``, so that only the server's
own settings stand in the way.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

neo4j = pytest.importorskip("neo4j")

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def driver(neo4j_uri: str) -> Iterator[neo4j.Driver]:
    with neo4j.GraphDatabase.driver(neo4j_uri, auth=None) as bolt:
        yield bolt


def load_csv_error(driver: neo4j.Driver, url: str) -> str:
    """The server's message for a ``LOAD CSV`` of ``url`` (the test fails if the load succeeds)."""
    with pytest.raises(neo4j.exceptions.Neo4jError) as refused:
        driver.execute_query(f"LOAD CSV FROM '{url}' AS line RETURN line LIMIT 1")
    return refused.value.message or ""


def test_load_csv_reads_no_file(driver):
    message = load_csv_error(driver, "file:///etc/passwd")
    assert "allow_csv_import_from_file_urls" in message


def test_load_csv_fetches_no_url(driver):
    # Port 1 on loopback: without the blocklist this would be "connection refused", not this refusal.
    message = load_csv_error(driver, "http://127.0.0.1:1/x")
    assert "cypher_ip_blocklist" in message


def test_the_blocklist_covers_ipv6(driver):
    assert "cypher_ip_blocklist" in load_csv_error(driver, "http://[::1]:1/x")
