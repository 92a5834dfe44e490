"""The HTTP gate in front of ``kg serve``'s app: the bearer token and a body-size limit before any body is read,
and the request log.

FastAPI dependencies run after the request body has been received and parsed, so a 50 MB body cost the server
300 MB before its 401, and ``/docs`` and ``/openapi.json`` (which take no dependencies) were open even with a token
set. This pure ASGI middleware sits outside the app: it answers 401 from the headers alone, 413 from a
``Content-Length`` over the limit, and 413 as soon as a streamed (chunked) body passes the limit, without
buffering it. Everything it answers is the app's JSON error shape ``{"error": …, "detail": …}``. It logs one line
per request: method, path, status and time, never the query string or the body (they may describe patients).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("medkg.api")

DEFAULT_MAX_BODY_BYTES = 2 << 20  # /cypher's largest legal body (20k query + 1M parameter characters) fits


class RequestGate:
    """Refuses a request without the token (401) or with a body over ``max_body_bytes`` (413)."""

    def __init__(self, app: ASGIApp, *, token: str | None, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
                 token_env: str = "MEDKG_API_TOKEN") -> None:
        self.app = app
        self.token = token.encode() if token else None
        self.max_body_bytes = max_body_bytes
        self.token_env = token_env

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def logged_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._gate(scope, receive, logged_send)
        finally:
            log.info("%s %s %d %.0f ms", scope.get("method"), scope.get("path"), status,
                     (time.perf_counter() - started) * 1000)

    async def _gate(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
        if self.token is not None and not self._authorized(headers.get(b"authorization", b"")):
            await _answer(send, 401, "unauthorized",
                          f"send the API token as 'Authorization: Bearer <token>' (the server reads it from "
                          f"{self.token_env})", {"www-authenticate": "Bearer"})
            return
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            await _answer(send, 413, "body_too_large", self._too_large())
            return
        await self.app(scope, *self._bounded(receive, send))

    def _authorized(self, header: bytes) -> bool:
        scheme, _, credentials = header.partition(b" ")
        assert self.token is not None
        return scheme.lower() == b"bearer" and secrets.compare_digest(credentials.strip(), self.token)

    def _too_large(self) -> str:
        return f"the request body is over {self.max_body_bytes:,} bytes; send less (or split the request)"

    def _bounded(self, receive: Receive, send: Send) -> tuple[Receive, Send]:
        """``receive`` that counts a streamed body and answers 413 once it passes the limit; the app then sees a
        disconnect, and whatever it tries to send afterwards is dropped."""
        received = 0
        refused = False

        async def bounded_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    refused = True
                    await _answer(send, 413, "body_too_large", self._too_large())
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        return bounded_receive, guarded_send


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers", [])}


async def _answer(send: Send, status: int, error: str, detail: str, extra_headers: dict[str, str] | None = None
                  ) -> None:
    body = json.dumps({"error": error, "detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")]
    headers += [(k.encode(), v.encode()) for k, v in (extra_headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
