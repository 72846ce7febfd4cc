"""The conversation on a ticket: public replies, internal notes, the case log, files."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from ticketing.search_sql import search_vector


class MessageKind(models.TextChoices):
    PUBLIC_REPLY = "public", _("Public reply")
    INTERNAL_NOTE = "note", _("Internal note")
    CASE_LOG = "case_log", _("Case log entry")


class Message(models.Model):
    ticket = models.ForeignKey(
        "ticketing.Ticket", on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(max_length=20, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_contact = models.ForeignKey(
        "ticketing.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_name = models.CharField(max_length=200, blank=True)
    #: True when the help desk wrote it (agent or system), False for the customer.
    from_staff = models.BooleanField(default=False)
    body = models.TextField()
    channel = models.CharField(max_length=20)
    mentions = models.ManyToManyField("ticketing.Agent", related_name="+", blank=True)
    #: Email Message-ID when it arrived or left by mail (threading).
    email_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField()
    search_vector = models.GeneratedField(
        expression=search_vector(("body", "C")),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["ticket", "created_at"], name="message_ticket_time"),
            GinIndex(fields=["search_vector"], name="message_search"),
            # Search collects recent matches first (ticketing/search.py SLICES).
            models.Index(fields=["created_at"], name="message_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.ticket_id}"

    @property
    def is_public(self) -> bool:
        return self.kind == MessageKind.PUBLIC_REPLY


class Attachment(models.Model):
    ticket = models.ForeignKey(
        "ticketing.Ticket", on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to="attachments/", max_length=400)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename
