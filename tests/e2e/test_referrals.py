"""Referrals end to end: the helpline flow, live notifications, the inbox and the detail page,
and the case plan opened from an accepted referral.

The golden path runs in several browser contexts at once (one person each), against the
real platform: what one person does reaches the other's open page over the WebSocket.
Each phase is a function, so later screens can add theirs in between.
"""

import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import LiveApp
from tests.e2e.screens import api_as, check_screen, sign_in

pytestmark = pytest.mark.browser

CONCERN = "Told the helpline that an adult met online keeps asking for pictures."


@dataclass(frozen=True)
class SentReferral:
    reference: str
    path: str
    child_reference: str


@dataclass(frozen=True)
class OpenedPlan:
    reference: str
    path: str
    child_path: str


def bell(page: Page) -> Locator:
    return page.get_by_role("link", name=re.compile(r"^Notifications"))


def unread(page: Page) -> int:
    count = page.get_by_test_id("unread-count")
    if count.count() == 0:
        return 0
    return int(re.match(r"\d+", count.inner_text()).group(0))


def expect_unread(page: Page, count: int) -> None:
    if count:
        expect(page.get_by_test_id("unread-count")).to_have_text(re.compile(rf"^{count}\b"))
    else:
        expect(page.get_by_test_id("unread-count")).to_have_count(0)


def continue_to(page: Page, step: str) -> None:
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=2, name=re.compile(f"{step}$"))).to_be_focused()


