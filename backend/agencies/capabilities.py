"""What each role may do, in words the interface can use to decide what to offer.

The API enforces every rule itself; this list only tells the web app which screens and
buttons make sense for the signed-in person.
"""

from agencies.models import Role

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.HELPLINE_WORKER: frozenset(
        {"referrals.create", "children.create", "children.view", "consents.record"}
    ),
    Role.SOCIAL_WORKER: frozenset(
        {
            "referrals.create",
            "referrals.receive",
            "children.create",
            "children.view",
            "consents.record",
            "caseplans.lead",
        }
    ),
    Role.PRACTITIONER: frozenset(
        {"referrals.create", "referrals.receive", "children.view", "consents.record"}
    ),
    Role.DUTY_MANAGER: frozenset(
        {
            "referrals.receive",
            "sharing.authorise_override",
            "caseplans.oversee",
            "children.view",
            "consents.record",
        }
    ),
    Role.AGENCY_ADMIN: frozenset({"agency.manage", "directory.manage"}),
    Role.DPO: frozenset({"audit.view", "children.view", "children.subject_access"}),
}


def capabilities_for(roles: set[str]) -> list[str]:
    return sorted(set().union(*(ROLE_CAPABILITIES.get(role, frozenset()) for role in roles)))
