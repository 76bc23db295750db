"""Fire N identical requests at one endpoint at the same moment, and check that exactly one
wins (DESIGN.md §6, invariant 4).

Each request runs on its own thread, with its own database connection and its own signed-in
client; a barrier releases them together so they really overlap inside the database. Use it
in a ``transactional_db`` test on PostgreSQL (SQLite serialises writers, so a race there
proves nothing)::

    outcome = assert_one_wins(
        [client_for(user) for user in people],
        "post",
        f"/api/v1/referrals/{referral.pk}/accept/",
        history=lambda: ReferralEvent.objects.filter(referral=referral, action="accept").count(),
    )
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from rest_framework.test import APIClient

SUCCESS = range(200, 300)


@dataclass
class RaceOutcome:
    statuses: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # exceptions raised in a thread (names only)

    @property
    def wins(self) -> int:
        return sum(status in SUCCESS for status in self.statuses)


def race(
    clients: Sequence[APIClient], method: str, url: str, data: dict[str, Any] | None = None
) -> RaceOutcome:
    """Send the same request from every client at once; collect every status."""
    outcome = RaceOutcome()
    barrier = threading.Barrier(len(clients))
    lock = threading.Lock()

    def fire(client: APIClient) -> None:
        try:
            barrier.wait(timeout=30)
            response = getattr(client, method)(url, data, format="json")
            with lock:
                outcome.statuses.append(response.status_code)
        except Exception as exc:
            with lock:
                outcome.errors.append(type(exc).__name__)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=fire, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcome


def assert_one_wins(
    clients: Sequence[APIClient],
    method: str,
    url: str,
    data: dict[str, Any] | None = None,
    *,
    conflict: int = 409,
    history: Callable[[], int] | None = None,
) -> RaceOutcome:
    """Race the request, then :func:`check_one_winner` on what came back."""
    outcome = race(clients, method, url, data)
    check_one_winner(outcome, len(clients), conflict=conflict, history=history)
    return outcome


def check_one_winner(
    outcome: RaceOutcome,
    sent: int,
    *,
    conflict: int = 409,
    history: Callable[[], int] | None = None,
) -> None:
    """Exactly one success, every other request ``conflict``, no server error, and (when
    ``history`` counts the recorded entries for this change) exactly one entry."""
    assert not outcome.errors, f"requests raised: {outcome.errors}"
    assert len(outcome.statuses) == sent, "some requests never answered"
    assert not [s for s in outcome.statuses if s >= 500], f"server errors: {outcome.statuses}"
    assert outcome.wins == 1, f"{outcome.wins} requests won: {sorted(outcome.statuses)}"
    losers = sorted(s for s in outcome.statuses if s not in SUCCESS)
    assert losers == [conflict] * (sent - 1), f"losers answered {losers}"
    if history is not None:
        entries = history()
        assert entries == 1, f"{entries} history entries for one change"
