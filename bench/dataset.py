"""The growing part of a benchmark dataset, built in independent chunks of children.

Each child comes with everything the services would have written about it: its record and
consent, one to three referrals in every state with their history, the share (disclosure)
each sent referral made and the object-permission grants it gave, the notifications people
were sent, and, for referrals a social services department took on, a case plan with its
team, actions, risk assessments, reviews and history. The grants are the ones the services
make (``core.access.grant`` through ``consent.services.share`` and ``caseplans.services``):

* the child's record keeper holds ``view_child`` and ``change_child``; every agency a
  referral was sent to holds ``view_child`` through that share;
* the sending agency holds ``view_referral`` from the draft on; the receiving agency from the
  send, through the share (recorded as ``DisclosureGrant`` rows);
* both sides hold ``view_disclosure`` on the share; the consent's keeper holds
  ``view_consentrecord`` and ``change_consentrecord``;
* a case plan's lead agency holds ``view_caseplan``; each team member holds it personally,
  a member from another agency through a share made to them.

Some consents are withdrawn after the child's referrals went out: those shares ended and the
grants they gave were revoked, so the receiving agencies no longer see the referrals, while
the referrals stay in the agencies' foreign keys (what object permissions are for).

A chunk depends only on the world, its index and the seed: chunks are built in any order, in
any process, and the plain-text twin of a dataset gets exactly the same rows.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bench.loader import Table
from bench.world import FAMILY, GIVEN, RECEIVING_KINDS, AgencyInfo, World
from caseplans import models as caseplans
from children import models as children
from children.models import match_name
from consent import models as consent
from consent.models import DataCategory, Purpose
from notifications.models import Notification, NotificationKind
from notifications.services import render_text
from pathways.vocabulary import NeedCategory, Urgency
from referrals import models as referrals
from referrals.models import CLOSED_STATUSES
from referrals.models import ReferralStatus as S
from referrals.services import RESPONSE_HOURS

CHILDREN_PER_CHUNK = 1000
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
HISTORY_DAYS = 3 * 365

# How referrals are spread over their states in a platform that has run for years.
STATUS_WEIGHTS = {
    S.DRAFT: 2,
    S.SENT: 4,
    S.ACKNOWLEDGED: 4,
    S.ACCEPTED: 4,
    S.IN_PROGRESS: 8,
    S.ON_HOLD: 2,
    S.COMPLETED: 52,
    S.DECLINED: 12,
    S.CANCELLED: 5,
    S.FAILED: 7,
}
# How far back a referral still in this state was made: open work is recent.
OPEN_WINDOW_DAYS = {
    S.DRAFT: 14,
    S.SENT: 14,
    S.ACKNOWLEDGED: 21,
    S.ACCEPTED: 30,
    S.IN_PROGRESS: 120,
    S.ON_HOLD: 120,
}
# The ways to reach each state (the actions after "create"); one is picked at random.
ROUTES: dict[str, tuple[tuple[str, ...], ...]] = {
    S.DRAFT: ((),),
    S.SENT: (("send",),),
    S.ACKNOWLEDGED: (("send", "acknowledge"),),
    S.ACCEPTED: (("send", "acknowledge", "accept"),),
    S.IN_PROGRESS: (("send", "acknowledge", "accept", "start"),),
    S.ON_HOLD: (("send", "acknowledge", "accept", "start", "hold"),),
    S.COMPLETED: (("send", "acknowledge", "accept", "start", "complete"),),
    S.DECLINED: (("send", "acknowledge", "decline"), ("send", "decline")),
    S.CANCELLED: (("cancel",), ("send", "cancel"), ("send", "acknowledge", "cancel")),
    S.FAILED: (("send", "acknowledge", "accept", "start", "fail"), ("send", "accept", "fail")),
}
TARGET = {
    "send": S.SENT,
    "acknowledge": S.ACKNOWLEDGED,
    "accept": S.ACCEPTED,
    "decline": S.DECLINED,
    "start": S.IN_PROGRESS,
    "hold": S.ON_HOLD,
    "complete": S.COMPLETED,
    "fail": S.FAILED,
    "cancel": S.CANCELLED,
}
SENDER_ACTIONS = frozenset({"send", "cancel"})
TOLD_SENDER = {
    "acknowledge": NotificationKind.REFERRAL_ACKNOWLEDGED,
    "accept": NotificationKind.REFERRAL_ACCEPTED,
    "decline": NotificationKind.REFERRAL_DECLINED,
    "complete": NotificationKind.REFERRAL_COMPLETED,
    "fail": NotificationKind.REFERRAL_FAILED,
}
NOTES = {
    "decline": "Already known to the team under another referral; linked there instead.",
    "hold": "Waiting for the interview to be arranged with the family.",
    "complete": "Support delivered as planned; the young person and family are engaged.",
    "fail": "The young person moved out of the area before contact could be made.",
    "cancel": "Sent to the wrong team; a new referral follows.",
}
CONCERNS = (
    "Disclosed on a call that an adult met online has been asking for images and wants to "
    "meet this weekend.",
    "Images shared with a boyfriend are now being circulated at school; the young person is "
    "frightened to attend.",
    "Being asked for money by someone threatening to send images to family and friends.",
    "Older contact from a gaming platform has been sending gifts and asking to keep it secret.",
    "Parent found messages from an unknown adult encouraging the child to run away.",
)
SENDER_KIND_WEIGHTS = {"helpline": 40, "social_services": 30, "police": 15, "health": 10, "ngo": 5}
TARGET_KIND_WEIGHTS = {"police": 30, "social_services": 30, "health": 20, "ngo": 20}
URGENCY_WEIGHTS = {
    Urgency.IMMEDIATE: 10,
    Urgency.WITHIN_24H: 25,
    Urgency.WITHIN_72H: 30,
    Urgency.ROUTINE: 35,
}
SHARED = [DataCategory.IDENTITY.value, DataCategory.DISCLOSURE_NARRATIVE.value]
TEAM_SHARE = sorted(
    [DataCategory.CASE_PLAN.value, DataCategory.IDENTITY.value, DataCategory.RISK_ASSESSMENT.value]
)
PLAN_NEEDS = (
    NeedCategory.THERAPY,
    NeedCategory.FAMILY_SUPPORT,
    NeedCategory.POLICE_INVESTIGATION,
    NeedCategory.MEDICAL_CARE,
    NeedCategory.EDUCATION_SUPPORT,
    NeedCategory.COURT_SUPPORT,
)
WORKED = frozenset({S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD, S.COMPLETED, S.FAILED})
WITHDRAWN_SHARE = 0.03
PLAN_SHARE = 0.4
# Unique-looking child references without collisions: the index through a bijection of
# the 31^6 reference space (31 letters and digits, six places).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_SPACE = 31**6
REFERENCE_STEP = 387_420_489  # 9^9: coprime with 31, so index * step is a bijection


def child_reference(index: int) -> str:
    value = (index * REFERENCE_STEP + 12_345) % REFERENCE_SPACE
    letters = []
    for _ in range(6):
        value, digit = divmod(value, 31)
        letters.append(REFERENCE_ALPHABET[digit])
    return "C-" + "".join(letters)


@dataclass(frozen=True)
class Chunk:
    index: int
    first_child: int
    referral_counts: tuple[int, ...]
    first_referral: int

    @property
    def referrals(self) -> int:
        return sum(self.referral_counts)


def plan_chunks(referral_total: int, seed: int) -> list[Chunk]:
    """Split ``referral_total`` referrals over children (one to three each, two on average)
    and the children into chunks, each knowing where its numbering starts."""
    rng = random.Random(f"{seed}:counts")
    counts: list[int] = []
    remaining = referral_total
    while remaining > 0:
        k = min(remaining, rng.choices((1, 2, 3), weights=(35, 30, 35))[0])
        counts.append(k)
        remaining -= k
    chunks = []
    first_referral = 0
    for index, start in enumerate(range(0, len(counts), CHILDREN_PER_CHUNK)):
        part = tuple(counts[start : start + CHILDREN_PER_CHUNK])
        chunks.append(Chunk(index, start, part, first_referral))
        first_referral += sum(part)
    return chunks


class Tables:
    """One :class:`bench.loader.Table` per model a chunk writes to."""

    def __init__(self, plaintext: bool) -> None:
        def t(model: Any) -> Table:
            return Table(model, plaintext=plaintext)

        self.child = t(children.Child)
        self.child_group = t(children.ChildGroupObjectPermission)
        self.child_user = t(children.ChildUserObjectPermission)
        self.consent = t(consent.ConsentRecord)
        self.consent_group = t(consent.ConsentRecordGroupPermission)
        self.referral = t(referrals.Referral)
        self.referral_group = t(referrals.ReferralGroupObjectPermission)
        self.event = t(referrals.ReferralEvent)
        self.disclosure = t(consent.Disclosure)
        self.disclosure_grant = t(consent.DisclosureGrant)
        self.disclosure_group = t(consent.DisclosureGroupPermission)
        self.disclosure_user = t(consent.DisclosureUserPermission)
        self.notification = t(Notification)
        self.plan = t(caseplans.CasePlan)
        self.plan_group = t(caseplans.CasePlanGroupObjectPermission)
        self.plan_user = t(caseplans.CasePlanUserObjectPermission)
        self.lead = t(caseplans.LeadAssignment)
        self.member = t(caseplans.TeamMember)
        self.action = t(caseplans.PlanAction)
        # Items before their assessment: where triggers stay on (SQLite), an item written
        # after its assessment is signed would be refused as a change to a signed one.
        self.item = t(caseplans.RiskItem)
        self.assessment = t(caseplans.RiskAssessment)
        self.review = t(caseplans.Review)
        self.attendee = t(caseplans.Review.attendees.through)
        self.plan_event = t(caseplans.PlanEvent)

    def all(self) -> list[Table]:
        return list(vars(self).values())


@dataclass
class _Referral:
    id: uuid.UUID
    index: int
    status: str
    created_at: datetime
    from_agency: AgencyInfo
    to_agency: AgencyInfo
    service_id: int
    created_by: int
    worker: int
    urgency: str
    times: dict[str, datetime]
    actions: tuple[str, ...]
    parent: _Referral | None = None
    disclosure: uuid.UUID | None = None

    @property
    def last(self) -> datetime:
        return max([self.created_at, *self.times.values()])

    @property
    def accepted_at(self) -> datetime | None:
        return self.times.get("accept")


class ChunkBuilder:
    """Builds the rows of one chunk. Not shared between chunks."""

    def __init__(self, world: World, tables: Tables, chunk: Chunk) -> None:
        self.world = world
        self.t = tables
        self.chunk = chunk
        self.rng = random.Random(f"{world.seed}:chunk:{chunk.index}")
        self.rows: dict[Table, list[tuple[Any, ...]]] = {table: [] for table in tables.all()}
        self.perm = world.permissions
        self.granted: set[tuple[Table, uuid.UUID, int, str]] = set()
        self.ct = world.content_types
        self.senders = {
            kind: world.by_kind(kind) for kind in SENDER_KIND_WEIGHTS if world.by_kind(kind)
        }
        self.targets = {
            (kind, region): world.by_kind(kind, region)
            for kind in RECEIVING_KINDS
            for region in range(world.regions)
        }

    # --- helpers ------------------------------------------------------------------------

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def add(self, table: Table, values: dict[str, Any]) -> None:
        self.rows[table].append(table.row(values))

    def weighted(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def hours(self, low: float, high: float) -> timedelta:
        return timedelta(hours=self.rng.uniform(low, high))

    def group_perm(self, table: Table, obj: uuid.UUID, group: int, codename: str) -> None:
        # Granting twice is harmless in the services (guardian keeps one row): here too.
        if (table, obj, group, codename) in self.granted:
            return
        self.granted.add((table, obj, group, codename))
        self.add(
            table,
            {"content_object_id": obj, "group_id": group, "permission_id": self.perm[codename]},
        )

    def user_perm(self, table: Table, obj: uuid.UUID, user: int, codename: str) -> None:
        if (table, obj, -user, codename) in self.granted:
            return
        self.granted.add((table, obj, -user, codename))
        self.add(
            table,
            {"content_object_id": obj, "user_id": user, "permission_id": self.perm[codename]},
        )

    # --- the chunk ----------------------------------------------------------------------

    def build(self) -> dict[Table, list[tuple[Any, ...]]]:
        referral_index = self.chunk.first_referral
        for offset, count in enumerate(self.chunk.referral_counts):
            self.child(self.chunk.first_child + offset, referral_index, count)
            referral_index += count
        return self.rows

    def child(self, index: int, first_referral: int, count: int) -> None:
        rng = self.rng
        keeper = rng.choice(self.senders[self.weighted(SENDER_KIND_WEIGHTS)])
        region = keeper.region
        recorder = rng.choice(keeper.people("helpline_worker", "social_worker", "practitioner"))
        planned = [self.referral_shape() for _ in range(count)]
        planned.sort(key=lambda shape: shape[1])
        child_id = self.uuid()
        consent_id = self.uuid()
        made: list[_Referral] = []
        for number, (status, made_at, urgency) in enumerate(planned, start=first_referral):
            made.append(
                self.referral(
                    number, status, made_at, urgency, keeper, recorder, region, made, child_id
                )
            )
        created_at = min(r.created_at for r in made) - self.hours(0.1, 2)
        self.child_record(index, child_id, keeper, recorder, created_at)
        withdrawn_at = None
        last = max(r.last for r in made)
        if rng.random() < WITHDRAWN_SHARE and last + 2 * DAY < self.world.now:
            withdrawn_at = last + self.hours(24, min(720, (self.world.now - last) / HOUR))
        self.consent(consent_id, child_id, keeper, recorder, created_at, withdrawn_at)
        self.shares(child_id, consent_id, keeper, made, withdrawn_at)
        if withdrawn_at is None:
            live: set[int] = set()
            for referral in made:
                self.case_plan(referral, child_id, consent_id, live)

    def referral_shape(self) -> tuple[str, datetime, str]:
        status = self.weighted(STATUS_WEIGHTS)
        window = OPEN_WINDOW_DAYS.get(status, HISTORY_DAYS)
        made_at = self.world.now - timedelta(days=self.rng.uniform(0.5, window))
        return status, made_at, self.weighted(URGENCY_WEIGHTS)

    def child_record(
        self, index: int, child_id: uuid.UUID, keeper: AgencyInfo, recorder: int, at: datetime
    ) -> None:
        rng = self.rng
        anonymous = rng.random() < 0.1
        given = "" if anonymous else rng.choice(GIVEN)
        family = "" if anonymous or rng.random() < 0.1 else rng.choice(FAMILY)
        born = None if anonymous else date(2008, 1, 1) + timedelta(days=rng.randrange(11 * 365))
        phone = "" if anonymous or rng.random() < 0.5 else f"07700 9{rng.randrange(10**5):05d}"
        email = "" if not phone or rng.random() < 0.4 else f"young.person{index}@mail.example"
        address = "" if anonymous or rng.random() < 0.6 else f"{rng.randrange(1, 200)} High Street"
        guardians = (
            []
            if anonymous or rng.random() < 0.4
            else [
                {
                    "name": f"{rng.choice(GIVEN)} {family or rng.choice(FAMILY)}",
                    "relationship": rng.choice(("mother", "father", "carer")),
                    "phone": f"07700 8{rng.randrange(10**5):05d}",
                    "email": "",
                }
            ]
        )
        matched = match_name(given, family)
        index_field = children.Child._meta.get_field("identity_index")
        self.add(
            self.t.child,
            {
                "id": child_id,
                "reference": child_reference(index),
                "given_name": given,
                "family_name": family,
                "preferred_name": "",
                "date_of_birth": born,
                "gender": "" if anonymous else rng.choice(("female", "male", "non-binary")),
                "phone": phone,
                "email": email,
                "address": address,
                "languages": ["en"] if rng.random() < 0.85 else ["en", "pl"],
                "guardian_contacts": guardians,
                "match_name": matched,
                "identity_index": index_field.digest_of([matched, born]) if matched else None,
                "is_anonymous": not any((given, family, born, phone, email, address)),
                "created_by_id": recorder,
                "created_by_agency_id": keeper.id,
                "created_at": at,
                "updated_at": at,
            },
        )
        for codename in ("view_child", "change_child"):
            self.group_perm(self.t.child_group, child_id, keeper.group_id, codename)

    def consent(
        self,
        consent_id: uuid.UUID,
        child_id: uuid.UUID,
        keeper: AgencyInfo,
        recorder: int,
        at: datetime,
        withdrawn_at: datetime | None,
    ) -> None:
        by_child = self.rng.random() < 0.4
        values = {
            "id": consent_id,
            "child_id": child_id,
            "given_by": "child" if by_child else "parent_carer",
            "given_by_relationship": "" if by_child else "parent",
            "given_by_name": "" if by_child else f"{self.rng.choice(GIVEN)} (parent)",
            "child_competent": True if by_child else None,
            "capacity_note": "Understands what will be shared and why." if by_child else "",
            "recipient_kinds": [*RECEIVING_KINDS, "helpline"],
            "categories": sorted(DataCategory.values),
            "purposes": sorted(Purpose.values),
            "valid_from": at,
            "status": "withdrawn" if withdrawn_at else "active",
            "recorded_by_id": recorder,
            "recorded_by_agency_id": keeper.id,
            "recorded_at": at,
        }
        if withdrawn_at:
            values |= {
                "withdrawn_by_id": recorder,
                "withdrawn_by_agency_id": keeper.id,
                "withdrawn_at": withdrawn_at,
                "withdrawal_reason": "The young person no longer wants information shared.",
            }
        self.add(self.t.consent, values)
        for codename in ("view_consentrecord", "change_consentrecord"):
            self.group_perm(self.t.consent_group, consent_id, keeper.group_id, codename)

    # --- referrals ------------------------------------------------------------------------

    def referral(
        self,
        index: int,
        status: str,
        made_at: datetime,
        urgency: str,
        keeper: AgencyInfo,
        recorder: int,
        region: int,
        earlier: list[_Referral],
        child_id: uuid.UUID,
    ) -> _Referral:
        rng = self.rng
        parent = None
        worked = [r for r in earlier if r.accepted_at and r.accepted_at < made_at]
        if worked and rng.random() < 0.5:
            parent = rng.choice(worked)
        if parent is not None:
            sender = parent.to_agency
            created_by = rng.choice(sender.people("social_worker", "practitioner"))
        else:
            sender, created_by = keeper, recorder
        kind = self.weighted({k: w for k, w in TARGET_KIND_WEIGHTS.items() if k != sender.kind})
        candidates = self.targets[kind, region] if rng.random() < 0.9 else self.world.by_kind(kind)
        to_agency = rng.choice([a for a in candidates if a.id != sender.id] or candidates)
        service = rng.choice(to_agency.services)
        actions = rng.choice(ROUTES[status])
        times = self.route_times(actions, made_at, urgency, service.ack_hours[urgency])
        referral = _Referral(
            id=self.uuid(),
            index=index,
            status=status,
            created_at=made_at,
            from_agency=sender,
            to_agency=to_agency,
            service_id=service.id,
            created_by=created_by,
            worker=rng.choice(to_agency.people("social_worker", "practitioner")),
            urgency=urgency,
            times=times,
            actions=actions,
            parent=parent,
        )
        if referral.last > self.world.now:
            shift = referral.last - self.world.now + self.hours(1, 48)
            referral.created_at -= shift
            referral.times = {name: at - shift for name, at in times.items()}
        needs = list(service.needs)
        rng.shuffle(needs)
        self.write_referral(referral, child_id, needs[: rng.randint(1, len(needs))], service)
        return referral

    def route_times(
        self, actions: tuple[str, ...], start: datetime, urgency: str, ack_hours: int
    ) -> dict[str, datetime]:
        respond = RESPONSE_HOURS[urgency]
        steps = {
            "send": (0.05, 2),
            "acknowledge": (0.1, ack_hours * 1.3),
            "accept": (1, respond * 1.2),
            "decline": (1, respond * 1.2),
            "start": (1, 72),
            "hold": (24, 500),
            "complete": (48, 2000),
            "fail": (48, 2000),
            "cancel": (1, 48),
        }
        times = {}
        at = start
        for action in actions:
            at = at + self.hours(*steps[action])
            times[action] = at
        return times

    def write_referral(
        self,
        r: _Referral,
        child_id: uuid.UUID,
        needs: list[str],
        service: Any,
    ) -> None:
        times = r.times
        sent_at = times.get("send")
        acknowledged = [times[a] for a in ("acknowledge", "accept", "decline") if a in times]
        responded = [times[a] for a in ("accept", "decline", "cancel") if a in times]
        if sent_at is not None:
            r.disclosure = self.uuid()
        values = {
            "id": r.id,
            "reference": f"R-{r.created_at.year}-{r.index + 1:07d}",
            "child_id": child_id,
            "parent_id": r.parent.id if r.parent else None,
            "from_agency_id": r.from_agency.id,
            "created_by_id": r.created_by,
            "service_id": r.service_id,
            "to_agency_id": r.to_agency.id,
            "need_categories": needs,
            "urgency": r.urgency,
            "concern": self.rng.choice(CONCERNS),
            "shared_categories": SHARED,
            "purpose": Purpose.SUPPORT.value,
            "disclosure_id": r.disclosure,
            "status": r.status,
            "acknowledge_by": sent_at + service.ack_hours[r.urgency] * HOUR if sent_at else None,
            "respond_by": sent_at + RESPONSE_HOURS[r.urgency] * HOUR if sent_at else None,
            "sent_at": sent_at,
            "acknowledged_at": min(acknowledged) if acknowledged else None,
            "responded_at": min(responded) if responded else None,
            "closed_at": r.last if r.status in CLOSED_STATUSES else None,
            "decline_reason": NOTES["decline"] if r.status == S.DECLINED else "",
            "outcome": NOTES["complete"] if r.status == S.COMPLETED else "",
            "created_at": r.created_at,
            "updated_at": r.last,
        }
        self.add(self.t.referral, values)
        self.group_perm(self.t.referral_group, r.id, r.from_agency.group_id, "view_referral")
        self.history(r)

    def history(self, r: _Referral) -> None:
        status = S.DRAFT
        self.event(r, "create", "", S.DRAFT, r.created_by, r.from_agency, r.created_at)
        for action in r.actions:
            target = TARGET[action]
            if action in SENDER_ACTIONS:
                by, agency = r.created_by, r.from_agency
            else:
                by, agency = r.worker, r.to_agency
            self.event(r, action, status, target, by, agency, r.times[action])
            self.tell(r, action, r.times[action])
            status = target

    def event(
        self,
        r: _Referral,
        action: str,
        from_status: str,
        to_status: str,
        by: int,
        agency: AgencyInfo,
        at: datetime,
    ) -> None:
        self.add(
            self.t.event,
            {
                "id": self.uuid(),
                "referral_id": r.id,
                "action": action,
                "from_status": from_status,
                "to_status": to_status,
                "by_id": by,
                "by_agency_id": agency.id,
                "at": at,
                "note": NOTES.get(action, ""),
            },
        )

    def tell(self, r: _Referral, action: str, at: datetime) -> None:
        """Notifications as the services send them; for a new referral, the receiving
        agency's first duty manager (the rota that watches the inbox) stands for everyone
        told, to keep the table to a few rows per referral."""
        if action == "send" or (action == "cancel" and "send" in r.times):
            kind = (
                NotificationKind.REFERRAL_SENT
                if action == "send"
                else NotificationKind.REFERRAL_CANCELLED
            )
            recipients = r.to_agency.people("duty_manager")[:1]
        elif action in TOLD_SENDER:
            kind, recipients = TOLD_SENDER[action], [r.created_by]
        else:
            return
        reference = f"R-{r.created_at.year}-{r.index + 1:07d}"
        text = render_text(kind, reference)
        read = at + self.hours(0.1, 48) if at < self.world.now - 7 * DAY else None
        for recipient in recipients:
            self.add(
                self.t.notification,
                {
                    "recipient_id": recipient,
                    "kind": kind.value,
                    "object_type": "referrals.referral",
                    "object_id": str(r.id),
                    "reference": reference,
                    "text": text,
                    "created_at": at,
                    "read_at": read,
                },
            )

    def shares(
        self,
        child_id: uuid.UUID,
        consent_id: uuid.UUID,
        keeper: AgencyInfo,
        made: list[_Referral],
        withdrawn_at: datetime | None,
    ) -> None:
        """The share each sent referral made, and the grants it gave (or, after a withdrawal,
        gave and then lost)."""
        viewers: set[int] = set()
        for r in made:
            if r.disclosure is None:
                continue
            sent_at = r.times["send"]
            ended = (
                {"ended_at": withdrawn_at, "end_reason": "consent_withdrawn"}
                if withdrawn_at
                else {}
            )
            self.add(
                self.t.disclosure,
                {
                    "id": r.disclosure,
                    "child_id": child_id,
                    "categories": sorted(SHARED),
                    "purpose": Purpose.SUPPORT.value,
                    "recipient_agency_id": r.to_agency.id,
                    "disclosed_by_id": r.created_by,
                    "disclosed_by_agency_id": r.from_agency.id,
                    "disclosed_at": sent_at,
                    "basis": "consent",
                    "consent_id": consent_id,
                    "subject_type_id": self.ct["referrals.referral"],
                    "subject_id": str(r.id),
                    **ended,
                },
            )
            released = {"released_at": withdrawn_at, "revoked": True} if withdrawn_at else {}
            for label, obj, codename in (
                ("children.child", child_id, "view_child"),
                ("referrals.referral", r.id, "view_referral"),
            ):
                self.add(
                    self.t.disclosure_grant,
                    {
                        "disclosure_id": r.disclosure,
                        "content_type_id": self.ct[label],
                        "object_id": str(obj),
                        "permission": codename,
                        "agency_id": r.to_agency.id,
                        **released,
                    },
                )
            for group in (r.from_agency.group_id, r.to_agency.group_id):
                self.group_perm(self.t.disclosure_group, r.disclosure, group, "view_disclosure")
            if withdrawn_at is None:
                self.group_perm(self.t.referral_group, r.id, r.to_agency.group_id, "view_referral")
                if r.to_agency.id != keeper.id:
                    viewers.add(r.to_agency.group_id)
        for group in viewers:
            self.group_perm(self.t.child_group, child_id, group, "view_child")

    # --- case plans -----------------------------------------------------------------------

    def case_plan(
        self, r: _Referral, child_id: uuid.UUID, consent_id: uuid.UUID, live: set[int]
    ) -> None:
        rng = self.rng
        agency = r.to_agency
        if agency.kind != "social_services" or r.status not in WORKED:
            return
        if rng.random() >= PLAN_SHARE or agency.id in live:
            return
        now = self.world.now
        opened = r.times["accept"] + self.hours(1, 48)
        if opened >= now:
            return
        status = {S.ACCEPTED: "open", S.COMPLETED: "closed", S.FAILED: "closed"}.get(
            r.status, "active"
        )
        activated = opened + self.hours(1, 72) if status != "open" else None
        closed = r.last + self.hours(1, 72) if status == "closed" else None
        if (activated and activated >= now) or (closed and closed >= now):
            status, closed = "open", None
            activated = None
        if status != "closed":
            live.add(agency.id)
        workers = agency.people("social_worker")
        lead, colleague = rng.sample(workers, 2) if len(workers) > 1 else (workers[0],) * 2
        plan_id = self.uuid()
        self.add(
            self.t.plan,
            {
                "id": plan_id,
                "reference": f"CP-{opened.year}-{r.index + 1:07d}",
                "child_id": child_id,
                "lead_id": lead,
                "lead_agency_id": agency.id,
                "source_referral_id": r.id,
                "phase": rng.choice(
                    ("immediate", "investigation", "legal_proceedings", "recovery")
                ),
                "status": status,
                "goals": "Keep the young person safe online and at home; support recovery "
                "through therapy; support the family through the investigation.",
                "closure_reason": "needs_met" if closed else "",
                "closure_note": "Goals met; family supported by universal services."
                if closed
                else "",
                "closed_at": closed,
                "created_by_id": lead,
                "created_at": opened,
                "updated_at": closed or activated or opened,
            },
        )
        self.group_perm(self.t.plan_group, plan_id, agency.group_id, "view_caseplan")
        self.add(
            self.t.lead,
            {
                "id": self.uuid(),
                "plan_id": plan_id,
                "lead_id": lead,
                "since": opened,
                "assigned_by_id": lead,
            },
        )
        members = self.team(plan_id, r, child_id, consent_id, lead, colleague, opened)
        self.plan_event(plan_id, "created", opened, lead, agency, person_id=lead, referral_id=r.id)
        for member_id, person, role in members[1:]:
            self.plan_event(
                plan_id,
                "member_added",
                opened,
                lead,
                agency,
                person_id=person,
                subject_id=member_id,
                to_value=role,
            )
        external = members[-1]
        self.actions(plan_id, agency, lead, colleague, external, opened, status)
        if activated:
            self.plan_event(
                plan_id, "activated", activated, lead, agency, from_value="open", to_value="active"
            )
        self.assessments(plan_id, agency, lead, opened, activated, closed or now)
        self.reviews(plan_id, agency, lead, colleague, opened, activated, closed)
        if closed:
            self.plan_event(
                plan_id, "closed", closed, lead, agency, from_value="active", to_value="needs_met"
            )

    def team(
        self,
        plan_id: uuid.UUID,
        r: _Referral,
        child_id: uuid.UUID,
        consent_id: uuid.UUID,
        lead: int,
        colleague: int,
        at: datetime,
    ) -> list[tuple[uuid.UUID, int, str]]:
        agency = r.to_agency
        members = []
        for person, role in ((lead, "lead"), (colleague, "social_worker")):
            member_id = self.uuid()
            self.add(
                self.t.member,
                {
                    "id": member_id,
                    "plan_id": plan_id,
                    "user_id": person,
                    "agency_id": agency.id,
                    "role": role,
                    "started_at": at,
                    "added_by_id": lead,
                },
            )
            self.user_perm(self.t.plan_user, plan_id, person, "view_caseplan")
            members.append((member_id, person, role))
        kind = self.rng.choice(("police", "health"))
        partner = self.rng.choice(self.targets[(kind, agency.region)] or self.world.by_kind(kind))
        person = self.rng.choice(partner.people("practitioner"))
        role = "police_officer" if kind == "police" else "health_practitioner"
        disclosure = self.uuid()
        self.add(
            self.t.disclosure,
            {
                "id": disclosure,
                "child_id": child_id,
                "categories": TEAM_SHARE,
                "purpose": Purpose.SUPPORT.value,
                "recipient_agency_id": partner.id,
                "recipient_user_id": person,
                "disclosed_by_id": lead,
                "disclosed_by_agency_id": agency.id,
                "disclosed_at": at,
                "basis": "consent",
                "consent_id": consent_id,
                "subject_type_id": self.ct["caseplans.caseplan"],
                "subject_id": str(plan_id),
            },
        )
        for label, obj, codename, table in (
            ("children.child", child_id, "view_child", self.t.child_user),
            ("caseplans.caseplan", plan_id, "view_caseplan", self.t.plan_user),
        ):
            self.add(
                self.t.disclosure_grant,
                {
                    "disclosure_id": disclosure,
                    "content_type_id": self.ct[label],
                    "object_id": str(obj),
                    "permission": codename,
                    "user_id": person,
                },
            )
            self.user_perm(table, obj, person, codename)
        self.group_perm(self.t.disclosure_group, disclosure, agency.group_id, "view_disclosure")
        self.user_perm(self.t.disclosure_user, disclosure, person, "view_disclosure")
        member_id = self.uuid()
        self.add(
            self.t.member,
            {
                "id": member_id,
                "plan_id": plan_id,
                "user_id": person,
                "agency_id": partner.id,
                "role": role,
                "disclosure_id": disclosure,
                "started_at": at,
                "added_by_id": lead,
            },
        )
        members.append((member_id, person, role))
        return members

    def actions(
        self,
        plan_id: uuid.UUID,
        agency: AgencyInfo,
        lead: int,
        colleague: int,
        external: tuple[uuid.UUID, int, str],
        at: datetime,
        status: str,
    ) -> None:
        rng = self.rng
        for position, need in enumerate(rng.sample(PLAN_NEEDS, 3)):
            if status == "closed":
                state = rng.choice(("done", "done", "not_needed"))
            elif status == "active":
                state = rng.choice(("planned", "in_progress", "in_progress", "done"))
            else:
                state = "planned"
            person = external[1] if position == 2 else colleague
            action_id = self.uuid()
            created = at + position * HOUR
            self.add(
                self.t.action,
                {
                    "id": action_id,
                    "plan_id": plan_id,
                    "need_category": need.value,
                    "description": f"Arrange {need.label.lower()} and agree who takes the lead.",
                    "responsible_agency_id": agency.id if position < 2 else None,
                    "responsible_person_id": person,
                    "due_date": (at + timedelta(days=14 * (position + 1))).date(),
                    "status": state,
                    "outcome": "Completed with the young person's agreement."
                    if state == "done"
                    else "",
                    "created_by_id": lead,
                    "created_at": created,
                    "updated_at": created,
                },
            )
            self.plan_event(
                plan_id,
                "action_added",
                created,
                lead,
                agency,
                subject_id=action_id,
                topic=need.value,
                to_value="planned",
            )

    def assessments(
        self,
        plan_id: uuid.UUID,
        agency: AgencyInfo,
        lead: int,
        opened: datetime,
        activated: datetime | None,
        until: datetime,
    ) -> None:
        if activated is None:
            self.assessment(plan_id, agency, lead, opened + HOUR, None, None, until)
            return
        first_signed = activated + self.hours(1, 96)
        previous = None
        signings = [first_signed]
        second = first_signed + timedelta(days=90)
        if second < until:
            signings.append(second)
        for signed in signings:
            if signed >= until:
                break
            previous = self.assessment(
                plan_id, agency, lead, signed - HOUR, signed, previous, until
            )

    def assessment(
        self,
        plan_id: uuid.UUID,
        agency: AgencyInfo,
        lead: int,
        created: datetime,
        signed: datetime | None,
        supersedes: uuid.UUID | None,
        until: datetime,
    ) -> uuid.UUID:
        rng = self.rng
        assessment_id = self.uuid()
        self.add(
            self.t.assessment,
            {
                "id": assessment_id,
                "plan_id": plan_id,
                "status": "signed" if signed else "draft",
                "supersedes_id": supersedes,
                "next_review_date": ((signed or created) + timedelta(days=90)).date(),
                "summary": "Contact with the offender stopped; risk of re-victimisation "
                "through circulating images remains.",
                "created_by_id": lead,
                "created_at": created,
                "updated_at": signed or created,
                "signed_by_id": lead if signed else None,
                "signed_at": signed,
            },
        )
        for domain in rng.sample(list(caseplans.RiskDomain.values), 3):
            likelihood, severity = rng.randint(1, 5), rng.randint(1, 5)
            self.add(
                self.t.item,
                {
                    "id": self.uuid(),
                    "assessment_id": assessment_id,
                    "domain": domain,
                    "likelihood": likelihood,
                    "severity": severity,
                    "mitigation": "Safety plan agreed; devices checked with the family.",
                    "residual_likelihood": rng.randint(1, likelihood),
                    "residual_severity": rng.randint(1, severity),
                },
            )
        self.plan_event(
            plan_id, "assessment_started", created, lead, agency, subject_id=assessment_id
        )
        if signed:
            self.plan_event(
                plan_id,
                "assessment_signed",
                signed,
                lead,
                agency,
                subject_id=assessment_id,
                to_value="signed",
            )
        return assessment_id

    def reviews(
        self,
        plan_id: uuid.UUID,
        agency: AgencyInfo,
        lead: int,
        colleague: int,
        opened: datetime,
        activated: datetime | None,
        closed: datetime | None,
    ) -> None:
        held_on = opened + timedelta(days=14)
        end = closed or self.world.now
        if activated is not None and held_on < end:
            review_id = self.uuid()
            self.add(
                self.t.review,
                {
                    "id": review_id,
                    "plan_id": plan_id,
                    "status": "held",
                    "scheduled_for": held_on.date(),
                    "scheduled_by_id": lead,
                    "held_on": held_on.date(),
                    "other_attendees": "The young person and their mother.",
                    "decisions": "Continue therapy; review school attendance next time.",
                    "next_review_date": (held_on + timedelta(days=28)).date(),
                    "recorded_by_id": lead,
                    "recorded_at": held_on,
                    "created_at": opened,
                },
            )
            for person in {lead, colleague}:
                self.rows[self.t.attendee].append(
                    self.t.attendee.row({"review_id": review_id, "user_id": person})
                )
            self.plan_event(plan_id, "review_held", held_on, lead, agency, subject_id=review_id)
            next_on = held_on + timedelta(days=28)
        else:
            next_on = held_on
        if closed is None:
            review_id = self.uuid()
            self.add(
                self.t.review,
                {
                    "id": review_id,
                    "plan_id": plan_id,
                    "status": "scheduled",
                    "scheduled_for": next_on.date(),
                    "scheduled_by_id": lead,
                    "created_at": opened,
                },
            )
            self.plan_event(
                plan_id,
                "review_scheduled",
                opened,
                lead,
                agency,
                subject_id=review_id,
                to_value=next_on.date().isoformat(),
            )

    def plan_event(
        self,
        plan_id: uuid.UUID,
        kind: str,
        at: datetime,
        by: int,
        agency: AgencyInfo,
        **values: Any,
    ) -> None:
        self.add(
            self.t.plan_event,
            {
                "id": self.uuid(),
                "plan_id": plan_id,
                "kind": kind,
                "at": at,
                "by_id": by,
                "by_agency_id": agency.id,
                "note": "",
                **values,
            },
        )


def build_chunk(world: World, tables: Tables, chunk: Chunk) -> Iterator[tuple[Table, list]]:
    """The rows of one chunk, table by table (parents before children, for readability)."""
    rows = ChunkBuilder(world, tables, chunk).build()
    for table in tables.all():
        if rows[table]:
            yield table, rows[table]
