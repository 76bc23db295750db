"""The re-check every pushed message passes before it reaches a socket, for many sockets at
once (``notifications.consumers.refusals``) and coalesced across sockets (``_Rechecks``)."""

import asyncio
import time

import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session

from accounts import sessions
from agencies.models import Membership, Role
from notifications import consumers
from notifications.consumers import NO_ACTIVE_ROLE, UNAUTHENTICATED, refusals
from tests.factories import member
from tests.notifications.conftest import session_cookie

pytestmark = pytest.mark.django_db


def _key(user: object) -> str:
    return session_cookie(user).split("=", 1)[1]


def _edit(key: str, **changes: object) -> None:
    stored = Session.objects.get(session_key=key)
    Session.objects.save(key, {**stored.get_decoded(), **changes}, stored.expire_date)


def test_many_sockets_are_judged_with_two_queries_whatever_their_number(
    social_services, django_assert_num_queries
):
    people = {
        name: member(social_services, Role.SOCIAL_WORKER)
        for name in (
            "good",
            "signed_out",
            "someone_else",
            "roleless",
            "disabled",
            "lapsed",
            "new_password",
            "owing_second_factor",
        )
    }
    keys = {name: _key(person) for name, person in people.items()}
    Session.objects.filter(session_key=keys["signed_out"]).delete()
    Membership.objects.filter(user=people["roleless"]).update(is_active=False)
    people["disabled"].is_active = False
    people["disabled"].save()
    _edit(keys["lapsed"], **{sessions.SEEN_AT: time.time() - 3600})
    people["new_password"].set_password("a-new-password-entirely")
    people["new_password"].save()
    _edit(keys["owing_second_factor"], **{sessions.SECOND_FACTOR_OWED: True})
    sockets = [(person.pk, keys[name]) for name, person in people.items()]
    # The session of another person, presented as this one's.
    sockets[2] = (people["someone_else"].pk, keys["good"])

    with django_assert_num_queries(2):
        verdicts = refusals(sockets)
    with django_assert_num_queries(2):
        assert refusals(sockets[:1]) == {sockets[0]: None}

    assert [verdicts[socket] for socket in sockets] == [
        None,
        UNAUTHENTICATED,
        UNAUTHENTICATED,
        NO_ACTIVE_ROLE,
        UNAUTHENTICATED,
        UNAUTHENTICATED,
        UNAUTHENTICATED,
        UNAUTHENTICATED,
    ]


@pytest.mark.django_db(transaction=True)
async def test_sockets_that_ask_together_are_answered_by_one_check(social_services, monkeypatch):
    people = [
        await database_sync_to_async(member)(social_services, Role.SOCIAL_WORKER) for _ in range(6)
    ]
    sockets = [(person.pk, await database_sync_to_async(_key)(person)) for person in people]
    batches: list[int] = []
    judge = consumers.refusals

    def counted(batch: list[tuple[int, str]]) -> dict:
        batches.append(len(batch))
        return judge(batch)

    monkeypatch.setattr(consumers, "refusals", counted)
    rechecks = consumers._rechecks_of(asyncio.get_running_loop())
    assert await asyncio.gather(*(rechecks.refusal(*s) for s in sockets)) == [None] * 6
    assert await rechecks.refusal(*sockets[0]) is None  # later, alone: checked again
    assert batches == [6, 1]
