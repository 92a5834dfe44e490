"""``/docs`` and ``/redoc`` render in a real headless browser that can reach no other host (Debian's chromium; the
test is skipped where it is not installed)."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
import time

import pytest
import uvicorn

from kg.api import ApiSettings, StoreAccess, create_app
from tests import graph_fixture as g

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (apt-get install chromium)")


@pytest.fixture
def base_url(tmp_path):
    from kg.store.embedded import EmbeddedStore

    with EmbeddedStore(tmp_path / "graph.lbug") as store:
        g.build(store)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(StoreAccess(store=store), ApiSettings()), host="127.0.0.1",
                                               port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
        server.should_exit = True
        thread.join(10)


def rendered(url: str, tmp_path) -> str:
    """The page's DOM after its scripts ran, every host but 127.0.0.1 unresolvable (no network for the page)."""
    result = subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             f"--user-data-dir={tmp_path / 'profile'}",
                             "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                             "--virtual-time-budget=15000", "--dump-dom", url],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_swagger_ui_and_redoc_render_offline(base_url, tmp_path):
    docs = rendered(f"{base_url}/docs", tmp_path)
    paths = set(re.findall(r'opblock-summary-path" data-path="([^"]+)"', docs))
    assert {"/v1/symptoms", "/v1/drugs-for-gene", "/v1/patient", "/v1/evidence", "/v1/cypher", "/v1/health",
            "/v1/query"} <= paths, "Swagger UI lists every operation"
    redoc = rendered(f"{base_url}/redoc", tmp_path)
    assert "/v1/drugs-for-gene" in redoc and "Drugs For Gene Post" in redoc and "Trapi Query" in redoc, "ReDoc renders"
