"""A loopback E-utilities server that replays real NCBI responses, with scripted failures.

esearch answers are the real ``esearch2.xml`` with Count, RetMax, IdList and WebEnv rewritten for the
current result set; efetch answers are the real ``pubmed*.xml`` efetch outputs: a batch that is exactly
one of those files is served byte for byte, any other batch is their ``PubmedArticle`` elements in one
``PubmedArticleSet``. Only the WebEnv of the latest esearch is accepted (an older one gets the error
document NCBI sends), which is what a resumed run meets once its WebEnv has expired.
"""

from __future__ import annotations

import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from lxml import etree

EFETCH_FILES = ("pubmed1.xml", "pubmed2.xml", "pubmed4.xml", "pubmed5.xml", "pubmed6.xml", "pubmed7.xml")
STALE_WEBENV = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n'
    b'<!DOCTYPE eFetchResult PUBLIC "-//NLM//DTD efetch 20131226//EN" '
    b'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd">\n'
    b"<eFetchResult>\n\t<ERROR>Cannot retrieve query from history</ERROR>\n</eFetchResult>\n"
)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    declared_length: int | None = None  # a Content-Length that differs from the body: a cut connection


@dataclass(frozen=True)
class Hit:
    """One request as the server saw it; ``time`` is ``time.monotonic()`` when its handling began."""

    time: float
    method: str
    endpoint: str
    params: dict[str, str]


@dataclass
class _Rule:
    reply: Reply
    endpoint: str
    when: Callable[[Hit], bool] | None
    times: int | None  # None: every matching request


class FakeEutils:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.esearch_template = (data_dir / "esearch2.xml").read_bytes()
        self.files: dict[tuple[str, ...], bytes] = {}
        self.articles: dict[str, bytes] = {}
        self.header = b""
        for name in EFETCH_FILES:
            self._load(data_dir / name)
        self.result: list[str] = list(self.articles)  # what esearch finds, in order
        self.hits: list[Hit] = []
        self.webenv = ""
        self._serial = 0
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self.url = ""

    def _load(self, path: Path) -> None:
        data = path.read_bytes()
        pmids = []
        for article in etree.fromstring(data, _PARSER).iterfind("PubmedArticle"):
            pmid = article.findtext("MedlineCitation/PMID").strip()
            self.articles[pmid] = etree.tostring(article, encoding="UTF-8", xml_declaration=False, with_tail=False)
            pmids.append(pmid)
        self.files[tuple(pmids)] = data
        if not self.header:
            self.header = data[: data.index(b"<PubmedArticleSet>") + len(b"<PubmedArticleSet>")] + b"\n"

    # -- life cycle -------------------------------------------------------------------------------------
    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                fake._serve(self, time.monotonic(), "GET")

            def do_POST(self) -> None:  # noqa: N802
                fake._serve(self, time.monotonic(), "POST")

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/entrez/eutils/"
        return self.url

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    # -- scripting --------------------------------------------------------------------------------------
    def fail(self, reply: Reply, *, endpoint: str = "efetch.fcgi", times: int | None = None,
             when: Callable[[Hit], bool] | None = None) -> None:
        """Answer the next ``times`` matching requests (every one if None) with ``reply``."""
        with self._lock:
            self._rules.append(_Rule(reply, endpoint, when, times))

    def clear_failures(self) -> None:
        with self._lock:
            self._rules.clear()

    def requests(self, endpoint: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.endpoint == endpoint]

    # -- serving ----------------------------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler, arrived: float, method: str) -> None:
        url = urllib.parse.urlsplit(handler.path)
        params = dict(urllib.parse.parse_qsl(url.query))
        if method == "POST":
            length = int(handler.headers.get("Content-Length") or 0)
            params.update(urllib.parse.parse_qsl(handler.rfile.read(length).decode("ascii")))
        hit = Hit(arrived, method, url.path.rsplit("/", 1)[-1], params)
        with self._lock:
            self.hits.append(hit)
            reply = self._scripted(hit) or self._answer(hit)
        handler.send_response(reply.status)
        handler.send_header("Content-Type", "text/xml; charset=UTF-8")
        length = len(reply.body) if reply.declared_length is None else reply.declared_length
        handler.send_header("Content-Length", str(length))
        for key, value in reply.headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(reply.body)
        handler.close_connection = True

    def _scripted(self, hit: Hit) -> Reply | None:
        for rule in self._rules:
            if rule.endpoint == hit.endpoint and (rule.when is None or rule.when(hit)) and rule.times != 0:
                if rule.times is not None:
                    rule.times -= 1
                return rule.reply
        return None

    def _answer(self, hit: Hit) -> Reply:
        if hit.endpoint == "esearch.fcgi":
            return Reply(body=self._esearch(hit.params))
        if hit.endpoint == "efetch.fcgi":
            return Reply(body=self._efetch(hit.params))
        return Reply(404, b"unknown endpoint")

    def _esearch(self, params: dict[str, str]) -> bytes:
        start, retmax = int(params.get("retstart", 0)), int(params.get("retmax", 20))
        ids = self.result[start : start + retmax]
        self._serial += 1
        self.webenv = f"MCID_medkg_test_{self._serial:04d}"
        body = re.sub(rb"<Count>\d+</Count>", f"<Count>{len(self.result)}</Count>".encode(), self.esearch_template)
        body = re.sub(rb"<RetMax>\d+</RetMax>", f"<RetMax>{len(ids)}</RetMax>".encode(), body)
        body = re.sub(rb"<RetStart>\d+</RetStart>", f"<RetStart>{start}</RetStart>".encode(), body)
        body = re.sub(rb"<WebEnv>[^<]*</WebEnv>", f"<WebEnv>{self.webenv}</WebEnv>".encode(), body)
        id_list = "".join(f"<Id>{pmid}</Id>\n" for pmid in ids)
        body = re.sub(rb"<IdList>.*</IdList>", f"<IdList>\n{id_list}</IdList>".encode(), body, flags=re.S)
        if params.get("usehistory") != "y":
            body = re.sub(rb"<QueryKey>\d+</QueryKey><WebEnv>[^<]*</WebEnv>", b"", body)
        return body

    def _efetch(self, params: dict[str, str]) -> bytes:
        if "id" in params:
            pmids = [p for p in params["id"].split(",") if p in self.articles]
        else:
            if params.get("WebEnv") != self.webenv or params.get("query_key") != "1":
                return STALE_WEBENV
            start = int(params.get("retstart", 0))
            pmids = self.result[start : start + int(params.get("retmax", 20))]
        return self.article_set(pmids)

    def article_set(self, pmids: list[str]) -> bytes:
        """The real efetch file when ``pmids`` are exactly its articles, else their articles in one set."""
        if tuple(pmids) in self.files:
            return self.files[tuple(pmids)]
        return self.header + b"\n".join(self.articles[p] for p in pmids) + b"\n</PubmedArticleSet>\n"
