from django.contrib import admin

from billing.models import BillingAccount, Invoice, Plan, StripeEvent


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "stripe_price_id", "unit_amount", "interval", "max_agents")
    list_editable = ("stripe_price_id",)


@admin.register(BillingAccount)
class BillingAccountAdmin(admin.ModelAdmin):
    list_display = ("tenant", "plan", "status", "seats", "trial_ends_at", "past_due_since")
    list_filter = ("status", "plan")
    readonly_fields = ("stripe_customer_id", "stripe_subscription_id", "stripe_status")


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ("event_id", "type", "status", "attempts", "received_at")
    list_filter = ("status", "type")
    readonly_fields = ("event_id", "type", "payload", "received_at", "processed_at")


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ("stripe_invoice_id", "tenant", "status", "amount_due", "created_at")
    list_filter = ("status",)
