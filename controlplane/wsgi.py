import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "controlplane.settings")
application = get_wsgi_application()

from controlplane.warmup import warm_and_freeze  # noqa: E402 - needs the app set up

warm_and_freeze()
