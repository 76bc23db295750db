"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import gc
import os

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class SyncASGIHandler(ASGIHandler):
    """Django's ASGI handler, with the middleware and the view run together in one call on
    the request's worker thread.

    Every view and middleware here is synchronous. Django's own handler builds its middleware
    chain for the event loop: the middleware that can run there do, each hook of theirs sent to
    the worker thread on its own, and the chain crosses again around the view, nineteen
    crossings between the loop and the thread for a simple request, about 2 ms
    (bench/README.md). Here the chain is the synchronous one a WSGI server runs, entered once.
    Reading the body, the disconnect watch, the request signals and sending the response are
    still Django's.
    """

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)
django_asgi_app = SyncASGIHandler()

from config.routing import build_application  # noqa: E402  (needs Django set up first)

application = build_application(django_asgi_app)

# What is loaded by now (Django, every app and model, the routing) lives as long as the
# process. Frozen, it is no longer walked by each full collection: those paused a worker for
# 70-80 ms about once in fifty inbox requests, and 8 ms once frozen (bench/README.md).
gc.freeze()
