"""An OpenAI-compatible `GET /v1/models` on 127.0.0.1, for the doctor's AI check.

A real local server rather than respx: the openai SDK sends through `httpx2`, which respx
does not intercept. It answers like OpenAI: 401 with an `invalid_api_key` error for a wrong
key, else the model list. Every request's path and Authorization header are recorded.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeAI:
    def __init__(self, key: str, models: tuple[str, ...] = ("gpt-4o-mini",)) -> None:
        self.key = key
        self.models = models
        self.requests: list[tuple[str, str, str | None]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                auth = self.headers.get("Authorization")
                fake.requests.append(("GET", self.path, auth))
                if self.path != "/v1/models":
                    return self._send(404, {"error": {"message": "Not found", "code": None}})
                if auth != f"Bearer {fake.key}":
                    return self._send(401, {"error": {
                        "message": "Incorrect API key provided.", "type": "invalid_request_error",
                        "param": None, "code": "invalid_api_key"}})  # fmt: skip
                data = [{"id": m, "object": "model", "created": 1700000000, "owned_by": "system"}
                        for m in fake.models]  # fmt: skip
                return self._send(200, {"object": "list", "data": data})

            def _send(self, status: int, body: dict[str, Any]) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
