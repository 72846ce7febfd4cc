"""After-commit work gathered per transaction: one flush per commit, nothing from a
rolled-back savepoint, and in-transaction handlers see the service's own instance."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from tests.conftest import TenantUnderTest
from tests.ticketing.factories import CustomerFactory, make_ticket
from ticketing import events
from ticketing.events import PublishedEvent
from ticketing.models import Department


def test_items_of_one_transaction_are_flushed_once_after_the_commit(
    in_alpha: TenantUnderTest, django_capture_on_commit_callbacks: Any
) -> None:
    flushed: list[list[int]] = []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for item in (1, 2, 3):
            events.collect_on_commit("test", item, flushed.append)
        assert flushed == []  # nothing before the commit
    assert flushed == [[1, 2, 3]]


def test_items_of_a_rolled_back_savepoint_are_dropped(
    in_alpha: TenantUnderTest, django_capture_on_commit_callbacks: Any
) -> None:
    flushed: list[list[str]] = []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.collect_on_commit("test", "kept", flushed.append)
        with pytest.raises(RuntimeError):
            _collect_then_fail(flushed)
        events.collect_on_commit("test", "after", flushed.append)
    assert sorted(item for batch in flushed for item in batch) == ["after", "kept"]


def _collect_then_fail(flushed: list[list[str]]) -> None:
    with transaction.atomic():
        events.collect_on_commit("test", "inner", flushed.append)
        raise RuntimeError


def test_a_failing_flush_is_logged_not_raised(
    in_alpha: TenantUnderTest, django_capture_on_commit_callbacks: Any
) -> None:
    def explode(items: list[int]) -> None:
        raise ValueError("boom")

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.collect_on_commit("test", 1, explode)


def test_in_transaction_handlers_get_the_instance_after_commit_ones_do_not(
    support: Department, django_capture_on_commit_callbacks: Any
) -> None:
    seen: dict[str, Any] = {}

    def inside(event: PublishedEvent) -> None:
        seen["inside"] = event.ticket

    def after(event: PublishedEvent) -> None:
        seen["after"] = event.ticket

    events.subscribe("ticket.created", inside, in_transaction=True)
    events.subscribe("ticket.created", after)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ticket = make_ticket(department=support, requester=CustomerFactory())
    finally:
        events.unsubscribe("ticket.created", inside)
        events.unsubscribe("ticket.created", after)
    assert seen["inside"] is not None
    assert seen["inside"].pk == ticket.pk
    assert seen["after"] is None
