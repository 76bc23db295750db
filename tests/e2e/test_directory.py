"""The directory in the browser: browsing, an admin's services and pathways, HSDS interchange."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveApp
from tests.e2e.screens import api_as, check_screen, sign_in

pytestmark = pytest.mark.browser

NORTH_SERVICE = "Crisis Financial Assistance"
ADVOCACY = "Independent Legal Advocacy for Children"


def services_found(page: Page):
    return page.get_by_role("region", name="Services").get_by_role("status")


def find_north_service(page: Page, name: str) -> None:
    """From the directory, search for a North service by name and open it."""
    page.get_by_role("link", name="Directory", exact=True).click()
    search = page.get_by_role("search", name="Find services")
    search.get_by_label("Words").fill(name)
    search.get_by_label("Region").select_option(label="North")
    search.get_by_role("button", name="Search").click()
    expect(services_found(page)).to_have_text("1 service found.")
    page.get_by_role("row", name=re.compile(name)).get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def test_admin_edits_a_service_with_errors_beside_the_fields(page: Page):
    sign_in(page, "admin.north")
    page.get_by_role("link", name="Directory", exact=True).click()
    expect(page).to_have_title("Directory · Safeguarding platform")
    check_screen(page, "directory")

    search = page.get_by_role("search", name="Find services")
    search.get_by_label("Child's age").fill("20")
    search.get_by_label("Need").select_option(label="Financial assistance")
    search.get_by_role("button", name="Search").click()
    expect(services_found(page)).to_have_text("2 services found.")

    find_north_service(page, NORTH_SERVICE)
    expect(page).to_have_url(re.compile(r"/directory/services/\d+$"))
    expect(page).to_have_title("Service · Safeguarding platform")
    check_screen(page, "directory-service")

    page.get_by_role("link", name="Edit service").click()
    expect(page.get_by_role("heading", level=1, name="Edit a service")).to_be_visible()
    check_screen(page, "directory-service-edit")
    page.get_by_label("Youngest age").fill("30")
    page.get_by_label("Opening hours").fill("Mon-Fri 09:00-18:00")
    page.get_by_label("Immediate (hours)").fill("3")
    page.get_by_role("button", name="Save service").click()
    oldest = page.get_by_label("Oldest age")
    expect(oldest).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text(
        "Oldest age: The maximum age must not be below the minimum age."
    )
    expect(page.get_by_label("Opening hours")).to_have_value("Mon-Fri 09:00-18:00")
    check_screen(page, "directory-service-field-error")

    page.get_by_label("Youngest age").fill("")
    page.get_by_role("button", name="Save service").click()
    expect(page.get_by_text("Service saved.")).to_be_visible()
    expect(page.get_by_text("Mon-Fri 09:00-18:00")).to_be_visible()
    ack = page.get_by_role("region", name="Acknowledging a referral")
    expect(ack.get_by_role("row", name=re.compile("^Immediate"))).to_contain_text("3 hours")

    page.get_by_role("button", name="Confirm these details are correct").click()
    expect(page.get_by_text("the service is marked as checked today")).to_be_visible()
    expect(page.get_by_role("region", name="Last checked")).to_contain_text("Ari")

    page.get_by_role("link", name="Directory", exact=True).click()
    page.get_by_role("link", name="Services to check").click()
    expect(page.get_by_role("heading", level=1, name="Services to check")).to_be_visible()
    expect(page.get_by_role("link", name=NORTH_SERVICE)).to_have_count(0)
    check_screen(page, "directory-check")
    days = page.get_by_label("Not checked for more than (days)")
    days.fill("0")
    page.get_by_role("button", name="Show").click()
    expect(days).to_have_attribute("aria-invalid", "true")
    expect(days).to_have_value("0")


def test_admin_drafts_publishes_and_revises_a_pathway(page: Page):
    sign_in(page, "admin.north")
    page.get_by_role("link", name="Directory", exact=True).click()
    page.get_by_role("link", name="Draft a pathway").click()
    check_screen(page, "pathway-new")

    page.get_by_label("Name").fill("E2E route: money and advocacy")
    page.get_by_label("Need").select_option(label="Financial assistance")
    page.get_by_label("Urgency").select_option(label="Routine")
    page.get_by_role("group", name=re.compile("Regions")).get_by_label("North").check()

    adding = page.get_by_role("group", name="Add a step")
    for words, hours in ((NORTH_SERVICE, "48"), ("Advocacy", "72")):
        adding.get_by_label("Find a service").fill(words)
        options = adding.get_by_label("Service to add").locator("option", has_text="(North ")
        expect(options).to_have_count(1)
        adding.get_by_label("Service to add").select_option(value=options.get_attribute("value"))
        adding.get_by_label("Its response time (hours)").fill(hours)
        adding.get_by_role("button", name="Add step").click()

    move = page.get_by_role("button", name=f"Move up: {ADVOCACY}")
    move.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=f"Move down: {ADVOCACY}")).to_be_focused()
    names = page.locator(".step__name")
    expect(names).to_have_text([f"Step 1: {ADVOCACY}", f"Step 2: {NORTH_SERVICE}"])
    check_screen(page, "pathway-steps")

    page.get_by_role("button", name="Save draft pathway").click()
    expect(page.get_by_text("Pathway drafted.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/directory/pathways/\d+$"))
    first_url = page.url
    steps = page.get_by_role("region", name="Steps, in order")
    expect(steps.get_by_role("listitem")).to_have_count(2)
    expect(steps.get_by_role("listitem").first).to_contain_text("Respond within 72 hours.")
    check_screen(page, "pathway-draft")

    page.get_by_role("button", name="Publish this version").click()
    page.get_by_role("button", name="Yes, publish").click()
    expect(page.get_by_text("Published: staff now follow this version")).to_be_visible()

    page.get_by_role("link", name="Edit as a new version").click()
    expect(page.get_by_text("Your changes will be saved as version 2")).to_be_visible()
    page.get_by_label(f"Response time for {NORTH_SERVICE} (hours)").fill("24")
    page.get_by_role("button", name="Save as a new draft version").click()
    expect(page.get_by_text("Saved as draft version 2.")).to_be_visible()
    assert page.url != first_url
    versions = page.get_by_role("region", name="Versions")
    expect(versions.get_by_role("row", name=re.compile("Version 1"))).to_contain_text("Published")
    expect(versions.get_by_role("row", name=re.compile("Version 2"))).to_contain_text("Draft")
    check_screen(page, "pathway-new-version")

    page.get_by_role("button", name="Publish this version").click()
    page.get_by_role("button", name="Yes, publish").click()
    expect(versions.get_by_role("row", name=re.compile("Version 1"))).to_contain_text("Retired")
    expect(versions.get_by_role("row", name=re.compile("Version 2"))).to_contain_text("Published")


def test_admin_exports_the_directory_and_imports_it_again(page: Page, tmp_path: Path):
    sign_in(page, "admin.north")
    page.get_by_role("link", name="Directory", exact=True).click()
    page.get_by_role("link", name="Import and export (HSDS)").click()
    check_screen(page, "directory-hsds")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the directory (HSDS JSON)").click()
    assert re.fullmatch(
        r"directory-hsds-\d{4}-\d{2}-\d{2}\.json", download.value.suggested_filename
    )
    exported = tmp_path / "directory.json"
    download.value.save_as(exported)
    document = json.loads(exported.read_text())
    assert document["services"]
    assert document["organizations"]

    page.get_by_label("HSDS file").set_input_files(exported)
    page.get_by_role("button", name="Import").click()
    report = page.locator(".report")
    expect(report.get_by_role("heading", name="What the import did")).to_be_focused()
    expect(report).to_contain_text("Created: 0")
    skipped = report.get_by_role("heading", name=re.compile(r"^Skipped \(\d+\)"))
    expect(skipped).to_be_visible()
    expect(report.get_by_role("heading", name=re.compile(r"^Unchanged \(\d+\)"))).to_be_visible()
    check_screen(page, "directory-hsds-imported")

    not_json = tmp_path / "notes.json"
    not_json.write_text("this is not json")
    page.get_by_label("HSDS file").set_input_files(not_json)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_label("HSDS file")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("This file is not JSON.")).to_be_visible()


def test_another_agencys_admin_cannot_edit_a_north_service(page: Page, live_app: LiveApp):
    north = api_as(live_app.url, "admin.north")
    listed = north.get("/api/v1/services/", params={"search": NORTH_SERVICE, "region": "north"})
    service_id = listed.json()["results"][0]["id"]

    sign_in(page, "admin.south")
    find_north_service(page, NORTH_SERVICE)
    expect(page.get_by_role("link", name="Edit service")).to_have_count(0)
    expect(page.get_by_role("button", name="Confirm these details are correct")).to_have_count(0)

    page.goto(f"/directory/services/{service_id}/edit")
    expect(page.get_by_role("heading", level=1, name="Not available")).to_be_visible()
    expect(page.get_by_text("belongs to another agency")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_count(0)
    check_screen(page, "directory-service-not-yours")

    page.goto("/directory/services/999999")
    expect(page.get_by_role("alert")).to_contain_text("We couldn't find this.")
