"""Cost of the API layer: the REST API under gunicorn against a bare Django view.

Builds one tenant with N tickets (default 100,000, bulk-inserted: creating them through
the services is what bench/ticketing.py measures), then serves the project with gunicorn
(``infra/gunicorn.conf.py``, 2 sync workers, bound to 127.0.0.1) and, on a second port,
a bare WSGI app: the same settings with only ``CommonMiddleware`` and a URL conf of two
plain views — no DRF, no tenant routing (the view points the connection at the tenant's
schema itself, once per connection). The bare views do the same ORM work by hand:

* list: the SQL of the API's first page (unmerged tickets, newest first, 51 rows for
  50 and a "next" link, ``select_related`` of what the rows show), serialised to the
  API's fields with ``json.dumps``;
* create: the same ``ticket_create`` service the API calls, then the same reads (the
  ticket with its look-ups, and its SLA clocks, which a created ticket comes back with).

Both read inside ``ticketing.selectors.joins_in_written_order()`` as the API does, so the
ratio is the API layer's cost, not a planning gain only one side has.

Each scenario runs under a real HTTP load tool — ``wrk`` (installed with apt-get when
missing and running as root), else a small threaded ``http.client`` generator — for a
fixed time after a warm-up, always against 127.0.0.1, API and bare view alternating in
rounds (``--rounds``) so that a busy shared machine slows both sides alike. Reports
requests/s, p50/p95/p99 latency, the throughput ratio (target: the API within 1.5x of
the bare view; judged by the median over rounds of each round's ratio, which a burst of
outside load during one round does not move), the p95 of the 50-row list at N tickets
(target under 50 ms), and the SQL of one request.

Both servers queue Celery tasks (notifications) to an in-memory broker that nothing
consumes, as a production web process queues them for a worker: the request pays for
enqueueing, not for delivery. Throttle rates are raised for the servers
(``API_RATE_PER_KEY``/``_PER_IP`` = 1000000/s): the throttle still runs (both counters in one
pipelined Redis round trip) but never refuses. Worker recycling (``max_requests``) is turned off, so
that a worker restart does not land in one scenario and not another.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    ROOT,
    base_parser,
    bench_database,
    migrate,
    percentile,
    print_header,
    print_table,
    ratio,
    setup_django,
    verdict,
)

SLUG = "benchapi"
ADMIN_EMAIL = "admin@benchapi.example"
WORKERS = 2
CONTACTS = 500
#: High enough never to refuse; per second, so the throttle history stays short.
THROTTLE_RATE = "1000000/s"
API_LIST = "/api/v1/tickets/?page_size=50"
API_CREATE = "/api/v1/tickets/"
BARE_LIST = "/tickets/?page_size=50"
BARE_CREATE = "/tickets/"
#: Kombu's in-process transport: a task is serialised and queued, never delivered.
TASK_BROKER = "memory://localhost/"
RATIO_TARGET = 1.5
P95_TARGET_MS = 50.0

# --- The bare app, written to a temporary directory -----------------------------------

BARE_SETTINGS = '''\
"""The project's settings with no tenant routing, no DRF in the path, one middleware."""

from controlplane.settings import *  # noqa: F403

MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "bench_bare_urls"
PUBLIC_SCHEMA_URLCONF = ROOT_URLCONF  # no tenant routing: one URL conf for every host
# allauth refuses to start without its middleware; nothing here uses it.
INSTALLED_APPS = [app for app in INSTALLED_APPS if not app.startswith("allauth")]  # noqa: F405
'''

BARE_URLS = """\
from django.urls import path

import bench_bare_views

urlpatterns = [path("tickets/", bench_bare_views.tickets)]
"""

BARE_VIEWS = '''\
"""The API's ticket list and create as plain Django views: the same ORM work, no DRF."""

import json
import os

from django.db import connection
from django.http import HttpResponse
from django.utils import timezone

from sla.selectors import ticket_clocks
from ticketing.models import Agent, Contact, Department, Ticket
from ticketing.selectors import joins_in_written_order
from ticketing.services.tickets import ticket_create

SCHEMA = os.environ["BENCH_SCHEMA"]
PRIORITY_ID = int(os.environ["BENCH_PRIORITY_ID"])
PRIORITY_LEVEL = int(os.environ["BENCH_PRIORITY_LEVEL"])
CREATED_BY_ID = int(os.environ["BENCH_CREATED_BY_ID"])
RELATED = ("department", "priority", "assignee__user", "requester", "category", "product")


