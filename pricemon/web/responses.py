"""A JSON response that can never be read as HTML.

Product titles come from arbitrary web pages. JSON is data, but a browser that sniffs
content or a page that embeds an answer must not find markup in it: `<`, `>` and `&` are
written as \\u003c, \\u003e and \\u0026 (still valid JSON that decodes to the same text).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse

_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


class SafeJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.translate(_ESCAPES).encode("utf-8")
