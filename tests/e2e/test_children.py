"""Child records in the browser: what each agency may see, recording children, consent."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveApp
from tests.e2e.screens import api_as, check_screen, sign_in

pytestmark = pytest.mark.browser

WITHHELD = "Withheld — not shared with your agency"


def reference_of(live_app: LiveApp, username: str, given_name: str) -> str:
    """The reference of a demo child, looked up as the person who will open it."""
    children = api_as(live_app.url, username).get("/api/v1/children/", params={"page_size": 100})
    return next(
        c["reference"] for c in children.json()["results"] if c.get("given_name") == given_name
    )


def open_child(page: Page, reference: str) -> None:
    page.get_by_role("link", name="Children", exact=True).click()
    search = page.get_by_role("search", name="Find a child by reference")
    search.get_by_label("Reference").fill(reference)
    search.get_by_role("button", name="Find").click()
    expect(page.get_by_role("status").filter(has_text="record")).to_have_text("1 record.")
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1, name=f"Child {reference}")).to_be_visible()


def test_police_see_only_the_categories_disclosed_to_police(page: Page, live_app: LiveApp):
    # Maya's identity and the disclosure narrative reached North Police on an override;
    # her contact details did not.
    reference = reference_of(live_app, "police.north", "Maya")
    sign_in(page, "police.north")
    page.get_by_role("link", name="Children", exact=True).click()
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows.filter(has_text=reference)).to_have_count(1)
    expect(page.get_by_role("table")).not_to_contain_text("Maya")
    check_screen(page, "children")

    open_child(page, reference)
    expect(page).to_have_title("Child record · Safeguarding platform")
    expect(page).to_have_url(re.compile(r"/children/[0-9a-f-]{36}$"))
    identity = page.get_by_role("region", name="Identity")
    expect(identity).to_contain_text("Maya")
    expect(identity).to_contain_text("21 July 2011")
    contact = page.get_by_role("region", name="Contact details")
    expect(contact).to_have_text(re.compile(f"Contact details\\s*{WITHHELD}"))
    expect(page.locator("main")).not_to_contain_text("Mill Lane")
    expect(page.locator("main")).not_to_contain_text("Grace Okafor")
    expect(
        page.get_by_role("button", name=re.compile("Complete the record|Correct the details"))
    ).to_have_count(0)
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    check_screen(page, "child-police-view")


def test_helpline_records_a_consent_and_withdraws_it(page: Page):
    sign_in(page, "helpline.north")
    page.get_by_role("link", name="Children", exact=True).click()
    page.get_by_role("link", name="Record a child").click()
    check_screen(page, "child-new")
    page.get_by_label("Given name").fill("Robin")
    page.get_by_label("Family name").fill("Consent-Example")
    page.get_by_label("Date of birth").fill("2012-05-01")
    page.get_by_role("button", name="Record the child").click()
    expect(page.get_by_text(re.compile(r"Recorded as C-[0-9A-Z]+\."))).to_be_visible()
    expect(page).to_have_title("Child record · Safeguarding platform")
    assert "Robin" not in page.url

    consent = page.get_by_role("region", name="Consent")
    consent.get_by_role("button", name="Record a consent decision").click()
    form = consent.get_by_role("form", name="Record a consent decision")
    form.get_by_role("button", name="Record the decision").click()
    expect(form.get_by_role("alert")).to_be_visible()
    expect(
        form.get_by_role("group", name=re.compile("^Was consent given"))
    ).to_have_accessible_description(re.compile("Error:"))
    check_screen(page, "consent-form-errors")

    form.get_by_role("group", name=re.compile("^Was consent given")).get_by_label(
        "Consent given"
    ).check()
    form.get_by_role("group", name=re.compile("^Who decided")).get_by_label(
        "The child or young person"
    ).check()
    form.get_by_role("group", name=re.compile("competent")).get_by_label(re.compile("^Yes")).check()
    form.get_by_label("How understanding was assessed").fill("Explained who would be told and why.")
    form.get_by_role("group", name=re.compile("^Kinds of agency")).get_by_label("Police").check()
    form.get_by_role("group", name=re.compile("^Information")).get_by_label("Identity").check()
    form.get_by_role("group", name=re.compile("^Purposes")).get_by_label("Investigation").check()
    form.get_by_role("button", name="Record the decision").click()
    expect(consent.get_by_text("Consent recorded.")).to_be_visible()
    record = consent.get_by_role("listitem").filter(has_text="Decided by the child or young person")
    expect(record).to_contain_text("any police agency")
    expect(record).to_contain_text("Identity")
    check_screen(page, "consent-recorded")

    record.get_by_role("button", name="Withdraw this consent").click()
    withdraw = record.get_by_role("form", name="Withdraw this consent")
    withdraw.get_by_role("button", name="Withdraw consent").click()
    expect(withdraw.get_by_label("Reason for withdrawing")).to_have_attribute(
        "aria-invalid", "true"
    )
    withdraw.get_by_label("Reason for withdrawing").fill(
        "Robin asked us not to tell the police yet."
    )
    withdraw.get_by_role("button", name="Withdraw consent").click()
    expect(consent.get_by_text("Consent withdrawn.")).to_be_visible()
    expect(record).to_contain_text("Withdrawn")
    expect(record).to_contain_text("Robin asked us not to tell the police yet.")
    expect(record.get_by_role("button", name="Withdraw this consent")).to_have_count(0)
    check_screen(page, "consent-withdrawn")

    overrides = page.get_by_role("region", name="Sharing without consent")
    overrides.get_by_role("button", name="Ask to share without consent").click()
    ask = overrides.get_by_role("form", name="Ask to share without consent")
    ask.get_by_label("Agency to share with").select_option(label="North Police")
    ask.get_by_role("group", name=re.compile("^Information")).get_by_label("Identity").check()
    ask.get_by_label("Purpose").select_option(label="Investigation")
    ask.get_by_label("Lawful basis").select_option(value="vital_interests")
    check_screen(page, "override-request")
    ask.get_by_label("Why sharing without consent is justified").fill(
        "Robin is at immediate risk tonight and cannot be asked again in time."
    )
    ask.get_by_role("button", name="Ask a duty manager").click()
    expect(overrides.get_by_text("Request sent")).to_be_visible()
    requested = overrides.get_by_role("listitem")
    expect(requested).to_contain_text("Waiting for a duty manager to share with North Police")
    expect(requested.get_by_text("Robin is at immediate risk")).not_to_be_visible()


def test_completing_an_anonymous_record_warns_of_a_possible_duplicate(page: Page):
    sign_in(page, "helpline.north")
    page.get_by_role("link", name="Children", exact=True).click()
    page.get_by_role("link", name="Record a child").click()
    page.get_by_role("button", name="Record the child").click()
    expect(page.get_by_text(re.compile(r"Recorded as C-"))).to_be_visible()
    expect(page.get_by_text("Anonymous so far")).to_be_visible()
    identity = page.get_by_role("region", name="Identity")
    expect(identity.get_by_text("Not recorded")).to_have_count(6)
    check_screen(page, "child-anonymous")

    # Amira Khan, born 14 March 2010, is already on North Child Helpline's records.
    page.get_by_role("button", name="Complete the record").click()
    page.get_by_label("Given name").fill("Amira")
    page.get_by_label("Family name").fill("Khan")
    page.get_by_label("Date of birth").fill("2010-03-14")
    page.get_by_label("Email").fill("not an email")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Given name")).to_have_value("Amira")
    check_screen(page, "child-complete-error")

    page.get_by_label("Email").fill("")
    page.get_by_role("button", name="Save details").click()
    warning = page.get_by_role("alert").filter(has_text="This may be a child already on record")
    expect(warning).to_contain_text(re.compile(r"C-[0-9A-Z]+"))
    expect(page.get_by_text("The child's details are saved.")).to_be_visible()
    expect(page.get_by_role("region", name="Identity")).to_contain_text("Amira")
    check_screen(page, "child-possible-duplicate")
