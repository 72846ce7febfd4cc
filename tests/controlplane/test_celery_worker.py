"""A real Celery worker runs a task enqueued inside tenant A against tenant A's schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context

from accounts.models import User
from tests.conftest import TenantUnderTest
from tests.support import start_celery_worker, wait_for
from tests.worker_tasks import record_visit

QUEUE = f"test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def worker(django_db_setup: None) -> Iterator[None]:
    process = start_celery_worker(queue=QUEUE, include="tests.worker_tasks")
    yield
    process.terminate()
    process.wait(timeout=20)


@pytest.mark.worker
def test_task_runs_in_the_tenant_it_was_enqueued_from(
    worker: None, tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    email = f"visitor-{uuid.uuid4().hex[:6]}@example.com"
    with schema_context(tenant_a.tenant.schema_name):
        record_visit.apply_async(args=(email,), queue=QUEUE)

        def arrived() -> bool:  # the task writes the row, then the cache key
            return User.objects.filter(email=email).exists() and bool(cache.get(f"visit:{email}"))

        assert wait_for(arrived, timeout=60), "the worker never ran the task"
        assert User.objects.get(email=email).full_name == "visited t_alpha"
        assert cache.get(f"visit:{email}") == "t_alpha"
    with schema_context(tenant_b.tenant.schema_name):
        assert not User.objects.filter(email=email).exists()
        assert cache.get(f"visit:{email}") is None
