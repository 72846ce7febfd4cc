"""Custom ticket forms: values validated on submit with clear field errors."""

from __future__ import annotations

import pytest

from tests.ticketing.factories import CategoryFactory, make_ticket
from ticketing.errors import InvalidInput
from ticketing.models import Department, FieldType, FormField, TicketForm
from ticketing.services.custom_fields import form_validate


@pytest.fixture
def device_form(support: Department) -> TicketForm:
    form = TicketForm.objects.create(name="Device problem", department=support)
    fields = [
        ("serial", FieldType.TEXT, True, {"pattern": "^[A-Z]{2}[0-9]{4}$"}, []),
        ("notes", FieldType.LONG_TEXT, False, {"max_length": 20}, []),
        ("units", FieldType.NUMBER, True, {"min": 1, "max": 10}, []),
        ("bought_on", FieldType.DATE, False, {}, []),
        ("model", FieldType.SELECT, True, {}, [{"value": "x1"}, {"value": "x2"}]),
        ("rooms", FieldType.MULTI_SELECT, False, {}, [{"value": "a"}, {"value": "b"}]),
        ("agree", FieldType.CHECKBOX, True, {}, []),
        ("contact_email", FieldType.EMAIL, False, {}, []),
        ("callback", FieldType.PHONE, False, {}, []),
    ]
    for position, (key, kind, required, validation, options) in enumerate(fields):
        FormField.objects.create(
            form=form, key=key, field_type=kind, required=required, validation=validation,
            options=options, position=position, label={"en": key.title(), "fa": "برچسب"},
        )  # fmt: skip
    support.default_form = form
    support.save()
    return form


VALID = {
    "serial": "AB1234",
    "units": "3",
    "bought_on": "2026-01-31",
    "model": "x2",
    "rooms": ["b", "a"],
    "agree": "on",
    "contact_email": "Boss@Example.com",
    "callback": "+48 600 100 200",
}


def test_valid_values_are_cleaned_and_stored(support: Department, device_form: TicketForm) -> None:
    ticket = make_ticket(department=support, custom_fields=VALID)
    assert ticket.form == device_form
    assert ticket.custom_fields == {
        "serial": "AB1234",
        "units": 3,
        "bought_on": "2026-01-31",
        "model": "x2",
        "rooms": ["b", "a"],
        "agree": True,
        "contact_email": "boss@example.com",
        "callback": "+48 600 100 200",
    }


def test_every_bad_value_gets_its_own_message(device_form: TicketForm) -> None:
    bad = {
        "serial": "ab12",
        "notes": "x" * 21,
        "units": "eleven",
        "bought_on": "31/01/2026",
        "model": "x9",
        "rooms": ["c"],
        "contact_email": "not-an-email",
        "callback": "call me",
        "surprise": "1",
    }
    with pytest.raises(InvalidInput) as raised:
        form_validate(form=device_form, values=bad)
    errors = raised.value.field_errors
    assert set(errors) == {
        "serial", "notes", "units", "bought_on", "model", "rooms", "agree", "contact_email",
        "callback", "surprise",
    }  # fmt: skip
    assert errors["agree"] == ["This box must be ticked."]
    assert errors["units"] == ["Enter a number."]
    assert errors["surprise"] == ["This form has no field “surprise”."]


def test_required_fields_and_number_ranges(device_form: TicketForm) -> None:
    with pytest.raises(InvalidInput) as raised:
        form_validate(form=device_form, values={"units": "0"})
    errors = raised.value.field_errors
    assert errors["serial"] == ["This field is required."]
    assert errors["units"] == ["Enter a number of at least 1."]


def test_a_category_form_wins_over_the_department_default(
    support: Department, device_form: TicketForm
) -> None:
    category = CategoryFactory(default_department=support)
    simple = TicketForm.objects.create(name="Simple", category=category)
    FormField.objects.create(form=simple, key="topic", field_type=FieldType.TEXT, required=True)
    ticket = make_ticket(department=None, category=category, custom_fields={"topic": "Billing"})
    assert ticket.form == simple
    assert ticket.custom_fields == {"topic": "Billing"}


def test_labels_are_translated(device_form: TicketForm) -> None:
    serial = device_form.fields.get(key="serial")
    assert serial.label_in("fa") == "برچسب"
    assert serial.label_in("pl") == "Serial"
