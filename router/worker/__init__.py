"""`loket worker`: the one process that runs the background jobs (router/worker/jobs.py)."""
