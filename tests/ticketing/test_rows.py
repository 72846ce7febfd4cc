"""``row_insert`` stores a row exactly as ``save()`` would: every column, the database's
own defaults (the ticket number) read back, and the instance usable afterwards."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.ticketing.factories import CustomerFactory
from ticketing.models import Contact, Department, Message, Priority, Ticket
from ticketing.rows import row_insert

AT = timezone.now() - timedelta(minutes=3)


def _ticket(support: Department, requester: Contact, **values: object) -> Ticket:
    at = AT
    priority = Priority.objects.get(level=2)
    return Ticket(
        subject='Zażółć gęślą jaźń 打印机 "quoted" \\ back',
        description="Line one\nline two\u200c",
        department=support,
        priority=priority,
        priority_level=priority.level,
        channel="portal",
        requester=requester,
        tags=["printer", "floor-3"],
        custom_fields={"serial": "X-1", "count": 2, "nested": {"ok": True}},
        guest_access_key="k" * 32,
        created_at=at,
        updated_at=at,
        dispatched_at=at,
        status_changed_at=at,
        **values,
    )


def test_a_ticket_row_is_stored_as_save_stores_it(support: Department) -> None:
    customer = CustomerFactory()
    by_orm = _ticket(support, customer)
    by_orm.save(force_insert=True)
    fast = _ticket(support, customer)
    row_insert(fast)
    assert fast.pk
    assert not fast._state.adding
    assert fast.number == by_orm.number + 1  # the column default, read back
    stored, reference = Ticket.objects.get(pk=fast.pk), Ticket.objects.get(pk=by_orm.pk)
    for field in Ticket._meta.concrete_fields:
        if field.name in ("id", "number", "search_vector"):
            continue
        assert getattr(stored, field.attname) == getattr(reference, field.attname), field.name
    assert stored.search_vector == reference.search_vector


def test_a_number_given_is_written_and_a_message_row_too(support: Department) -> None:
    ticket = _ticket(support, CustomerFactory(), number=987_654)
    row_insert(ticket)
    assert Ticket.objects.get(pk=ticket.pk).number == 987_654
    message = Message(ticket=ticket, kind="public", body="Hi", author_name="A",
                      from_staff=True, channel="portal", created_at=timezone.now())  # fmt: skip
    row_insert(message)
    assert Message.objects.get(pk=message.pk).body == "Hi"
    assert list(ticket.messages.all()) == [message]
