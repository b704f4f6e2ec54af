"""Running the web app under uvicorn (used by `pricemon serve` and `pricemon dev`)."""

from __future__ import annotations

import logging

from pricemon.config import Settings

log = logging.getLogger(__name__)

ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - production containers must accept outside traffic


def default_host(settings: Settings) -> str:
    """PRICEMON_HOST when set; else all interfaces in production (a container behind a
    proxy), and only this machine in development."""
    if "host" in settings.model_fields_set:
        return settings.host
    return ALL_INTERFACES if settings.is_production else "127.0.0.1"


def run_server(settings: Settings, *, host: str | None = None, port: int | None = None) -> None:
    """Build the app (ConfigError when unsafe) and serve it until interrupted."""
    import uvicorn

    from pricemon.web import create_app

    app = create_app(settings)
    bind_host = host or default_host(settings)
    bind_port = port if port is not None else settings.port
    log.info("serving the dashboard on http://%s:%s", bind_host, bind_port)
    uvicorn.run(
        app,
        host=bind_host,
        port=bind_port,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        access_log=True,
        log_config=None,  # keep the logging configured by the entrypoint
        server_header=False,
    )
