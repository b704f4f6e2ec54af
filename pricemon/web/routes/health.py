"""`/healthz` (the process answers) and `/readyz` (the database and Redis answer)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from pricemon.db import ping
from pricemon.errors import PricemonError
from pricemon.web.actions import ping_queue
from pricemon.web.responses import SafeJSONResponse as JSONResponse

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """200 when both the database and Redis answer; 503 naming the ones that do not."""
    checks: dict[str, str] = {}
    for name, probe, target in (
        ("database", ping, request.app.state.engine),
        ("redis", ping_queue, request.app.state.settings),
    ):
        try:
            await run_in_threadpool(probe, target)
            checks[name] = "ok"
        except PricemonError as error:
            # The details (host names) go to the log, not to this unauthenticated answer.
            log.warning("readiness: %s not reachable: %s", name, error.message)
            checks[name] = "unreachable"
    failing = [name for name, result in checks.items() if result != "ok"]
    body = {"status": "ok" if not failing else "unavailable", "failing": failing, "checks": checks}
    return JSONResponse(body, status_code=503 if failing else 200)
