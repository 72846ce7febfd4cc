from django.contrib import admin

from ticketing.models import (
    Agent,
    CannedResponse,
    Category,
    Contact,
    Department,
    FormField,
    HelpdeskSettings,
    Organization,
    Priority,
    Product,
    SupportPlan,
    Ticket,
    TicketEvent,
    TicketForm,
)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "assignment_strategy", "is_active")
    filter_horizontal = ("supervisors",)


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "is_active", "max_open_tickets")
    list_filter = ("role", "is_active", "departments")
    filter_horizontal = ("departments",)
    search_fields = ("user__email", "user__full_name")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("full_name", "email", "phone", "employee_number", "organization", "is_vip")
    search_fields = ("full_name", "email", "employee_number", "phone")
    list_filter = ("is_vip", "is_suspended", "ticket_access_enabled")


class FormFieldInline(admin.TabularInline):
    model = FormField
    extra = 0


@admin.register(TicketForm)
class TicketFormAdmin(admin.ModelAdmin):
    inlines = (FormFieldInline,)


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "actor_name", "at", "before", "after", "note")
    fields = readonly_fields

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-mostly: changes go through the services so they reach the timeline."""

    list_display = (
        "number",
        "subject",
        "status",
        "priority",
        "department",
        "assignee",
        "created_at",
    )
    list_filter = ("status", "department", "priority")
    search_fields = ("subject", "number")
    list_select_related = ("priority", "department", "assignee__user")
    inlines = (TicketEventInline,)
    readonly_fields = tuple(field.name for field in Ticket._meta.fields)

    def has_add_permission(self, request: object) -> bool:
        return False


for model in (
    Category,
    Organization,
    Priority,
    Product,
    SupportPlan,
    CannedResponse,
    HelpdeskSettings,
):
    admin.site.register(model)
