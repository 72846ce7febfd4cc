"""The one Celery app. ``tenant-schemas-celery`` carries the current schema in the task
headers, so a task enqueued inside tenant A runs against tenant A's schema."""

from __future__ import annotations

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "controlplane.settings")

app = CeleryApp("caseway")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
