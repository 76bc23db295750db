"""Benchmarks of the platform's speed and how its cost grows (see bench/README.md).

They print figures and write results; they are never timed unit tests. Importing the package
puts ``backend/`` on the path, as ``manage.py`` and pytest do, so ``python -m bench.<module>``
works from the repository root.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BACKEND = ROOT / "backend"
if str(BACKEND) not in sys.path:
    sys.path.insert(0, str(BACKEND))
