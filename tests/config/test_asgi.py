"""The ASGI entry point, as a worker process loads it."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from asgiref import sync

from config.asgi import application
from tests.security.asgi import InProcessSession

BACKEND = Path(__file__).resolve().parents[2] / "backend"


def test_a_worker_freezes_what_it_loads_at_start():
    """Full collections would otherwise walk every module, model and route each time
    (70-80 ms pauses in the inbox benchmark, bench/README.md)."""
    shown = subprocess.run(
        [sys.executable, "-c", "import gc, config.asgi; print(gc.get_freeze_count())"],
        cwd=BACKEND,
        env={**os.environ, "DEBUG": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(shown.stdout.split()[-1]) > 50_000


@pytest.mark.django_db
def test_a_request_goes_through_middleware_and_view_without_crossing_back(monkeypatch):
    """Each crossing between the event loop and the worker thread costs the request time
    (Django's own handler made nineteen for this request, about 2 ms, bench/README.md): the
    middleware and the view run in one call on the worker thread."""
    crossings: list[str] = []
    for direction, kind in (("to the loop", sync.AsyncToSync), ("to a thread", sync.SyncToAsync)):
        monkeypatch.setattr(kind, "__call__", _noting(kind.__call__, direction, crossings))

    response = InProcessSession(application).get("/api/v1/auth/csrf/")

    assert response.status_code == 200
    assert "csrf_token" in response.json()
    # The test's own call into the event loop, then on the worker thread: the request signal's
    # receivers, the middleware and view together, closing the response.
    assert crossings == ["to the loop", "to a thread", "to a thread", "to a thread"]


def _noting(call: Callable[..., Any], direction: str, crossings: list[str]) -> Callable[..., Any]:
    def noted(self: object, *args: Any, **kwargs: Any) -> Any:
        crossings.append(direction)
        return call(self, *args, **kwargs)

    return noted
