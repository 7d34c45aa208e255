"""Versioned router model artifacts: publish, pick up without a restart, roll back.

A directory holds `<version>.skops` artifacts with a `<version>.json` sidecar of metrics and
data counts, and a `CURRENT` file naming the version in use. The service re-reads `CURRENT`
when it changes; a broken artifact is logged and the router keeps routing by rules.
"""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from router.domain.errors import NotFound
from router.routing import textmodel

log = structlog.get_logger()


class NoModel(NotFound):
    """There is no model version to use or to roll back to."""


class ModelRegistry:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    @property
    def _pointer(self) -> Path:
        return self.directory / "CURRENT"

    def versions(self) -> list[str]:
        return sorted(p.stem for p in self.directory.glob("*.skops"))

    def current_version(self) -> str | None:
        try:
            return self._pointer.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def path(self, version: str) -> Path:
        return self.directory / f"{version}.skops"

    def metadata(self, version: str) -> dict[str, Any]:
        sidecar = self.directory / f"{version}.json"
        return json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}

    def publish(self, model: textmodel.TextModel, metadata: dict[str, Any]) -> str:
        """Write a new version and make it current."""
        self.directory.mkdir(parents=True, exist_ok=True)
        version = datetime.now(UTC).strftime("router-%Y%m%dT%H%M%S%fZ")
        model.save(self.path(version))
        (self.directory / f"{version}.json").write_text(
            json.dumps(metadata, indent=2, default=str), encoding="utf-8"
        )
        self._point_to(version)
        return version

    def rollback(self) -> str:
        """Make the version before the current one current again."""
        versions, current = self.versions(), self.current_version()
        if current not in versions or versions.index(current) == 0:
            raise NoModel("there is no earlier model version to roll back to")
        previous = versions[versions.index(current) - 1]
        self._point_to(previous)
        return previous

    def activate(self, version: str) -> None:
        """Make a published version current again (a rollback to a chosen version)."""
        if version not in self.versions():
            raise NoModel(f"there is no model version '{version}'")
        self._point_to(version)

    def _point_to(self, version: str) -> None:
        tmp = self._pointer.with_suffix(".tmp")
        tmp.write_text(version, encoding="utf-8")
        os.replace(tmp, self._pointer)  # atomic: a reader never sees half a name

    def load_current(self) -> textmodel.TextModel | None:
        version = self.current_version()
        return None if version is None else textmodel.load(self.path(version))


class LiveModel:
    """The model the service routes with; follows `CURRENT` without a restart."""

    def __init__(self, registry: ModelRegistry, check_every: float | None = 2.0) -> None:
        """`check_every=None`: never look on the routing path; the owner calls `refresh`."""
        self.registry = registry
        self.check_every = check_every
        self._lock = threading.Lock()
        self._model: textmodel.TextModel | None = None
        self._version: str | None = None
        self._checked = 0.0
        self.refresh()

    @property
    def version(self) -> str | None:
        return self._version

    def refresh(self) -> None:
        with self._lock:
            self._checked = time.monotonic()
            version = self.registry.current_version()
            if version == self._version:
                return
            try:
                model = None if version is None else textmodel.load(self.registry.path(version))
            except textmodel.ModelArtifactError as exc:
                log.error("router.model.load_failed", version=version, error=str(exc))
                self._version = version  # versions never change: do not retry this one
                return  # keep what we had; with nothing, the router routes by rules
            self._model, self._version = model, version
            log.info("router.model.loaded", version=version)

    def current(self) -> textmodel.TextModel | None:
        if self.check_every is not None and time.monotonic() - self._checked >= self.check_every:
            self.refresh()
        return self._model
