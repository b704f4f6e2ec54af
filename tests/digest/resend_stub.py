"""A local stand-in for the Resend API on 127.0.0.1, shaped like the real one.

POST /emails with `Authorization: Bearer <key>` answers 200 {"id": "<uuid>"}; a repeated
Idempotency-Key with the same body answers the first id again without sending, and with a
different body 409 `invalid_idempotent_request` (as Resend documents). A wrong key answers
403 `invalid_api_key`. `script` queues canned responses (status, body, headers) for the next
requests, to exercise retries. Every request is kept in `requests`; `sent` holds the emails
that were actually "delivered".
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: Any


class ResendStub:
    def __init__(self, api_key: str = "re_test_key") -> None:
        self.api_key = api_key
        self.requests: list[Request] = []
        self.sent: list[Request] = []
        self.script: list[tuple[int, Any, dict[str, str]]] = []
        self._by_key: dict[str, tuple[str, Any]] = {}
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                status, answer, headers = stub.answer(request)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            self.requests.append(request)
            if self.script:
                return self.script.pop(0)
            if request.path != "/emails":
                return 404, {"statusCode": 404, "name": "not_found", "message": "Not found"}, {}
            if request.headers.get("authorization") != f"Bearer {self.api_key}":
                return 403, {"statusCode": 403, "name": "invalid_api_key",
                             "message": "API key is invalid"}, {}  # fmt: skip
            key = request.headers.get("idempotency-key")
            if key and key in self._by_key:
                first_id, first_body = self._by_key[key]
                if first_body != request.body:
                    return 409, {"statusCode": 409, "name": "invalid_idempotent_request",
                                 "message": "Same idempotency key used with a different request "
                                 "payload."}, {}  # fmt: skip
                return 200, {"id": first_id}, {}
            email_id = str(uuid.uuid4())
            if key:
                self._by_key[key] = (email_id, request.body)
            self.sent.append(request)
            return 200, {"id": email_id}, {}

    def __enter__(self) -> ResendStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
