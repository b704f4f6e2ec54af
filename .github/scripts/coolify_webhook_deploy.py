"""Redeploy production through Coolify's deploy webhooks and wait for the outcome.

Used by .github/workflows/build-and-push.yml when the COOLIFY_PROD_* API secrets are not set.
A Coolify "deploy webhook" is `{coolify}/api/v1/deploy?uuid=<uuid>`, authenticated by a Bearer
token; since Coolify 4.2 it must be a POST (GET answers 405). The answer names the deployment,
which this script then follows through `GET /api/v1/deployments/{uuid}` until it is final:
`finished` passes; `failed` or `cancelled-by-user` fails the job. A token without the `read`
ability cannot follow (401/403 on the status call): the trigger still counts, with a warning.

Environment: COOLIFY_WEBHOOK_WEB_PROD, COOLIFY_WEBHOOK_WORKER_PROD (either may be empty),
COOLIFY_WEBHOOK_TOKEN_PROD, optional COOLIFY_DEPLOY_TIMEOUT_S (default 900) and
COOLIFY_POLL_INTERVAL_S (default 5). Standard library only: it runs before pricemon is installed.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

FINAL_OK = {"finished"}
FINAL_BAD = {"failed", "cancelled-by-user", "cancelled"}
HOOKS = (("web", "COOLIFY_WEBHOOK_WEB_PROD"), ("worker", "COOLIFY_WEBHOOK_WORKER_PROD"))


class DeployFailed(Exception):
    """A deployment could not be triggered or ended in a failed state."""


def _request(method: str, url: str, token: str) -> tuple[int, Any]:
    """One HTTP call; returns (status, parsed JSON or text). Raises DeployFailed if unreachable."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise DeployFailed(f"not an http(s) URL: {url!r}")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            status, body = response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, TimeoutError) as exc:
        raise DeployFailed(f"{method} {_safe(url)}: {exc}") from None
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


def _safe(url: str) -> str:
    """The URL without its query string (the uuid is not secret, but keep logs short)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _message(body: Any) -> str:
    return str(body.get("message")) if isinstance(body, dict) else str(body)[:200]


def trigger(name: str, hook: str, token: str) -> list[str]:
    """POST the webhook; return the deployment uuids that Coolify queued."""
    status, body = _request("POST", hook, token)
    if status != 200:
        hints = {
            401: "the token is wrong or revoked: create a new one in Coolify (Keys & Tokens)",
            403: "the token lacks the `deploy` ability, or the API is disabled in Settings",
            404: "the uuid in the webhook URL names no resource: copy the webhook again",
            405: "this Coolify wants POST (it does); check the URL ends in /api/v1/deploy?uuid=",
        }
        raise DeployFailed(f"{name}: HTTP {status}: {_message(body)} ({hints.get(status, '')})")
    deployments = body.get("deployments", []) if isinstance(body, dict) else []
    uuids = [d["deployment_uuid"] for d in deployments if d.get("deployment_uuid")]
    if not uuids:
        raise DeployFailed(f"{name}: Coolify queued no deployment: {_message(body)}")
    print(f"{name}: deployment {', '.join(uuids)} queued")
    return uuids


def follow(name: str, base: str, uuid: str, token: str, *, deadline: float, every_s: float) -> bool:
    """Poll one deployment until it is final.

    Returns True when it finished, False when the token may not read it; raises DeployFailed.
    """
    url = f"{base}/api/v1/deployments/{urllib.parse.quote(uuid)}"
    last = None
    while time.monotonic() < deadline:
        status, body = _request("GET", url, token)
        if status in (401, 403):
            print(
                f"::warning::{name}: cannot follow deployment {uuid} (HTTP {status}): "
                "give the token the `read` ability to see the outcome here"
            )
            return False
        state = body.get("status") if isinstance(body, dict) and status == 200 else None
        if state != last:
            print(f"{name}: deployment {uuid}: {state or f'HTTP {status}'}")
            last = state
        if state in FINAL_OK:
            return True
        if state in FINAL_BAD:
            raise DeployFailed(f"{name}: deployment {uuid} ended {state}: see its logs in Coolify")
        time.sleep(every_s)
    raise DeployFailed(f"{name}: deployment {uuid} still {last} at the deadline")


def main() -> int:
    token = os.environ.get("COOLIFY_WEBHOOK_TOKEN_PROD", "").strip()
    hooks = [(name, os.environ.get(var, "").strip()) for name, var in HOOKS]
    hooks = [(name, hook) for name, hook in hooks if hook]
    if not token or not hooks:
        print("::notice::no Coolify webhook secrets set: production not redeployed")
        return 0
    deadline = time.monotonic() + float(os.environ.get("COOLIFY_DEPLOY_TIMEOUT_S", "900"))
    every_s = float(os.environ.get("COOLIFY_POLL_INTERVAL_S", "5"))
    try:
        queued = [(name, hook, uuid) for name, hook in hooks for uuid in trigger(name, hook, token)]
        for name, hook, uuid in queued:
            base = _safe(hook).split("/api/v1/", 1)[0]
            follow(name, base, uuid, token, deadline=deadline, every_s=every_s)
    except DeployFailed as exc:
        print(f"::error::{exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