def _use_tenant_schema():
    if connection.schema_name != SCHEMA:
        connection.set_schema(SCHEMA)


def _when(value):
    return value.isoformat() if value is not None else None


def _ref(obj):
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _row(ticket):
    priority, requester, assignee = ticket.priority, ticket.requester, ticket.assignee
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "description": ticket.description,
        "status": ticket.status,
        "type": ticket.ticket_type,
        "priority": {"id": priority.pk, "level": priority.level, "name": priority.label},
        "department": _ref(ticket.department),
        "category": _ref(ticket.category),
        "product": _ref(ticket.product),
        "channel": ticket.channel,
        "requester": (
            {"id": requester.pk, "full_name": requester.full_name, "email": requester.email}
            if requester is not None
            else None
        ),
        "assignee": (
            {"id": assignee.pk, "name": assignee.display_name} if assignee is not None else None
        ),
        "tags": ticket.tags,
        "custom_fields": ticket.custom_fields,
        "is_internal": ticket.is_internal,
        "merged_into": ticket.merged_into_id,
        "problem": ticket.problem_id,
        "created_at": _when(ticket.created_at),
        "updated_at": _when(ticket.updated_at),
        "first_responded_at": _when(ticket.first_responded_at),
        "resolved_at": _when(ticket.resolved_at),
        "closed_at": _when(ticket.closed_at),
        "sla": [],
    }


def _json(body, status=200):
    payload = json.dumps(body, separators=(",", ":"))  # compact, as DRF renders
    return HttpResponse(payload, status=status, content_type="application/json")


def tickets(request):
    _use_tenant_schema()
    if request.method == "GET":
        size = min(int(request.GET.get("page_size", 50)), 200)
        # Planned as the API plans it (joins in written order): the comparison isolates
        # the API layer, not the query planning both can use.
        # The SQL the API sends: unmerged tickets, newest first, one row more than the
        # page to know whether another page follows.
        with joins_in_written_order():
            rows = list(
                Ticket.objects.filter(merged_into__isnull=True)
                .select_related(*RELATED)
                .order_by("-id")[: size + 1]
            )
        more = f"?before={rows[size - 1].pk}" if len(rows) > size else None
        return _json({"next": more, "previous": None, "results": [_row(t) for t in rows[:size]]})
    if request.method == "POST":
        data = json.loads(request.body)
        # The same service the API calls: the comparison isolates the API layer.
        ticket = ticket_create(
            subject=data["subject"],
            description=data.get("description", ""),
            channel="api",
            requester=Contact.objects.get(pk=data["requester"]),
            department=Department.objects.get(pk=data["department"]),
            created_by=Agent.objects.select_related("user").get(user_id=CREATED_BY_ID),
        )
        with joins_in_written_order():
            ticket = Ticket.objects.select_related(*RELATED).get(pk=ticket.pk)
        row = _row(ticket)
        # A new ticket comes back with its SLA clocks, as from the API.
        row["sla"] = [
            {"kind": c.kind, "state": c.state, "due_at": _when(c.due_at), "breached": c.breached}
            for c in ticket_clocks(ticket=ticket, at=timezone.now(), viewer_timezone="UTC")
        ]
        return _json(row, status=201)
    return HttpResponse(status=405)
