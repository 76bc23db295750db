"""The ASGI entry point, as a worker process loads it."""

import os
import subprocess
import sys
from pathlib import Path

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
