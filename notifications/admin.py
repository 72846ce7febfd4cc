"""Django admin for what the admin console (issue #8) will show: dead letters, refused and
failed inbound mail, templates, switches, announcements and agents' SMS alerts."""

from django.contrib import admin

from notifications.models import (
    AgentSmsAlerts,
    Announcement,
    InboundEmail,
    Notification,
    NotificationSwitch,
    NotificationTemplate,
)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "event_kind", "channel", "address", "status", "attempts", "created_at")
    list_filter = ("status", "channel", "event_kind")
    search_fields = ("address", "subject", "idempotency_key")
    readonly_fields = ("idempotency_key", "message_id", "provider_message_id", "last_error")


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ("id", "sender", "subject", "status", "received_at")
    list_filter = ("status",)
    search_fields = ("sender", "subject", "message_id")
    exclude = ("raw",)


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ("event_kind", "channel", "language", "subject")
    list_filter = ("event_kind", "channel", "language")


admin.site.register(NotificationSwitch)
admin.site.register(Announcement)
admin.site.register(AgentSmsAlerts)