'''


def write_bare_app(directory: Path) -> None:
    (directory / "bench_bare_settings.py").write_text(BARE_SETTINGS)
    (directory / "bench_bare_urls.py").write_text(BARE_URLS)
    (directory / "bench_bare_views.py").write_text(BARE_VIEWS)


# --- Data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixture:
    schema: str
    host: str
    secret: str
    department_id: int
    contact_ids: list[int]
    priority_id: int
    priority_level: int
    admin_user_id: int
    #: A key of an agent (not an admin) who works ``department_id`` only.
    agent_secret: str
    department_ids: list[int]
    tickets: int
    seconds: float


def build_data(total: int) -> Fixture:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from api.services import api_key_create
    from tenants.services import tenant_create
    from ticketing.models import Agent, Priority, Ticket
    from ticketing.models.tickets import FIRST_TICKET_NUMBER, TICKET_NUMBER_SEQUENCE
    from ticketing.services.people import agent_create, contact_create, department_create

    started = time.perf_counter()
    tenant = tenant_create(slug=SLUG, name="Bench API", admin_email=ADMIN_EMAIL).tenant
    with schema_context(tenant.schema_name):
        # Four departments share the tickets; the agent's lists see a quarter of them.
        departments = [
            department_create(name=name) for name in ("Support", "Sales", "Billing", "Field")
        ]
        department = departments[0]
        admin = Agent.objects.get(user__email=ADMIN_EMAIL)
        key = api_key_create(actor=admin, name="bench", scopes=["read", "write"])
        worker = agent_create(
            email="agent@benchapi.example", full_name="Bench Agent", departments=[department]
        )
        agent_key = api_key_create(actor=admin, agent=worker, name="agent", scopes=["read"])
        contacts = [
            contact_create(full_name=f"Customer {i}", email=f"c{i}@benchapi.example")
            for i in range(CONTACTS)
        ]
        priorities = list(Priority.objects.order_by("level"))
        default_priority = next(p for p in priorities if p.level == 3)
        rng = random.Random(11)
        now = timezone.now()
        year = 365 * 86400
        channels = ("portal", "email", "phone", "api")
        number = FIRST_TICKET_NUMBER
        batch_size = 5000
        for start in range(0, total, batch_size):
            batch = []
            for i in range(start, min(start + batch_size, total)):
                priority = priorities[rng.randrange(len(priorities))]
                at = now - timedelta(seconds=rng.randrange(year))
                batch.append(
                    Ticket(
                        number=number,
                        subject=f"Ticket {i}: printer on floor {i % 9}",
                        description="The printer shows error 0x42 and stops.",
                        department=departments[i % len(departments)],
                        priority=priority,
                        priority_level=priority.level,
                        status="open",
                        channel=channels[i % len(channels)],
                        requester=contacts[i % CONTACTS],
                        guest_access_key=f"{rng.getrandbits(128):032x}",
                        created_at=at,
                        updated_at=at,
                        dispatched_at=at,
                        status_changed_at=at,
                    )
                )
                number += 1
            Ticket.objects.bulk_create(batch)
        with connection.cursor() as cursor:
            # The services draw numbers from this sequence: start after the bulk rows.
            cursor.execute("SELECT setval(%s, %s)", [TICKET_NUMBER_SEQUENCE, number])
            cursor.execute("ANALYZE")
        count = Ticket.objects.count()
    return Fixture(
        schema=tenant.schema_name,
        host=f"{SLUG}.{settings.PLATFORM_DOMAIN}",
        secret=key.secret,
        department_id=department.pk,
        contact_ids=[c.pk for c in contacts],
        priority_id=default_priority.pk,
        priority_level=default_priority.level,
        admin_user_id=admin.user_id,
        agent_secret=agent_key.secret,
        department_ids=[d.pk for d in departments],
        tickets=count,
        seconds=time.perf_counter() - started,
    )


# --- Servers ---------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(fixture: Fixture, settings_module: str, port: int) -> dict[str, str]:
    env = dict(os.environ)  # DATABASE_URL already names the benchmark database
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DJANGO_DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "*",
            "PORT": str(port),
            "WEB_CONCURRENCY": str(WORKERS),
            "GUNICORN_THREADS": "1",
            "LOG_LEVEL": "WARNING",
            "API_RATE_PER_KEY": THROTTLE_RATE,
            "API_RATE_PER_IP": THROTTLE_RATE,
            # Tasks are queued as in production (to a broker nothing consumes), not run
            # inside the request as the benchmark process's eager mode would.
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_BROKER_URL": TASK_BROKER,
            "BENCH_SCHEMA": fixture.schema,
            "BENCH_PRIORITY_ID": str(fixture.priority_id),
            "BENCH_PRIORITY_LEVEL": str(fixture.priority_level),
            "BENCH_CREATED_BY_ID": str(fixture.admin_user_id),
        }
    )
    return env


def start_server(
    name: str, fixture: Fixture, settings_module: str, workdir: Path, pythonpath: Path | None
) -> Server:
    port = free_port()
    log = workdir / f"{name}.log"
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--config",
        str(ROOT / "infra" / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--max-requests",
        "0",
        # Sync workers take each request from the shared socket when free. The deployed
        # gthread class keeps a connection on the worker that accepted it: with wrk's
        # few keep-alive connections, one worker could hold three or all four of them
        # while the other idled, and a round's throughput swung by 2x either way.
        "--worker-class",
        "sync",
        "--chdir",
        str(ROOT),
    ]
    if pythonpath is not None:
        command += ["--pythonpath", str(pythonpath)]
    command.append("controlplane.wsgi:application")
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=server_environment(fixture, settings_module, port),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return Server(name=name, port=port, process=process, log=log)


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()  # gunicorn's master stops its workers on SIGTERM
        try:
            server.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


def log_tail(server: Server, lines: int = 80) -> str:
    try:
        text = server.log.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def http_once(
    port: int, method: str, path: str, headers: dict[str, str], body: str | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body.encode() if body else None, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_ready(server: Server, path: str, headers: dict[str, str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            raise SystemExit(f"gunicorn ({server.name}) exited:\n{log_tail(server)}")
        try:
            status, _body = http_once(server.port, "GET", path, headers)
        except (OSError, http.client.HTTPException):
            status = 0
        if status == 200:
            return
        if time.monotonic() > deadline:
            raise SystemExit(
                f"gunicorn ({server.name}) not ready (last status {status}):\n{log_tail(server)}"
            )
        time.sleep(0.3)


# --- Load generation -------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    port: int
    method: str
    path: str
    headers: dict[str, str]
    #: Request bodies, used in turn (POST); empty for GET.
    bodies: Sequence[str] = ()


@dataclass
class LoadResult:
    requests: int
    seconds: float
    errors: int  # connection errors and timeouts
    bad_status: int  # HTTP status >= 400
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class LoadTool:
    name: str
    path: str | None = None
    note: str = ""
    workdir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()))

    def run(self, scenario: Scenario, connections: int, seconds: float) -> LoadResult:
        if self.path is not None:
            return run_wrk(self.path, self.workdir, scenario, connections, seconds)
        return run_python(scenario, connections, seconds)


def find_wrk(choice: str) -> tuple[str | None, str]:
    """(path to wrk or None, how it was found)."""
    if choice == "python":
        return None, "python fallback chosen with --tool python"
    found = shutil.which("wrk")
    if found:
        return found, "found on PATH"
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "wrk"]
        for steps in ([install], [["apt-get", "update", "-q"], install]):
            for step in steps:
                subprocess.run(step, env=env, capture_output=True, timeout=600, check=False)
            found = shutil.which("wrk")
            if found:
                return found, "installed with apt-get"
    if choice == "wrk":
        raise SystemExit("wrk is not installed and could not be installed with apt-get")
    return None, "wrk unavailable (not on PATH, apt-get install failed or not root)"


def wrk_version(path: str) -> str:
    done = subprocess.run([path, "-v"], capture_output=True, text=True, check=False, timeout=10)
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0] if first else "wrk"


def lua_string(value: str) -> str:
    if "]==]" in value or "\n" in value:
        raise ValueError(f"cannot quote for Lua: {value!r}")
    return f"[==[{value}]==]"


WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d %.0f %.0f %.0f\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def wrk_script(scenario: Scenario) -> str:
    lines = [f"wrk.method = {lua_string(scenario.method)}"]
    for name, value in scenario.headers.items():
        lines.append(f"wrk.headers[ {lua_string(name)} ] = {lua_string(value)}")
    if scenario.bodies:
        lines.append("local bodies = {" + ", ".join(lua_string(b) for b in scenario.bodies) + "}")
        lines.append("local counter = 0")
        lines.append(
            "request = function()\n"
            "  counter = counter + 1\n"
            "  return wrk.format(nil, nil, nil, bodies[counter % #bodies + 1])\n"
            "end"
        )
    return "\n".join(lines) + "\n" + WRK_DONE


def run_wrk(
    path: str, workdir: Path, scenario: Scenario, connections: int, seconds: float
) -> LoadResult:
    script = workdir / f"scenario-{scenario.port}-{scenario.method.lower()}.lua"
    script.write_text(wrk_script(scenario))
    url = f"http://127.0.0.1:{scenario.port}{scenario.path}"
    command = [
        path,
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    values = [float(v) for v in line.split()[1:]]
    requests, duration_us, connect, read, write, status, timeout, p50, p95, p99 = values
    return LoadResult(
        requests=int(requests),
        seconds=duration_us / 1e6,
        errors=int(connect + read + write + timeout),
        bad_status=int(status),
        p50_ms=p50 / 1e3,
        p95_ms=p95 / 1e3,
        p99_ms=p99 / 1e3,
    )


def run_python(scenario: Scenario, connections: int, seconds: float) -> LoadResult:
    """Threads with one keep-alive ``http.client`` connection each, for ``seconds``."""
    latencies: list[float] = []
    counts = {"errors": 0, "bad": 0}
    lock = threading.Lock()
    bodies = [b.encode() for b in scenario.bodies]
    deadline = time.perf_counter() + seconds

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", scenario.port, timeout=10)
        mine: list[float] = []
        errors = bad = 0
        turn = index
        while True:
            started = time.perf_counter()
            if started >= deadline:
                break
            body = bodies[turn % len(bodies)] if bodies else None
            turn += connections
            try:
                conn.request(scenario.method, scenario.path, body=body, headers=scenario.headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                continue
            mine.append(time.perf_counter() - started)
            if response.status >= 400:
                bad += 1
            if response.will_close:
                conn.close()  # reopened by the next request
        conn.close()
        with lock:
            latencies.extend(mine)
            counts["errors"] += errors
            counts["bad"] += bad

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ms = [value * 1e3 for value in latencies] or [0.0]
    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        errors=counts["errors"],
        bad_status=counts["bad"],
        p50_ms=percentile(ms, 50),
        p95_ms=percentile(ms, 95),
        p99_ms=percentile(ms, 99),
    )


# --- SQL of one request (in process) ---------------------------------------------------


def sql_of_requests(fixture: Fixture, workdir: Path, create_body: str) -> None:
    from django.db import connection
    from django.test import Client, RequestFactory

    from controlplane.celery import app as celery_app

    # Queue tasks as the servers do (no eager delivery inside the measured request).
    celery_app.conf.task_always_eager = False

    # The bare views read these when imported, as in their gunicorn.
    os.environ["BENCH_SCHEMA"] = fixture.schema
    os.environ["BENCH_PRIORITY_ID"] = str(fixture.priority_id)
    os.environ["BENCH_PRIORITY_LEVEL"] = str(fixture.priority_level)
    os.environ["BENCH_CREATED_BY_ID"] = str(fixture.admin_user_id)
    sys.path.insert(0, str(workdir))
    import bench_bare_views  # type: ignore[import-not-found]  # written to workdir

    client = Client(HTTP_HOST=fixture.host, HTTP_AUTHORIZATION=f"Bearer {fixture.secret}")
    factory = RequestFactory()
    requests: dict[str, Any] = {
        "API list": lambda: client.get(API_LIST),
        "API create": lambda: client.post(
            API_CREATE, data=create_body, content_type="application/json"
        ),
        "bare list": lambda: bench_bare_views.tickets(factory.get(BARE_LIST)),
        "bare create": lambda: bench_bare_views.tickets(
            factory.post(BARE_CREATE, data=create_body, content_type="application/json")
        ),
    }
    rows = []
    shown: dict[str, list[tuple[float, str]]] = {}
    for name, send in requests.items():
        send()  # warm: routing cache, connection, search path
        timed: list[tuple[float, str]] = []

        def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timed.append(((time.perf_counter() - started) * 1e3, sql))  # noqa: B023

        with connection.execute_wrapper(timer):
            response = send()
        if response.status_code not in (200, 201):
            raise SystemExit(f"{name}: HTTP {response.status_code}")
        total = sum(ms for ms, _sql in timed)
        slowest = max((ms for ms, _sql in timed), default=0.0)
        rows.append([name, len(timed), f"{total:.2f}", f"{slowest:.2f}"])
        shown[name] = timed
    print_table(
        "SQL of one request (in process, warm)",
        ["request", "queries", "SQL ms", "slowest ms"],
        rows,
    )
    for name in ("API list", "API create"):
        print(f"\n{name}, each query (ms, start of the SQL):")
        for ms, statement in shown[name]:
            flat = " ".join(statement.split())
            print(f"  {ms:6.2f}  {textwrap.shorten(flat, width=150, placeholder=' ...')}")


# --- Main ------------------------------------------------------------------------------


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets in the tenant")
    parser.add_argument(
        "--duration", type=float, default=18.0, help="seconds per measured scenario (18)"
    )
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="seconds of warm-up before each (2)"
    )
    parser.add_argument(
        "--connections", type=int, default=4, help="concurrent connections under load (4)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=6,
        help="API and bare alternate in this many rounds per scenario (6)",
    )
    parser.add_argument(
        "--variant-runs",
        type=int,
        default=40,
        help="requests per list variant in the in-process latency table (40)",
    )
    parser.add_argument(
        "--lists-only",
        action="store_true",
        help="only the in-process table of list variants (no servers, no load)",
    )
    parser.add_argument(
        "--tool",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk if it can be had (auto), wrk only, or the Python one",
    )
    args = parser.parse_args()
    # The in-process requests at the end read the same settings as the servers.
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["API_RATE_PER_KEY"] = THROTTLE_RATE
    os.environ["API_RATE_PER_IP"] = THROTTLE_RATE
    os.environ["CELERY_BROKER_URL"] = TASK_BROKER
    with bench_database("api", keep=args.keep) as database:
        setup_django()
        migrate_seconds = migrate()
        print_header(
            "api",
            database,
            tickets=args.tickets,
            connections=args.connections,
            duration=f"{args.duration:g}s in {args.rounds} alternating rounds",
            warmup=f"{args.warmup:g}s",
        )
        print(f"migrate {migrate_seconds:.1f} s")
        run(args)


def run(args: Any) -> None:
    wrk_path, how = find_wrk(args.tool)
    fixture = build_data(args.tickets)
    print(
        f"tenant {SLUG} with {fixture.tickets:,} tickets, {CONTACTS} contacts "
        f"(bulk_create), set up in {fixture.seconds:.1f} s"
    )
    if args.lists_only:
        list_variants(fixture, args.variant_runs)
        return
    with tempfile.TemporaryDirectory(prefix="caseway-bench-api-") as tmp:
        workdir = Path(tmp)
        write_bare_app(workdir)
        if wrk_path is not None:
            tool = LoadTool(name=wrk_version(wrk_path), path=wrk_path, note=how, workdir=workdir)
        else:
            tool = LoadTool(
                name="python http.client threads (keep-alive)", note=how, workdir=workdir
            )
        print(f"load tool: {tool.name} ({tool.note})")
        print(
            f"servers: gunicorn, {WORKERS} sync workers each (no keep-alive: every request "
            "goes to a free worker), infra/gunicorn.conf.py otherwise, bind 127.0.0.1, "
            "max_requests off; all traffic to 127.0.0.1"
        )
        servers: list[Server] = []
        try:
            api = start_server("api", fixture, "controlplane.settings", workdir, None)
            servers.append(api)
            bare = start_server("bare", fixture, "bench_bare_settings", workdir, workdir)
            servers.append(bare)
            measure(args, tool, fixture, api, bare)
        finally:
            for server in servers:
                stop_server(server)
        sql_of_requests(fixture, workdir, create_body(fixture, fixture.contact_ids[0], 0))
    list_variants(fixture, args.variant_runs)
    load = os.getloadavg()
    print(f"\nload average at end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


def combine(results: Sequence[LoadResult]) -> LoadResult:
    """Rounds of one scenario: requests and time add up; latency percentiles are the
    median of the rounds' (the tools report percentiles, not every latency)."""
    return LoadResult(
        requests=sum(r.requests for r in results),
        seconds=sum(r.seconds for r in results),
        errors=sum(r.errors for r in results),
        bad_status=sum(r.bad_status for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p95_ms=statistics.median(r.p95_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
    )


def create_body(fixture: Fixture, requester: int, index: int) -> str:
    return json.dumps(
        {
            "subject": f"Printer on floor {index % 9} is jammed",
            "description": "It shows error 0x42.",
            "department": fixture.department_id,
            "requester": requester,
        }
    )


def measure(args: Any, tool: LoadTool, fixture: Fixture, api: Server, bare: Server) -> None:
    api_headers = {
        "Host": fixture.host,
        "Authorization": f"Bearer {fixture.secret}",
        "Accept": "application/json",
    }
    bare_headers = {"Accept": "application/json"}
    wait_ready(api, API_LIST, api_headers)
    wait_ready(bare, BARE_LIST, bare_headers)

    bodies = [create_body(fixture, requester, i) for i, requester in enumerate(fixture.contact_ids)]
    post = {"Content-Type": "application/json"}
    scenarios = {
        ("list", "API"): Scenario(api.port, "GET", API_LIST, api_headers),
        ("list", "bare"): Scenario(bare.port, "GET", BARE_LIST, bare_headers),
        ("create", "API"): Scenario(api.port, "POST", API_CREATE, {**api_headers, **post}, bodies),
        ("create", "bare"): Scenario(
            bare.port, "POST", BARE_CREATE, {**bare_headers, **post}, bodies
        ),
    }

    # One request each, checked, before any timing.
    sizes = {}
    for (kind, side), scenario in scenarios.items():
        status, payload = http_once(
            scenario.port,
            scenario.method,
            scenario.path,
            scenario.headers,
            scenario.bodies[0] if scenario.bodies else None,
        )
        expected = 201 if scenario.method == "POST" else 200
        if status != expected:
            server = api if side == "API" else bare
            raise SystemExit(
                f"{kind} {side}: HTTP {status}: {payload[:500]!r}\n"
                f"gunicorn ({server.name}) log:\n{log_tail(server)}"
            )
        if kind == "list":
            rows = len(json.loads(payload)["results"])
            if rows != 50:
                raise SystemExit(f"{kind} {side}: {rows} rows instead of 50")
        sizes[(kind, side)] = len(payload)
    print(
        f"list response: API {sizes[('list', 'API')] / 1024:.1f} KiB, "
        f"bare {sizes[('list', 'bare')] / 1024:.1f} KiB (50 rows each)"
    )

    #: bare req/s over API req/s of each round, by scenario kind (rounds under load).
    round_ratios: dict[str, list[float]] = {}

    def timed_pair(kind: str, connections: int) -> dict[tuple[str, str], LoadResult]:
        """API and bare in alternating rounds, so that load from other processes on a
        shared machine falls on both sides alike rather than on whichever ran second."""
        keys = ((kind, "API"), (kind, "bare"))
        if args.warmup > 0:
            for key in keys:
                tool.run(scenarios[key], connections, args.warmup)
        rounds: dict[tuple[str, str], list[LoadResult]] = {key: [] for key in keys}
        for _ in range(args.rounds):
            for key in keys:
                rounds[key].append(
                    tool.run(scenarios[key], connections, args.duration / args.rounds)
                )
        if connections == args.connections:
            round_ratios[kind] = [
                bare.rate / api.rate if api.rate else float("inf")
                for api, bare in zip(rounds[keys[0]], rounds[keys[1]], strict=True)
            ]
        return {key: combine(results) for key, results in rounds.items()}

    loaded: dict[tuple[str, str], LoadResult] = {}
    single: dict[tuple[str, str], LoadResult] = {}
    # The lists first: the creates add rows.
    loaded.update(timed_pair("list", args.connections))
    single.update(timed_pair("list", 1))
    loaded.update(timed_pair("create", args.connections))

    def row(label: str, result: LoadResult) -> list[object]:
        return [
            label,
            f"{result.requests:,}",
            f"{result.rate:,.0f}",
            f"{result.p50_ms:.1f}",
            f"{result.p95_ms:.1f}",
            f"{result.p99_ms:.1f}",
            result.errors + result.bad_status,
        ]

    headers = ["scenario", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"]
    names = {
        ("list", "API"): f"GET {API_LIST}",
        ("list", "bare"): f"GET {BARE_LIST} (bare view)",
        ("create", "API"): f"POST {API_CREATE}",
        ("create", "bare"): f"POST {BARE_CREATE} (bare view)",
    }
    print_table(
        f"Under load: {args.connections} connections, {args.duration:g} s each, "
        f"{WORKERS} workers per server",
        headers,
        [row(names[key], result) for key, result in loaded.items()],
    )
    print_table(
        f"One connection at a time (latency without queueing), {args.duration:g} s each",
        headers,
        [row(names[key], result) for key, result in single.items()],
    )

    print("\nThroughput, API/bare (the cost of the API layer; target: API within 1.5x):")
    for kind in ("list", "create"):
        api_rate, bare_rate = loaded[(kind, "API")].rate, loaded[(kind, "bare")].rate
        per_round = sorted(round_ratios[kind])
        typical = statistics.median(per_round)
        print(
            f"  {kind:6}  the bare view is {ratio(bare_rate, api_rate)} faster over all rounds; "
            f"per round (bare/API of the same round) median {typical:.2f}x, "
            f"from {per_round[0]:.2f}x to {per_round[-1]:.2f}x "
            f"({verdict(typical <= RATIO_TARGET)})"
        )
    print("  (create: both sides run the ticket_create service; the difference is the API layer)")
    quiet = single[("list", "API")].p95_ms
    busy = loaded[("list", "API")].p95_ms
    print(
        f"\nAPI ticket list, 50 rows at {fixture.tickets:,} tickets: p95 {quiet:.1f} ms at one "
        f"connection (target under {P95_TARGET_MS:g} ms: {verdict(quiet < P95_TARGET_MS)}); "
        f"p95 {busy:.1f} ms at {args.connections} connections on {WORKERS} workers, queueing "
        f"included ({verdict(busy < P95_TARGET_MS)})"
    )
    failures = sum(r.errors + r.bad_status for r in [*loaded.values(), *single.values()])
    if failures:
        print(f"WARNING: {failures} failed requests; see the errors column")


# --- Other lists a CRM asks for (in process) -------------------------------------------


def list_variants(fixture: Fixture, runs: int) -> None:
    """p50/p95 of the ticket list with the orderings and filters a CRM uses, as the admin
    key and as an agent who sees one department of four; one request at a time, in
    process (the servers' figures above are for the default list)."""
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    week_ago = quote((timezone.now() - timedelta(days=7)).isoformat())
    variants = [
        ("newest first (default)", ""),
        ("second page (the first's next link)", "next"),
        ("ordering=-updated_at", "ordering=-updated_at"),
        ("ordering=created_at", "ordering=created_at"),
        ("CRM sync: updated_after=<7 days ago>&ordering=updated_at",
         f"updated_after={week_ago}&ordering=updated_at"),
        ("status=open", "status=open"),
        (f"department=<one of {len(fixture.department_ids)}>",
         f"department={fixture.department_ids[1]}"),
        ("priority=<one of 5>", f"priority={fixture.priority_id}"),
        ("requester=<one of the contacts>", f"requester={fixture.contact_ids[7]}"),
        ("q=xylophone (a word in no ticket)", "q=xylophone"),
        ("q=printer (a word in every ticket)", "q=printer"),
    ]  # fmt: skip
    rows = []
    worst = 0.0
    for who, secret in (("admin", fixture.secret), ("agent", fixture.agent_secret)):
        client = Client(HTTP_HOST=fixture.host, HTTP_AUTHORIZATION=f"Bearer {secret}")
        for label, query in variants:
            if query == "next":
                first = client.get(API_LIST).json()
                path = first["next"].split("://", 1)[-1].split("/", 1)[-1]
                path = "/" + path
            else:
                path = f"{API_LIST}&{query}" if query else API_LIST
            for _ in range(3):
                response = client.get(path)  # warm
            if response.status_code != 200:
                raise SystemExit(f"{who} {label}: HTTP {response.status_code}")
            found = len(response.json()["results"])
            times: list[float] = []
            sql: list[float] = []

            def timer(execute: Any, statement: str, params: Any, many: bool, ctx: Any) -> Any:
                started = time.perf_counter()
                try:
                    return execute(statement, params, many, ctx)
                finally:
                    sql.append(time.perf_counter() - started)  # noqa: B023

            with connection.execute_wrapper(timer):
                for _ in range(runs):
                    started = time.perf_counter()
                    client.get(path)
                    times.append((time.perf_counter() - started) * 1e3)
            p95 = percentile(times, 95)
            worst = max(worst, p95)
            rows.append([
                who, label, found, f"{percentile(times, 50):.1f}", f"{p95:.1f}",
                f"{sum(sql) / runs * 1e3:.1f}",
            ])  # fmt: skip
    print_table(
        f"Ticket lists at {fixture.tickets:,} tickets, 50 rows a page "
        f"(in process, {runs} requests each, one at a time)",
        ["key", "list", "rows", "p50 ms", "p95 ms", "SQL ms"],
        rows,
    )
    print(
        f"slowest p95 {worst:.1f} ms (target for a 50-row list under {P95_TARGET_MS:g} ms: "
        f"{verdict(worst < P95_TARGET_MS)})"
    )


if __name__ == "__main__":
    main()
