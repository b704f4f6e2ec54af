"""pricemon: a self-hosted price monitor."""

from typing import Any


def __getattr__(name: str) -> Any:
    # Read lazily: importlib.metadata costs tens of milliseconds at every CLI start-up.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("pricemon")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0.0.0"
    raise AttributeError(f"module 'pricemon' has no attribute {name!r}")
