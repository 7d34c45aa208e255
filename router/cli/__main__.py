"""`python -m router.cli`: the same as the `loket` command."""

from router.cli.main import app

app()
