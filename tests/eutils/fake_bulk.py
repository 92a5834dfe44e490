"""A loopback stand-in for ``ftp.ncbi.nlm.nih.gov/pubmed/``: NCBI's directory index pages, ``.xml.gz`` files
(real PubMed files of the shared data under baseline-style names) and their ``.md5`` files in NCBI's
``MD5(name)= hex`` form, with byte ranges (``Range`` → 206 and ``Content-Range``) and scripted faults: a
connection cut after some bytes, a 503, a corrupted body."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INDEX = """<html>
<head><title>Index of /pubmed/{folder}</title></head>
<body>
<h1>Index of /pubmed/{folder}</h1>
<pre>Name                         Last modified      Size  <a href="/pubmed/">Parent Directory</a>         -
<a href="README.txt">README.txt</a>                   2025-12-10 14:25  2.3K
{rows}<hr></pre>
</body>
</html>
"""


@dataclass
class Fault:
    kind: str  # "cut" (send only `after` bytes of the body, then close), "503", "corrupt"
    path: str
    after: int = 0
    times: int = 1


@dataclass
class FakeNcbiBulk:
    folders: dict[str, dict[str, bytes]]  # folder → file name → content
    faults: list[Fault] = field(default_factory=list)
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Range header)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/pubmed/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeNcbiBulk:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fault_for(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.path == path and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def body_of(self, path: str) -> bytes | None:
        parts = path.strip("/").split("/")  # pubmed/<folder>/[<name>]
        if len(parts) < 2 or parts[0] != "pubmed" or parts[1] not in self.folders:
            return None
        files = self.folders[parts[1]]
        if len(parts) == 2:
            rows = "".join(f'<a href="{name}">{name}</a>   2025-12-10 14:25  {len(data)}\n'
                           f'<a href="{name}.md5">{name}.md5</a>   2025-12-10 14:25   60\n'
                           for name, data in sorted(files.items()))
            return INDEX.format(folder=parts[1], rows=rows).encode()
        name = parts[2]
        if name in files:
            return files[name]
        if name.endswith(".md5") and name[:-4] in files:
            return f"MD5({name[:-4]})= {hashlib.md5(files[name[:-4]]).hexdigest()}\n".encode()
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                path = self.path.split("?")[0]
                fake.requests.append((path, self.headers.get("Range")))
                body = fake.body_of(path)
                if body is None:
                    return self._reply(404, b"Not Found")
                fault = fake.fault_for(path)
                if fault is not None and fault.kind == "503":
                    return self._reply(503, b"Service Unavailable", {"Retry-After": "0"})
                if fault is not None and fault.kind == "corrupt":
                    body = body[:-1] + bytes([body[-1] ^ 0xFF])
                start, status, headers = 0, 200, {}
                requested = self.headers.get("Range")
                if requested:
                    start = int(requested.removeprefix("bytes=").split("-")[0])
                    if start >= len(body):
                        return self._reply(416, b"", {"Content-Range": f"bytes */{len(body)}"})
                    status, headers = 206, {"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"}
                payload = body[start:]
                if fault is not None and fault.kind == "cut":
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload[:fault.after])
                    self.wfile.flush()
                    self.close_connection = True
                    return None
                return self._reply(status, payload, headers)

            def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
