from django.contrib import admin

from sla.models import BusinessCalendar, DepartmentCalendar, EscalationRule, Holiday, SlaPolicy


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "timezone", "holiday_country", "is_default")
    inlines = (HolidayInline,)


class EscalationInline(admin.TabularInline):
    model = EscalationRule
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "is_active", "first_response_minutes", "resolution_minutes")
    inlines = (EscalationInline,)


admin.site.register(DepartmentCalendar)
