"""The data protection officer in the browser: audit search, chain check, subject access."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveApp
from tests.e2e.screens import api_as, check_screen, sign_in

pytestmark = pytest.mark.browser


def test_dpo_searches_the_trail_verifies_the_chain_and_exports_a_subject_access_document(
    page: Page, live_app: LiveApp, tmp_path: Path
):
    children = api_as(live_app.url, "dpo.north").get("/api/v1/children/", params={"page_size": 100})
    maya = next(c for c in children.json()["results"] if c.get("given_name") == "Maya")

    sign_in(page, "dpo.north")
    page.get_by_role("link", name="Audit trail").click()
    expect(page).to_have_title("Audit trail · Safeguarding platform")
    expect(page.get_by_role("status").filter(has_text="events")).to_be_visible()
    check_screen(page, "audit")

    page.get_by_role("button", name="Verify the audit trail").click()
    verdict = page.locator(".chain")
    expect(verdict).to_contain_text("Intact")
    expect(verdict).to_contain_text(re.compile(r"All \d+ events check out"))
    check_screen(page, "audit-verified")

    search = page.get_by_role("search", name="Search the audit trail")
    search.get_by_label("Action").select_option(label="Signed in")
    search.get_by_role("button", name="Search").click()
    table = page.get_by_role("table")
    expect(table.get_by_role("row").nth(1)).to_contain_text("Signed in")
    own = table.get_by_role("row").filter(has_text="dpo.north").first
    own.get_by_role("button", name="Only this person: dpo.north").click()
    expect(search.get_by_label("Person")).not_to_have_value("")
    expect(table.get_by_role("row").filter(has_text="social.north")).to_have_count(0)
    check_screen(page, "audit-search")

    search.get_by_label("From").fill("2030-01-02T00:00")
    search.get_by_label("Until").fill("2030-01-01T00:00")
    search.get_by_role("button", name="Search").click()
    expect(search.get_by_label("Until")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("Until: Must be after 'since'.")
    check_screen(page, "audit-search-error")

    page.goto(f"/children/{maya['id']}")
    expect(page.get_by_role("heading", level=1, name=f"Child {maya['reference']}")).to_be_visible()
    page.get_by_role("button", name="Show who knows what").click()
    knows = page.get_by_role("region", name="Who knows what")
    shared = knows.get_by_role("table", name="Information shared").get_by_role("row")
    expect(shared.filter(has_text="North Police")).to_contain_text(
        "Without consent, authorised by duty.north"
    )
    access = knows.get_by_role("table", name="Recorded access").get_by_role("row")
    expect(
        access.filter(has_text="dpo.north").filter(has_text="Viewed: child record").first
    ).to_be_visible()
    check_screen(page, "child-who-knows-what")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the subject access export").click()
    name = download.value.suggested_filename
    assert re.fullmatch(rf"subject-access-{maya['reference']}-\d{{4}}-\d{{2}}-\d{{2}}\.json", name)
    saved = tmp_path / name
    download.value.save_as(saved)
    document = json.loads(saved.read_text())
    assert document["consents"]
    assert document["disclosures"]
    expect(page.get_by_text("The subject access export has downloaded.")).to_be_visible()
    check_screen(page, "child-subject-access")

    page.get_by_role("link", name="Audit trail").click()
    search = page.get_by_role("search", name="Search the audit trail")
    search.get_by_label("Action").select_option(label="Exported")
    search.get_by_label("Record id").fill(maya["id"])
    search.get_by_role("button", name="Search").click()
    expect(page.get_by_role("table").get_by_role("row").nth(1)).to_contain_text("dpo.north")


def test_the_audit_trail_is_not_offered_to_anyone_else(page: Page):
    sign_in(page, "social.north")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit trail")
    ).to_have_count(0)
    page.goto("/audit")
    expect(page.get_by_role("heading", level=1, name="Not available")).to_be_visible()
