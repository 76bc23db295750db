"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from config.routing import build_application  # noqa: E402  (needs Django set up first)

application = build_application(django_asgi_app)

# What is loaded by now (Django, every app and model, the routing) lives as long as the
# process. Frozen, it is no longer walked by each full collection: those paused a worker for
# 70-80 ms about once in fifty inbox requests, and 8 ms once frozen (bench/README.md).
gc.freeze()