def helpline_sends_a_referral_for_a_new_child_with_consent(page: Page) -> SentReferral:
    """helpline.north, signed in: the whole flow, consent captured on the way."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New referral").click()
    expect(page).to_have_title("New referral · Safeguarding platform")
    check_screen(page, "new-referral-child")

    page.get_by_label("New to the platform").check()
    page.get_by_label("Given name").fill("Robin")
    page.get_by_label("Family name").fill(f"Example-{time.monotonic_ns()}")
    page.get_by_label("Date of birth").fill("2012-05-01")
    continue_to(page, "Concern and urgency")
    page.get_by_label("The concern").fill(CONCERN)
    page.get_by_role("button", name="Continue").click()
    # Nothing is lost by a refusal to move on: the missing choice is named beside it.
    expect(page.get_by_role("alert")).to_contain_text("Choose how urgent it is.")
    expect(page.get_by_label("The concern")).to_have_value(CONCERN)
    page.get_by_label("Within 24 hours").check()
    check_screen(page, "new-referral-concern")
    continue_to(page, "Needs")
    page.get_by_label("Family support").check()
    continue_to(page, "Service")
    north_family_support = page.get_by_role(
        "radio", name=re.compile(r"^Family Support Service\s*North Social Services")
    ).first
    expect(page.get_by_text(re.compile("Step 1 of the pathway")).first).to_be_visible()
    check_screen(page, "new-referral-service")
    north_family_support.check()
    continue_to(page, "Sharing")

    expect(page.get_by_text(re.compile(r"^Not yet: No consent covers this share"))).to_be_visible()
    check_screen(page, "new-referral-sharing")
    consent = page.get_by_role("region", name="Record the child's consent")
    consent.get_by_label("A parent or carer").check()
    consent.get_by_role("button", name="Record consent decision").click()
    expect(consent.get_by_label("Relationship to the child")).to_have_attribute(
        "aria-invalid", "true"
    )
    consent.get_by_label("Relationship to the child").fill("Mother")
    # The mother agrees the police may join the case team later: told who the child is, what
    # was disclosed and the case plan, but not the child's health or contact details.
    consent.get_by_role("group", name="Other kinds of agency it also covers").get_by_label(
        "Police", exact=True
    ).check()
    consent.get_by_role("group", name="Other information it also covers").get_by_label(
        "Case plan", exact=True
    ).check()
    consent.get_by_role("button", name="Record consent decision").click()
    expect(
        page.get_by_text(re.compile(r"^Yes: A consent record covers this share"))
    ).to_be_visible()

    # Back and forth: what was typed is still there.
    page.get_by_role("button", name="Back", exact=True).click()
    page.get_by_role("button", name="Back", exact=True).click()
    page.get_by_role("button", name="Back", exact=True).click()
    expect(page.get_by_label("The concern")).to_have_value(CONCERN)
    continue_to(page, "Needs")
    continue_to(page, "Service")
    continue_to(page, "Sharing")
    continue_to(page, "Check and send")
    expect(page.get_by_text("Family Support Service, North Social Services")).to_be_visible()
    check_screen(page, "new-referral-review")

    page.get_by_role("button", name="Send referral").click()
    sent = page.get_by_role("heading", level=2, name=re.compile(r"^Referral R-\d{4}-\d+ sent$"))
    expect(sent).to_be_focused()
    reference = re.search(r"R-\d{4}-\d+", sent.inner_text()).group(0)
    check_screen(page, "new-referral-sent")
    page.get_by_role("link", name=f"Open referral {reference}").click()
    expect(page.get_by_role("heading", level=1, name=f"Referral {reference}")).to_be_visible()
    child_reference = page.get_by_role("region", name="The child").locator("dd").first.inner_text()
    assert "Robin" not in page.url
    assert "Robin" not in page.title()
    return SentReferral(
        reference=reference, path=urlsplit(page.url).path, child_reference=child_reference
    )


def social_worker_is_told_live_and_accepts(page: Page, referral: SentReferral) -> None:
    """social.north, whose page has been open all along: no reload anywhere here."""
    link = page.get_by_role("link", name=f"New referral {referral.reference} for your service.")
    expect(link.first).to_be_visible()
    check_screen(page, "home-with-new-referral")
    bell(page).click()
    expect(page.get_by_role("heading", level=1, name="Notifications")).to_be_visible()
    check_screen(page, "notifications")
    before = unread(page)
    page.get_by_role("link", name=f"New referral {referral.reference} for your service.").click()
    expect(
        page.get_by_role("heading", level=1, name=f"Referral {referral.reference}")
    ).to_be_visible()
    # Opening a notification marks it read.
    expect_unread(page, before - 1)
    expect(page.get_by_text(re.compile(r"^Acknowledge by"))).to_be_visible()

    # The concern stays closed until asked for, and closes again on the way out.
    expect(page.get_by_text(CONCERN)).to_have_count(0)
    show = page.get_by_role("button", name="Show concern")
    expect(show).to_have_attribute("aria-expanded", "false")
    check_screen(page, "referral-received")
    show.click()
    expect(page.get_by_text(CONCERN)).to_be_visible()
    expect(page.get_by_role("button", name="Hide concern")).to_have_attribute(
        "aria-expanded", "true"
    )
    check_screen(page, "referral-concern-shown")

    actions = page.get_by_role("region", name="What you can do")
    expect(actions.get_by_role("button")).to_have_text(["Acknowledge", "Accept", "Decline"])
    actions.get_by_role("button", name="Acknowledge").click()
    actions.get_by_role("button", name="Acknowledge referral").click()
    expect(page.get_by_role("status").filter(has_text="acknowledged")).to_be_visible()
    expect(actions.get_by_role("button")).to_have_text(["Accept", "Decline"])
    actions.get_by_role("button", name="Accept").click()
    actions.get_by_role("button", name="Accept referral").click()
    expect(page.get_by_text("The referral was accepted: the sender has been told.")).to_be_visible()
    expect(page.get_by_role("region", name="Summary")).to_contain_text("Accepted")
    expect(page.get_by_role("region", name="History")).to_contain_text("Acknowledged → Accepted")
    expect(page.get_by_role("link", name="Make an onward referral")).to_be_visible()
    check_screen(page, "referral-accepted")

    page.get_by_role("link", name="Back to referrals").click()
    expect(page.get_by_role("heading", level=1, name="Referrals")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("button", name="Show concern")).to_be_visible()
    expect(page.get_by_text(CONCERN)).to_have_count(0)
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0


def social_worker_opens_a_case_plan_and_adds_the_police(
    page: Page, referral: SentReferral
) -> OpenedPlan:
    """social.north, on the accepted referral: opens the plan, and adds police.north to the
    team under the child's consent, which covers some categories only."""
    plans = page.get_by_role("region", name="Case plans")
    plans.get_by_role("button", name="Open a case plan").click()
    heading = page.get_by_role("heading", level=1, name=re.compile(r"^Case plan CP-"))
    expect(heading).to_be_visible()
    expect(page.get_by_text("The case plan is open: you lead it.")).to_be_visible()
    reference = re.search(r"CP-\S+", heading.inner_text()).group(0)
    expect(page).to_have_title("Case plan · Safeguarding platform")
    assert "Robin" not in page.url
    summary = page.get_by_role("region", name="Summary")
    expect(summary).to_contain_text(referral.child_reference)
    expect(summary).to_contain_text(f"Referral {referral.reference}")
    expect(page.get_by_role("region", name="Case team")).to_contain_text("Sam North, Case lead")
    expect(page.get_by_role("table", name=re.compile("^The current assessment"))).to_have_count(0)
    check_screen(page, "case-plan-opened")

    team = page.get_by_role("region", name="Case team")
    team.get_by_role("button", name="Add a team member").click()
    team.get_by_label("Agency").select_option(label="North Police")
    team.get_by_label("Person").select_option(label="Pat Price (Practitioner)")
    team.get_by_label("Role on the case").select_option(label="Police officer")
    also = team.get_by_role("group", name="Also share")
    for category in ("Identity", "Disclosure narrative", "Health"):
        also.get_by_label(category, exact=True).check()
    team.get_by_role("button", name="Add to the team").click()
    # The consent does not cover health: refused with the platform's reason, nothing lost.
    refusal = team.get_by_role("alert")
    expect(refusal).to_contain_text("They were not added: nothing allows sharing with them.")
    expect(refusal).to_contain_text("No consent covers this share")
    expect(team.get_by_label("Person")).to_have_value(re.compile(r"^\d+$"))
    check_screen(page, "case-plan-team-refused")

    also.get_by_label("Health", exact=True).uncheck()
    team.get_by_role("button", name="Add to the team").click()
    expect(
        team.get_by_text("Pat Price has joined the team; what was shared with them is recorded.")
    ).to_be_visible()
    expect(team).to_contain_text("Pat Price, Police officer")
    expect(team).to_contain_text("North Police")
    disclosures = page.get_by_role("region", name="Disclosures for this plan")
    expect(disclosures).to_contain_text("To police.north, North Police")
    expect(disclosures).to_contain_text("Case plan, Disclosure narrative, Identity")
    check_screen(page, "case-plan-team-added")
    plan_path = urlsplit(page.url).path
    child_path = summary.get_by_role("link", name=referral.child_reference).get_attribute("href")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Case plans").click()
    expect(page.get_by_role("heading", level=1, name="Case plans")).to_be_visible()
    row = page.get_by_role("row", name=re.compile(reference))
    expect(row).to_contain_text(referral.child_reference)
    expect(row).to_contain_text("Sam North")
    check_screen(page, "case-plans")
    return OpenedPlan(reference=reference, path=plan_path, child_path=child_path)


