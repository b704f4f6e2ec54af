"""The web dashboard and JSON API (FastAPI, Jinja2, server-rendered SVG charts).

`create_app(settings)` builds the application; `pricemon serve` runs it under uvicorn.
Importing this package imports FastAPI: CLI commands import it inside their functions.
"""

from pricemon.web.app import create_app

__all__ = ["create_app"]
