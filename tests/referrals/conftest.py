"""A referral world: the North helpline refers a child to North Police, with consent."""

import pytest

from agencies.models import Role
from consent.models import DataCategory, Purpose
from pathways.vocabulary import NeedCategory, Urgency
from referrals import services
from referrals.models import Referral
from tests.factories import consent_given, member
from tests.pathways.conftest import make_pathway, make_service
from tests.sharing_world import (  # noqa: F401  (fixtures)
    child,
    health,
    helpline,
    helpline_admin,
    helpline_duty_manager,
    helpline_worker,
    officer,
    police,
    police_duty_manager,
    south_worker,
)

SHARED = [DataCategory.IDENTITY, DataCategory.DISCLOSURE_NARRATIVE]
CONCERN = "Concern narrative canary 7f3c: groomed through an online game."


@pytest.fixture
def investigation(police):
    return make_service(
        police,
        "Online child exploitation team",
        [NeedCategory.POLICE_INVESTIGATION],
        acknowledge_immediate_hours=1,
        acknowledge_within_24h_hours=6,
    )


@pytest.fixture
def medical(health):
    return make_service(health, "Sexual assault referral centre", [NeedCategory.MEDICAL_CARE])


@pytest.fixture
def police_admin(police):
    return member(police, Role.AGENCY_ADMIN)


@pytest.fixture
def consent_to_police(child, helpline_worker, helpline):
    return consent_given(
        child,
        helpline_worker,
        helpline,
        recipient_kinds=["police", "health"],
        categories=SHARED,
        purposes=[Purpose.INVESTIGATION, Purpose.SUPPORT],
    )


@pytest.fixture
def pathway(police, investigation):
    return make_pathway(police, [(investigation, 2)], urgency=Urgency.WITHIN_24H)


@pytest.fixture
def make_referral(helpline_worker, helpline, child, investigation, consent_to_police, officer):
    """``make_referral(state)``: a referral from the helpline to the police, moved to ``state``."""

    route = {
        "draft": [],
        "sent": ["send"],
        "acknowledged": ["send", "acknowledge"],
        "accepted": ["send", "accept"],
        "in_progress": ["send", "accept", "start"],
        "on_hold": ["send", "accept", "start", "hold"],
        "completed": ["send", "accept", "start", "complete"],
        "declined": ["send", "decline"],
        "cancelled": ["send", "cancel"],
        "failed": ["send", "accept", "fail"],
    }

    def make(state: str = "draft", **fields: object) -> Referral:
        referral = services.create_referral(
            actor=helpline_worker,
            agency=helpline,
            child=fields.pop("child", child),
            new_child=None,
            service=fields.pop("service", investigation),
            urgency=fields.pop("urgency", Urgency.WITHIN_24H),
            need_categories=[NeedCategory.POLICE_INVESTIGATION],
            concern=CONCERN,
            shared_categories=SHARED,
            purpose=Purpose.INVESTIGATION,
            **fields,
        )
        for name in route[state]:
            side = services.ACTIONS[name].side
            actor = helpline_worker if side == services.Side.SENDER else officer
            referral = services.transition(referral, name, actor=actor, note=f"{name} note")
        assert referral.status == state
        return referral

    return make