def police_see_only_what_was_disclosed(
    page: Page, plan: OpenedPlan, referral: SentReferral
) -> None:
    """police.north, in a browser of their own: the plan, and the child as far as shared."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Case plans").click()
    expect(page.get_by_role("heading", level=1, name="Case plans")).to_be_visible()
    page.get_by_role("link", name=plan.reference).click()
    expect(page.get_by_role("heading", level=1, name=f"Case plan {plan.reference}")).to_be_visible()
    shared = page.get_by_role("region", name="What is shared with you")
    for category in ("Identity", "Disclosure narrative", "Case plan"):
        expect(shared.get_by_role("listitem").filter(has_text=category)).to_contain_text("shared")
    for category in ("Contact details", "Health", "Risk assessment"):
        expect(shared.get_by_role("listitem").filter(has_text=category)).to_contain_text(
            "not shared with you"
        )
    expect(page.get_by_role("region", name="Risk assessment")).to_contain_text(
        "Risk assessments have not been shared with you."
    )
    # Nothing to manage: a team member from another agency reads and reports, no more.
    expect(page.get_by_role("button", name="Add a team member")).to_have_count(0)
    expect(page.get_by_role("button", name="Hand the lead over")).to_have_count(0)
    expect(page.get_by_role("region", name="Phase and status")).to_have_count(0)
    expect(page.get_by_text(CONCERN)).to_have_count(0)
    show = shared.get_by_role("button", name="Show disclosure")
    expect(show).to_have_attribute("aria-expanded", "false")
    check_screen(page, "case-plan-seen-by-police")
    show.click()
    expect(page.get_by_text(CONCERN)).to_be_visible()

    page.get_by_role("region", name="Summary").get_by_role(
        "link", name=referral.child_reference
    ).click()
    expect(
        page.get_by_role("heading", level=1, name=f"Child {referral.child_reference}")
    ).to_be_visible()
    expect(page.get_by_role("region", name="Identity")).to_contain_text("Robin")
    expect(page.get_by_role("region", name="Contact details")).to_contain_text(
        "Withheld — not shared with your agency"
    )
    expect(page.get_by_role("region", name="Case plans")).to_contain_text(plan.reference)
    assert "Robin" not in page.title()
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    check_screen(page, "child-seen-by-police")


def outsider_cannot_find_it(page: Page, referral: SentReferral) -> None:
    """social.south: not in their inbox, and its address answers as if it did not exist."""
    page.goto("/referrals?box=incoming")
    expect(
        page.get_by_role("heading", level=2, name=re.compile("Referrals to your agency"))
    ).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)
    expect(page.get_by_text(referral.reference)).to_have_count(0)
    page.goto(referral.path)
    expect(page.get_by_role("heading", level=1, name="Referral not found")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(
        "We couldn't find this. It may have been removed, or you may not have access to it."
    )
    expect(page.get_by_text(referral.child_reference)).to_have_count(0)
    check_screen(page, "referral-not-found")


def outsider_cannot_find_the_plan_or_the_child(
    page: Page, plan: OpenedPlan, referral: SentReferral
) -> None:
    """social.south: no case plan, no child, and both addresses answer not found."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Children").click()
    search = page.get_by_role("search", name="Find a child by reference")
    search.get_by_label("Reference").fill(referral.child_reference)
    search.get_by_role("button", name="Find").click()
    expect(page.get_by_role("status").filter(has_text="record")).to_have_text(
        "No record with that reference that your agency may see."
    )
    expect(page.get_by_role("link", name=referral.child_reference)).to_have_count(0)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Case plans").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("Your case plans"))).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)
    expect(page.get_by_text(plan.reference)).to_have_count(0)

    page.goto(plan.path)
    expect(page.get_by_role("heading", level=1, name="Case plan not found")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(
        "We couldn't find this. It may have been removed, or you may not have access to it."
    )
    check_screen(page, "case-plan-not-found")
    page.goto(plan.child_path)
    expect(page.get_by_role("heading", level=1, name="Child record")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(
        "We couldn't find this. It may have been removed, or you may not have access to it."
    )
    expect(page.get_by_text("Robin")).to_have_count(0)


def test_golden_path_a_new_childs_referral_reaches_social_services_live(new_page):
    social = new_page()
    sign_in(social, "social.north")
    check_screen(social, "home-social-worker")
    unread_before = unread(social)

    helpline = new_page()
    sign_in(helpline, "helpline.north")
    referral = helpline_sends_a_referral_for_a_new_child_with_consent(helpline)

    # The social worker's page was never reloaded: the bell counts the new referral.
    expect_unread(social, unread_before + 1)
    social_worker_is_told_live_and_accepts(social, referral)

    expect(helpline.get_by_role("region", name="Summary")).to_contain_text("Sent")
    expect(bell(helpline)).to_contain_text("unread")
    helpline.get_by_role("link", name="Home").click()
    expect(
        helpline.get_by_role("link", name=f"Referral {referral.reference} was accepted.")
    ).to_be_visible()

    plan = social_worker_opens_a_case_plan_and_adds_the_police(social, referral)
    police = new_page()
    sign_in(police, "police.north")
    police_see_only_what_was_disclosed(police, plan, referral)

    south = new_page()
    sign_in(south, "social.south")
    outsider_cannot_find_it(south, referral)
    outsider_cannot_find_the_plan_or_the_child(south, plan, referral)


def test_sharing_without_consent_waits_for_a_duty_manager(new_page, live_app: LiveApp):
    """A social worker refers to the police without consent; their duty manager authorises."""
    outgoing = api_as(live_app.url, "social.north")
    drafts_before = outgoing.get(
        "/api/v1/referrals/", params={"box": "outgoing", "status": "draft"}
    )
    worker = new_page()
    sign_in(worker, "social.north")
    worker.goto("/referrals/new")
    worker.get_by_label("Anonymous").check()
    continue_to(worker, "Concern and urgency")
    worker.get_by_label("The concern").fill(
        "Anonymous caller: a meeting with an adult is planned tonight."
    )
    worker.get_by_label("Immediate").check()
    continue_to(worker, "Needs")
    worker.get_by_label("Police investigation").check()
    continue_to(worker, "Service")
    worker.get_by_role(
        "radio", name=re.compile(r"^Child Abuse Investigation Unit\s*North Police")
    ).first.check()
    continue_to(worker, "Sharing")
    continue_to(worker, "Check and send")
    worker.get_by_role("button", name="Send referral").click()
    expect(worker.get_by_role("alert")).to_contain_text(
        "The referral was saved as a draft but not sent: there is no basis to share it."
    )
    expect(worker.get_by_role("alert")).to_contain_text("No consent covers this share")
    check_screen(worker, "new-referral-refused")

    worker.get_by_role("button", name="Record consent or choose an authorisation").click()
    override = worker.get_by_role("region", name="Share without consent")
    override.get_by_label("Lawful basis").select_option(index=1)
    override.get_by_label("Justification").fill(
        "Risk of significant harm tonight; no adult to ask."
    )
    override.get_by_role("button", name="Ask a duty manager to authorise").click()
    expect(override.get_by_text(re.compile("^Waiting for a duty manager"))).to_be_visible()
    check_screen(worker, "new-referral-waiting-for-authorisation")

    duty = new_page()
    sign_in(duty, "duty.north")
    duty.get_by_role(
        "link", name=re.compile(r"^Sharing about C-\w+ without consent awaits")
    ).first.click()
    expect(
        duty.get_by_role("heading", level=1, name="Request to share without consent")
    ).to_be_visible()
    check_screen(duty, "sharing-override-request")
    duty.get_by_role("button", name="Authorise").click()
    expect(duty.get_by_text("Authorised", exact=True)).to_be_visible()
    duty.get_by_role("link", name="All requests").click()
    expect(duty.get_by_role("button", name="Waiting for a decision")).to_have_attribute(
        "aria-current", "page"
    )
    check_screen(duty, "sharing-overrides")

    override.get_by_role("button", name="Check again").click()
    override.get_by_role("radio", name=re.compile("authorised by duty.north")).check()
    continue_to(worker, "Check and send")
    expect(worker.get_by_text("an authorised override (without consent)")).to_be_visible()
    worker.get_by_role("button", name="Send referral").click()
    expect(
        worker.get_by_role("heading", level=2, name=re.compile(r"^Referral R-\S+ sent$"))
    ).to_be_visible()

    # The draft saved by the refused send was the one sent in the end: none is left over.
    drafts_after = outgoing.get("/api/v1/referrals/", params={"box": "outgoing", "status": "draft"})
    assert drafts_after.json()["count"] == drafts_before.json()["count"]


def test_a_declined_referral_tells_the_sender_why(new_page, live_app: LiveApp):
    police = api_as(live_app.url, "police.north")
    waiting = police.get("/api/v1/referrals/", params={"box": "incoming", "status": "sent"}).json()[
        "results"
    ]
    # The demo helpline's referral waiting for North Police (other tests may add their own).
    referral = next(r for r in waiting if r["from_agency"]["name"] == "North Child Helpline")

    page = new_page()
    sign_in(page, "police.north")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals").click()
    page.get_by_label("Status").select_option(label="Sent")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"status=sent"))
    row = page.get_by_role("row", name=re.compile(referral["reference"]))
    expect(row).to_contain_text("Sent")
    check_screen(page, "referrals-inbox-filtered")
    row.get_by_role("link", name=referral["reference"]).click()

    actions = page.get_by_role("region", name="What you can do")
    actions.get_by_role("button", name="Decline").click()
    actions.get_by_role("button", name="Decline referral").click()
    reason = actions.get_by_label("Why is it declined?")
    expect(reason).to_have_attribute("aria-invalid", "true")
    check_screen(page, "referral-decline-reason-missing")
    reason.fill("Not a police matter on what we have; the family support team is better placed.")
    actions.get_by_role("button", name="Decline referral").click()
    expect(
        page.get_by_text("The referral was declined: the sender has been told why.")
    ).to_be_visible()

    sender = new_page()
    sign_in(sender, "helpline.north")
    sender.get_by_role("link", name=f"Referral {referral['reference']} was declined.").first.click()
    answer = sender.get_by_role("region", name="Declined by the receiving service")
    expect(answer).to_contain_text("the family support team is better placed")
    expect(sender.get_by_role("region", name="What you can do")).to_have_count(0)
    check_screen(sender, "referral-declined-seen-by-sender")

    sender.goto("/referrals?box=outgoing&status=declined")
    expect(sender.get_by_role("row", name=re.compile(referral["reference"]))).to_contain_text(
        "Declined"
    )
    check_screen(sender, "referrals-outbox")
