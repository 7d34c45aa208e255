# The router service and `loket worker` (Python 3.12), installed from uv.lock as `make` does.
FROM python:3.12-slim
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY packages packages
COPY router router
COPY org org
COPY data/nlu data/nlu
COPY data/tickets data/tickets
RUN uv sync --locked --no-dev && useradd --system loket && mkdir -p var && chown loket var
ENV PATH=/app/.venv/bin:$PATH LOKET_ORG_FILE=org/de-delta.yaml
USER loket
EXPOSE 8080
