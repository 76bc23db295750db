"""The permission test helper every endpoint's tests use (DESIGN.md §6, invariant 1).

``assert_access`` calls one endpoint as three people and checks each outcome:

* an **outsider** from another agency gets 404, with the very same body as for an id that
  does not exist (so a response never reveals that the object exists);
* a member of the **right agency with the wrong role** gets 403 (optional: some endpoints
  have no such person);
* the **right person** gets the expected success status.

The refused calls come first and must change nothing, so the allowed call still sees the
object in its original state.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rest_framework.response import Response
from rest_framework.test import APIClient


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    data: dict[str, Any] | None = None
    missing_url: str | None = None  # the same endpoint for an id that does not exist


def _send(user: Any, call: Call, url: str | None = None) -> Response:
    client = APIClient()
    client.force_login(user)
    return getattr(client, call.method.lower())(url or call.url, call.data, format="json")


def assert_access(
    call: Call,
    *,
    allowed: Any,
    outsider: Any,
    wrong_role: Any | None = None,
    allowed_status: int | tuple[int, ...] = (200, 201, 204),
    unchanged: Callable[[], Any] | None = None,
) -> Response:
    """Check outsider → 404, wrong role → 403, allowed → success. Returns the allowed response.

    ``unchanged``, when given, is called before and after the refused calls; its result must
    not differ (e.g. ``lambda: Referral.objects.values().get(pk=...)``).
    """
    before = unchanged() if unchanged else None

    refused = _send(outsider, call)
    assert refused.status_code == 404, (
        f"outsider got {refused.status_code} on {call.method} {call.url}"
    )
    if call.missing_url:
        missing = _send(outsider, call, call.missing_url)
        assert missing.status_code == 404
        assert refused.json() == missing.json(), (
            "a hidden object must look exactly like a missing one"
        )

    if wrong_role is not None:
        forbidden = _send(wrong_role, call)
        assert forbidden.status_code == 403, (
            f"wrong role got {forbidden.status_code} on {call.method} {call.url}"
        )

    if unchanged:
        assert unchanged() == before, "a refused call changed something"

    expected = (allowed_status,) if isinstance(allowed_status, int) else allowed_status
    response = _send(allowed, call)
    assert response.status_code in expected, (
        f"allowed caller got {response.status_code} on {call.method} {call.url}"
    )
    return response
