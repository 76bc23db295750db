"""The web app end to end, in Chromium against a real platform with the demo data."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveApp
from tests.e2e.screens import api_as, check_screen, sign_in, sign_out

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a long passphrase for e2e"


def nav_links(page: Page) -> list[str]:
    return page.get_by_role("navigation", name="Main").get_by_role("link").all_inner_texts()


def test_social_worker_signs_in_sees_agency_and_role_and_signs_out(page: Page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    check_screen(page, "sign-in")

    sign_in(page, "social.north")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sam")
    card = page.locator(".agency-card")
    expect(card).to_contain_text("North Social Services")
    expect(card).to_contain_text("Social worker")
    assert nav_links(page) == [
        "Home",
        "Referrals",
        "New referral",
        "Case plans",
        "Children",
        "Directory",
    ]
    expect(page).to_have_title("Home · Safeguarding platform")
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    check_screen(page, "home")

    sign_out(page)
    check_screen(page, "signed-out")
    assert page.request.get("/api/v1/auth/me/").status in (401, 403)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in$"))


def test_wrong_password_is_refused_and_the_username_kept(page: Page):
    page.goto("/sign-in")
    page.get_by_label("Username").fill("social.north")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Unknown username or wrong password.")
    expect(page.get_by_label("Username")).to_have_value("social.north")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    check_screen(page, "sign-in-wrong-password")


def test_agency_admin_adds_a_person_and_ends_the_role(page: Page):
    sign_in(page, "admin.north")
    assert nav_links(page) == ["Home", "Directory", "Staff", "Agency"]
    page.get_by_role("link", name="Staff").click()
    expect(page).to_have_title("Staff · Safeguarding platform")
    table = page.get_by_role("table")
    expect(table.get_by_role("row", name=re.compile("Sam North"))).to_contain_text("Social worker")
    check_screen(page, "staff")

    form = page.get_by_role("region", name="Add a person or a role")
    form.get_by_label("Username").fill("e2e.newstaff")
    form.get_by_label("Role").select_option(label="Practitioner")
    form.get_by_label("First name").fill("Robin")
    form.get_by_label("Last name").fill("Reyes")
    form.get_by_label("First password").fill("short")
    form.get_by_role("button", name="Add").click()
    password = form.get_by_label("First password")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_role("alert")).to_contain_text("First password:")
    expect(form.get_by_label("Username")).to_have_value("e2e.newstaff")
    check_screen(page, "staff-field-error")

    password.fill(NEW_PASSWORD)
    form.get_by_role("button", name="Add").click()
    expect(form.get_by_role("status")).to_have_text("Robin Reyes now has the role Practitioner.")
    row = table.get_by_role("row", name=re.compile("Robin Reyes"))
    expect(row).to_contain_text("Active")

    row.get_by_role("button", name="End role: Robin Reyes, Practitioner").click()
    row.get_by_role("button", name="Yes, end role").click()
    expect(page.get_by_text("Robin Reyes no longer has the role Practitioner.")).to_be_visible()
    expect(row).to_contain_text("Ended")
    check_screen(page, "staff-role-ended")


def test_agency_admin_edits_the_contact_details(page: Page):
    sign_in(page, "admin.north")
    page.get_by_role("link", name="Agency").click()
    expect(page.get_by_role("heading", level=2, name="North Social Services")).to_be_visible()
    check_screen(page, "agency")

    page.get_by_label("Website").fill("not a web address")
    page.get_by_role("button", name="Save contact details").click()
    expect(page.get_by_label("Website")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Website")).to_have_value("not a web address")
    check_screen(page, "agency-field-error")

    page.get_by_label("Website").fill("https://north-social.example")
    page.get_by_label("Phone").fill("0300 123 4567")
    page.get_by_role("button", name="Save contact details").click()
    expect(page.get_by_text("Contact details saved.")).to_be_visible()

    page.reload()
    expect(page.get_by_label("Phone")).to_have_value("0300 123 4567")
    expect(page.get_by_label("Website")).to_have_value("https://north-social.example")


def test_person_in_two_agencies_switches_between_them(page: Page, live_app: LiveApp):
    north_admin = api_as(live_app.url, "admin.north")
    north = north_admin.get("/api/v1/auth/me/").json()["active_agency"]
    created = north_admin.post(
        "/api/v1/memberships/",
        json={
            "agency": north,
            "username": "e2e.dual",
            "role": "social_worker",
            "first_name": "Dana",
            "last_name": "Dual",
            "password": NEW_PASSWORD,
        },
    )
    assert created.status_code == 201, created.text
    south_admin = api_as(live_app.url, "admin.south")
    south = south_admin.get("/api/v1/auth/me/").json()["active_agency"]
    added = south_admin.post(
        "/api/v1/memberships/",
        json={"agency": south, "username": "e2e.dual", "role": "agency_admin"},
    )
    assert added.status_code == 201, added.text

    sign_in(page, "e2e.dual", NEW_PASSWORD)
    switcher = page.get_by_label("Working for")
    expect(switcher).to_have_value(str(north))
    assert nav_links(page) == [
        "Home",
        "Referrals",
        "New referral",
        "Case plans",
        "Children",
        "Directory",
    ]
    check_screen(page, "home-two-agencies")

    switcher.select_option(label="South Social Services")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_count(4)
    expect(page.locator(".agency-card--active")).to_contain_text("South Social Services")
    page.get_by_role("link", name="Staff").click()
    expect(page.get_by_role("table")).to_contain_text("admin.south")
    expect(page.get_by_role("table")).not_to_contain_text("admin.north")
    check_screen(page, "staff-after-switch")


def test_a_reload_on_any_client_route_works(page: Page):
    sign_in(page, "admin.north")
    page.goto("/staff")
    expect(page.get_by_role("heading", level=1, name="Staff")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Staff")).to_be_visible()

    page.goto("/no/such/page")
    expect(page.get_by_role("heading", level=1, name="Page not found")).to_be_visible()
    check_screen(page, "not-found")

    api_miss = page.request.get("/api/v1/no-such-endpoint/")
    assert api_miss.status == 404
    assert api_miss.json()["code"] == "not_found"


def test_a_screen_outside_the_role_is_not_offered(page: Page):
    sign_in(page, "social.north")
    page.goto("/staff")
    expect(page.get_by_role("heading", level=1, name="Not available")).to_be_visible()
    check_screen(page, "not-available")


def test_signing_in_works_from_the_keyboard_alone_with_visible_focus(page: Page):
    page.goto("/sign-in")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_focused()
    page.keyboard.press("Tab")
    username = page.get_by_label("Username")
    expect(username).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid", "the focused field must show a focus ring"
    page.keyboard.type("social.north")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Hello, Sam")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link").last).to_be_focused()
