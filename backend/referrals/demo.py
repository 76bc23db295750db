"""Demo referrals in every state, in both regions.

* North: the helpline refers Amira (consent in scope) to North Police's Child Abuse
  Investigation Unit ten times over, one referral left in each state, and once to North
  Social Services' Family Support Service, waiting to be acknowledged.
* South: South Social Services refers Tom to South Police on a duty manager's authorised
  override (his parent's consent does not cover the concern narrative).

Idempotent: a demo child who already has referrals is left as they are.
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model

from agencies.demo import demo_agency
from agencies.models import Agency, AgencyKind
from children.demo import demo_child
from children.models import Child
from consent import services as consent
from consent.models import LawfulBasis, Purpose
from pathways.models import Service
from pathways.vocabulary import NeedCategory, Urgency
from referrals import services
from referrals.models import Referral, ReferralStatus

User = get_user_model()

# The actions that bring a new draft to each state.
ROUTES: dict[str, tuple[str, ...]] = {
    ReferralStatus.DRAFT: (),
    ReferralStatus.SENT: ("send",),
    ReferralStatus.ACKNOWLEDGED: ("send", "acknowledge"),
    ReferralStatus.ACCEPTED: ("send", "acknowledge", "accept"),
    ReferralStatus.IN_PROGRESS: ("send", "acknowledge", "accept", "start"),
    ReferralStatus.ON_HOLD: ("send", "acknowledge", "accept", "start", "hold"),
    ReferralStatus.COMPLETED: ("send", "acknowledge", "accept", "start", "complete"),
    ReferralStatus.DECLINED: ("send", "decline"),
    ReferralStatus.CANCELLED: ("send", "cancel"),
    ReferralStatus.FAILED: ("send", "accept", "fail"),
}
NOTES = {
    "hold": "Waiting for the child's interview to be arranged with the family.",
    "complete": "Joint interview held; the investigation continues with the case team.",
    "decline": "Already known to the unit under another referral; linked there instead.",
    "cancel": "Sent to the wrong team; a new referral follows.",
    "fail": "The young person moved out of the area before contact could be made.",
}
CONCERN = (
    "Disclosed on a call that an adult met online has been asking for images and wants to "
    "meet this weekend."
)


def _service(region: str, kind: AgencyKind, name: str) -> Service:
    return Service.objects.get(agency=demo_agency(region, kind), name=name)


def _refer(
    child: Child,
    *,
    sender: object,
    agency: Agency,
    receiver: object,
    service: Service,
    state: str,
    need: str,
    **fields: object,
) -> Referral:
    referral = services.create_referral(
        actor=sender,
        agency=agency,
        child=child,
        new_child=None,
        service=service,
        urgency=fields.pop("urgency", Urgency.WITHIN_24H),
        need_categories=[need],
        concern=CONCERN,
        purpose=fields.pop("purpose", Purpose.INVESTIGATION),
        **fields,
    )
    for name in ROUTES[state]:
        side = services.ACTIONS[name].side
        actor = sender if side == services.Side.SENDER else receiver
        referral = services.transition(referral, name, actor=actor, note=NOTES.get(name, ""))
    return referral


def _north() -> None:
    child = demo_child("amira")
    if child.referrals.exists():
        return
    helpline_worker = User.objects.get(username="helpline.north")
    helpline = demo_agency("north", AgencyKind.HELPLINE)
    unit = _service("north", AgencyKind.POLICE, "Child Abuse Investigation Unit")
    officer = User.objects.get(username="police.north")
    for state in ROUTES:
        _refer(
            child,
            sender=helpline_worker,
            agency=helpline,
            receiver=officer,
            service=unit,
            state=state,
            need=NeedCategory.POLICE_INVESTIGATION,
        )
    _refer(
        child,
        sender=helpline_worker,
        agency=helpline,
        receiver=User.objects.get(username="social.north"),
        service=_service("north", AgencyKind.SOCIAL_SERVICES, "Family Support Service"),
        state=ReferralStatus.SENT,
        need=NeedCategory.FAMILY_SUPPORT,
        urgency=Urgency.IMMEDIATE,
        purpose=Purpose.SUPPORT,
    )


def _south() -> None:
    child = demo_child("tom")
    if child.referrals.exists():
        return
    worker = User.objects.get(username="social.south")
    social = demo_agency("south", AgencyKind.SOCIAL_SERVICES)
    police = demo_agency("south", AgencyKind.POLICE)
    override = consent.request_override(
        child=child,
        actor=worker,
        agency=social,
        recipient_agency=police,
        categories=["identity", "disclosure_narrative"],
        purpose=Purpose.INVESTIGATION,
        lawful_basis=LawfulBasis.values[0],
        justification="Risk of significant harm: an offender is trying to meet the child.",
    )
    consent.authorise_override(override, by=User.objects.get(username="duty.south"))
    unit = _service("south", AgencyKind.POLICE, "Child Abuse Investigation Unit")
    officer = User.objects.get(username="police.south")
    for state in (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS):
        _refer(
            child,
            sender=worker,
            agency=social,
            receiver=officer,
            service=unit,
            state=state,
            need=NeedCategory.POLICE_INVESTIGATION,
            override=override,
        )


def seed(log: Callable[[str], None]) -> None:
    _north()
    _south()
    states = sorted(set(Referral.objects.values_list("status", flat=True)))
    log(f"Referrals: {Referral.objects.count()} ({', '.join(states)})")
