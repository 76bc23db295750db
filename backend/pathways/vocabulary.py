"""The directory's controlled vocabularies, defined once: referrals and case plans import them.

Stored values never change once in use (they are in referrals, exports and other systems);
labels may be reworded freely.
"""

from django.db import models


class NeedCategory(models.TextChoices):
    """What kind of help a child or young person needs; services and pathways are indexed by it."""

    EMERGENCY_ACCOMMODATION = "emergency_accommodation", "Emergency accommodation"
    MEDICAL_CARE = "medical_care", "Medical care"
    FORENSIC_MEDICAL_EXAMINATION = "forensic_medical_examination", "Forensic medical examination"
    SEXUAL_HEALTH = "sexual_health", "Sexual health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    THERAPY = "therapy", "Therapy"
    POLICE_INVESTIGATION = "police_investigation", "Police investigation"
    LEGAL_ADVOCACY = "legal_advocacy", "Legal advocacy"
    COURT_SUPPORT = "court_support", "Court support"
    EDUCATION_SUPPORT = "education_support", "Education support"
    FINANCIAL_ASSISTANCE = "financial_assistance", "Financial assistance"
    RELOCATION = "relocation", "Relocation"
    PEER_SUPPORT = "peer_support", "Peer support"
    HELPLINE_SUPPORT = "helpline_support", "Helpline support"
    ONLINE_CONTENT_REMOVAL = "online_content_removal", "Online content removal"
    FAMILY_SUPPORT = "family_support", "Family support"


class Urgency(models.TextChoices):
    """The agreed priority of a referral: how soon the receiving service must act.

    * ``immediate`` — the child is at risk of significant harm now (e.g. ongoing exploitation,
      a planned meeting with an offender, self-harm risk). Act at once, by phone as well as
      through the platform; acknowledgement is measured in minutes to a few hours.
    * ``within_24h`` — serious harm has happened or is likely soon, but the child is safe for
      the moment (e.g. a recent disclosure, evidence that may be lost). Act the same or next
      day.
    * ``within_72h`` — harm or risk that needs a planned response this week (e.g. a
      disclosure about past abuse with the child now safe). Act within three days.
    * ``routine`` — support and recovery needs without current risk (e.g. therapy, peer
      support, education help). Act within the service's normal waiting time.

    Members are declared from most to least urgent; :data:`URGENCY_ORDER` relies on that.
    """

    IMMEDIATE = "immediate", "Immediate"
    WITHIN_24H = "within_24h", "Within 24 hours"
    WITHIN_72H = "within_72h", "Within 72 hours"
    ROUTINE = "routine", "Routine"


URGENCY_ORDER: dict[str, int] = {value: rank for rank, value in enumerate(Urgency.values)}

# Acknowledgement times a new service starts with, in hours; each service sets its own.
DEFAULT_ACKNOWLEDGEMENT_HOURS: dict[str, int] = {
    Urgency.IMMEDIATE: 1,
    Urgency.WITHIN_24H: 4,
    Urgency.WITHIN_72H: 24,
    Urgency.ROUTINE: 72,
}


class IntakeStatus(models.TextChoices):
    """Whether a service takes new referrals now. Closed services are never suggested first."""

    ACCEPTING = "accepting", "Accepting referrals"
    WAITLIST = "waitlist", "Waiting list"
    CLOSED = "closed", "Closed to new referrals"


class PathwayStatus(models.TextChoices):
    """A pathway version's life: drafted, published for use, then retired (kept for the record)."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class LocationType(models.TextChoices):
    """HSDS ``location.location_type``."""

    PHYSICAL = "physical", "Physical"
    VIRTUAL = "virtual", "Virtual"


class MatchSource(models.TextChoices):
    """Why a service is in a match result: a pathway step, or a fitting directory entry."""

    PATHWAY = "pathway", "Step of a published pathway"
    DIRECTORY = "directory", "Fitting service in the directory"


class MatchReasonCode(models.TextChoices):
    PATHWAY_STEP = "pathway_step", "On a matching pathway"
    NEED = "need", "Meets the need"
    AGE = "age", "Age is eligible"
    REGION = "region", "Serves the region"
    INTAKE = "intake", "Intake status"
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement time"


class HsdsObjectType(models.TextChoices):
    """The HSDS 3.0 objects the directory exchanges."""

    ORGANIZATION = "organization", "Organization"
    SERVICE = "service", "Service"
    LOCATION = "location", "Location"
    SERVICE_AT_LOCATION = "service_at_location", "Service at location"
