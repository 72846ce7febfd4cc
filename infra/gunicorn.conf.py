"""Gunicorn settings for the web container (deployment config, so it reads os.environ).

Workers are recycled after ``max_requests`` (with jitter, so they do not all restart at
once): each PostgreSQL backend caches the catalog of every tenant schema it touches, so
long-lived processes and their connections keep growing; recycling bounds that.
"""

from __future__ import annotations

import os


def _cpu_count() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# Inside a container the app must listen on every interface to be reachable.
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * _cpu_count() + 1, 8))
# gthread keeps client connections alive between requests (the sync class closes every
# one); GUNICORN_THREADS > 1 also serves requests concurrently within a worker.
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
worker_class = "gthread"
timeout = 30
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
# Only these peers may set X-Forwarded-* (the TLS-terminating proxy).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Worker heartbeats on tmpfs: a slow overlay filesystem can otherwise stall them.
_SHM = "/dev/shm"  # noqa: S108 - a directory for gunicorn's heartbeat files, not a path we open
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None
accesslog = "-"
errorlog = "-"
