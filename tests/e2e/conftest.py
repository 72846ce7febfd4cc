"""Browser tests: Debian's chromium driven by Playwright against a live server.

The server runs in a thread of this process on a free port and serves every host:
``http://localhost:<port>/`` is the platform, ``http://<slug>.localhost:<port>/`` a tenant
(Chromium maps ``*.localhost`` to loopback). The server sees only committed data, so
these tests do not use the ``db`` fixture: they set up what they need with committed
writes (``committed``), and the database stays unblocked while they run.

No browser → the tests are skipped with a loud notice at the end of the run; with
``CASEWAY_REQUIRE_BROWSER=1`` (set by ``.ci/run``) a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connections
from django.test.testcases import LiveServerThread

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_CANDIDATES = [os.environ.get("CASEWAY_CHROMIUM", ""), "chromium", "chromium-browser"]
NO_BROWSER: list[str] = []


def chromium_executable() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if NO_BROWSER:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(NO_BROWSER[0], red=True, bold=True)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = chromium_executable()
    if path is None:
        message = (
            "No Chromium found (looked for $CASEWAY_CHROMIUM, chromium, chromium-browser): "
            f"{len(NO_BROWSER) or 'the'} browser tests did not run. Install Debian's "
            "package: apt-get install chromium."
        )
        if os.environ.get("CASEWAY_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " CASEWAY_REQUIRE_BROWSER=1 makes this a failure.")
        if not NO_BROWSER:
            NO_BROWSER.append(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(chromium_path: str, live_port: int) -> dict[str, Any]:
    """pytest-playwright launches Debian's chromium, not a downloaded browser. (Asking
    for ``live_port`` here makes the browser close before the server stops, so no
    keep-alive request thread holds a database connection at teardown.)"""
    return {
        "executable_path": chromium_path,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--host-resolver-rules=MAP *.localhost 127.0.0.1, MAP localhost 127.0.0.1",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args() -> dict[str, Any]:
    return {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


@pytest.fixture(scope="session")
def live_port(django_db_setup: None, django_db_blocker: Any) -> Iterator[int]:
    with django_db_blocker.unblock():
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
    yield server.port
    server.terminate()
    with django_db_blocker.unblock():
        _wait_for_request_threads_to_disconnect()
    connections.close_all()


def _wait_for_request_threads_to_disconnect(timeout: float = 5.0) -> None:
    """The server's request threads are daemons that ``terminate()`` does not join: one
    that served a keep-alive connection may still hold its database session when the
    test database is dropped ("being accessed by other users"). Wait for them to close
    it, then end what is left."""
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(f"SELECT count(*) {others}")
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
        cursor.execute(f"SELECT pg_terminate_backend(pid) {others}")


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API runs an event loop in this thread; the ORM calls a test
    makes between page actions are still plain synchronous calls. (Browser tests run
    last, and the variable is removed again when they end.)"""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _database_open_for_the_server(django_db_blocker: Any) -> Iterator[None]:
    """The server's threads query the database while the test drives the browser."""
    with django_db_blocker.unblock():
        yield


class Site:
    """URLs of the live server for the platform and for each tenant."""

    def __init__(self, port: int) -> None:
        self.port = port

    def platform(self, path: str = "/") -> str:
        return f"http://localhost:{self.port}{path}"

    def tenant(self, slug: str, path: str = "/") -> str:
        return f"http://{slug}.localhost:{self.port}{path}"


@pytest.fixture(scope="session")
def site(live_port: int) -> Site:
    return Site(live_port)


def screenshot(page: Any, name: str) -> Path:
    """Keep a picture of a page under test-artifacts/ (ignored by git) for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    direction = page.evaluate("document.documentElement.dir") or "ltr"
    path = ARTIFACTS / f"{name}-{direction}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
