"""The `loket` command line."""

from router.cli.main import app

__all__ = ["app"]
