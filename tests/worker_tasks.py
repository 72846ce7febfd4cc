"""Tasks loaded only into the test worker (``celery worker -I tests.worker_tasks``)."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

from accounts.models import User
from tenants.db import connection


@shared_task(name="tests.record_visit", acks_late=True, soft_time_limit=10, time_limit=20)
def record_visit(email: str) -> str:
    """Write a row and a cache key in whatever schema the worker switched to."""
    User.objects.create_user(email, None, full_name=f"visited {connection.schema_name}")
    cache.set(f"visit:{email}", connection.schema_name, timeout=300)
    return str(connection.schema_name)
