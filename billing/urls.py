"""Billing's URLs on the platform host (public schema)."""

from django.urls import path

from billing.webhooks import stripe_webhook

app_name = "billing"

urlpatterns = [
    path("stripe/webhook/", stripe_webhook, name="stripe_webhook"),
]
