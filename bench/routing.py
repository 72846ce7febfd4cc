"""Per-request cost of tenant routing through the full Django stack.

On a fresh database with one tenant (``benchco``), two WSGI handlers are built from the
project's ``MIDDLEWARE``: one as configured, one without
``tenants.routing.TenantRoutingMiddleware``. Both serve ``/bench/ping`` (a view that
returns a fixed response without the database; ``bench/_routing_urls.py``) for the
tenant's host over HTTPS, with the route cache warm. Requests alternate between the
handlers in rounds; each request is timed from the WSGI call until the response is
consumed and closed. The uncached look-up (one database query) is measured apart.
"""

from __future__ import annotations

import gc
import io
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from _common import (
    Stopwatch,
    base_parser,
    bench_database,
    median,
    migrate,
    percentile,
    print_header,
    print_table,
    setup_django,
    verdict,
)

ROUTING_MIDDLEWARE = "tenants.routing.TenantRoutingMiddleware"
URLCONF = "_routing_urls"  # bench/ is on sys.path: it is the script's directory
SLUG = "benchco"
PATH = "/bench/ping"
TARGET_ADDED_US = 50.0
WARMUP_REQUESTS = 500
COLD_LOOKUPS = 20

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass
class Variant:
    name: str
    handler: WSGIApp
    samples_us: list[float] = field(default_factory=list)


def use_bench_urlconf(settings: Any) -> None:
    settings.ROOT_URLCONF = URLCONF
    settings.PUBLIC_SCHEMA_URLCONF = URLCONF


def build_handler(middleware: list[str]) -> WSGIApp:
    """A WSGI handler whose middleware chain is ``middleware`` (read at construction)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    with override_settings(MIDDLEWARE=middleware):
        return WSGIHandler()


def wsgi_environ(host: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": PATH,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": host,
        "HTTP_X_FORWARDED_PROTO": "https",  # SECURE_SSL_REDIRECT is on without DEBUG
        "HTTP_ACCEPT": "text/html",
        "HTTP_ACCEPT_LANGUAGE": "en",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


class Caller:
    """Calls a WSGI app like a server does and remembers the last status line."""

    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ
        self.status = ""

    def _start_response(self, status: str, headers: Any, exc_info: Any = None) -> None:
        self.status = status

    def __call__(self, app: WSGIApp) -> None:
        response = app(dict(self.environ), self._start_response)
        for _chunk in response:
            pass
        close = getattr(response, "close", None)
        if close is not None:
            close()

    def timed(self, app: WSGIApp) -> float:
        with Stopwatch() as watch:
            self(app)
        return watch.us


def check_variants(caller: Caller, with_routing: WSGIApp, without_routing: WSGIApp) -> str:
    """Both handlers answer 200; only the routed one selects the tenant's schema."""
    from tenants.db import connection

    connection.set_schema_to_public()
    caller(without_routing)
    if not caller.status.startswith("200") or connection.schema_name != "public":
        raise SystemExit(f"without routing: {caller.status}, schema {connection.schema_name}")
    caller(with_routing)
    if not caller.status.startswith("200") or connection.schema_name == "public":
        raise SystemExit(f"with routing: {caller.status}, schema {connection.schema_name}")
    return connection.schema_name


def run_rounds(caller: Caller, variants: list[Variant], rounds: int, per_round: int) -> None:
    for variant in variants:
        for _ in range(WARMUP_REQUESTS):
            caller(variant.handler)
    for round_index in range(rounds):
        order = variants if round_index % 2 == 0 else list(reversed(variants))
        for variant in order:
            gc.collect()
            variant.samples_us.extend(caller.timed(variant.handler) for _ in range(per_round))


def cold_lookups(host: str) -> list[float]:
    """``router.resolve`` right after the cache is cleared: one query each time."""
    from tenants.routing import router

    times = []
    for _ in range(COLD_LOOKUPS):
        router.clear()
        with Stopwatch() as watch:
            route = router.resolve(host)
        if route is None or route.tenant is None:
            raise SystemExit(f"{host} does not route to a tenant")
        times.append(watch.us)
    return times


def warm_lookups(host: str, count: int = 10_000) -> float:
    from tenants.routing import router

    router.resolve(host)
    with Stopwatch() as watch:
        for _ in range(count):
            router.resolve(host)
    return watch.us / count


def report(variants: list[Variant], cold_us: list[float], warm_us: float) -> None:
    with_routing, without_routing = variants
    rows = [
        [
            variant.name,
            len(variant.samples_us),
            f"{median(variant.samples_us):.1f}",
            f"{percentile(variant.samples_us, 95):.1f}",
            f"{sum(variant.samples_us) / len(variant.samples_us):.1f}",
            f"{min(variant.samples_us):.1f}",
        ]
        for variant in variants
    ]
    print_table(
        f"Requests to a tenant host, route cache warm (µs per request, GET {PATH})",
        ["middleware", "requests", "median", "p95", "mean", "min"],
        rows,
    )
    routed = median(with_routing.samples_us)
    plain = median(without_routing.samples_us)
    added = routed - plain
    print(
        f"\nadded by TenantRoutingMiddleware: {added:.1f} µs per request "
        f"(target < {TARGET_ADDED_US:.0f} µs: {verdict(added < TARGET_ADDED_US)}); "
        f"with / without: {routed / plain:.2f}x"
    )
    print_table(
        "Host look-up alone (µs)",
        ["look-up", "value"],
        [
            ["cold (cache cleared, one query): first", f"{cold_us[0]:.0f}"],
            [f"cold: median of {len(cold_us)}", f"{median(cold_us):.0f}"],
            ["warm (cached): router.resolve", f"{warm_us:.2f}"],
        ],
    )


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument(
        "--requests",
        type=int,
        default=20_000,
        help="timed requests per variant (default 20000)",
    )
    parser.add_argument(
        "--rounds", type=int, default=10, help="alternating rounds they are split into (default 10)"
    )
    args = parser.parse_args()
    if args.rounds < 1 or args.requests < args.rounds:
        parser.error("need --rounds ≥ 1 and --requests ≥ --rounds")

    with bench_database("routing", keep=args.keep) as database:
        setup_django(pool_size=0, configure=use_bench_urlconf)
        migrate()
        from django.conf import settings

        from tenants.services import tenant_create

        tenant = tenant_create(
            slug=SLUG, name="Bench Co", admin_email="admin@benchco.example.com"
        ).tenant
        host = tenant.subdomain_host
        middleware = list(settings.MIDDLEWARE)
        if ROUTING_MIDDLEWARE not in middleware:
            raise SystemExit(f"{ROUTING_MIDDLEWARE} is not in settings.MIDDLEWARE")
        variants = [
            Variant("with TenantRoutingMiddleware", build_handler(middleware)),
            Variant(
                "without",
                build_handler([m for m in middleware if m != ROUTING_MIDDLEWARE]),
            ),
        ]
        print_header(
            "Routing benchmark",
            database,
            host=host,
            requests=args.requests,
            rounds=args.rounds,
            middleware=len(middleware),
        )
        caller = Caller(wsgi_environ(host))
        schema = check_variants(caller, variants[0].handler, variants[1].handler)
        print(f"both handlers answer 200; the routed one selects schema {schema}")
        cold_us = cold_lookups(host)
        run_rounds(caller, variants, args.rounds, args.requests // args.rounds)
        warm_us = warm_lookups(host)
        report(variants, cold_us, warm_us)


if __name__ == "__main__":
    main()
