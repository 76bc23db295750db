"""What the browser tests do again and again: sign in, check a screen, set up through the API."""

import json
import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
DEMO_PASSWORD = "demo"


def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Hello, "))).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def check_screen(page: Page, name: str) -> None:
    """Zero axe-core violations on what is shown now, and a screenshot in test-artifacts/."""
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol: not a <script>, so the app's CSP stays on.
        page.evaluate(AXE_SCRIPT.read_text())
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " targets: v.nodes.map(n => n.target.join(' '))}))"
    )
    assert result == [], f"accessibility violations on {name}:\n{json.dumps(result, indent=2)}"


def api_as(base_url: str, username: str, password: str = DEMO_PASSWORD) -> httpx.Client:
    """An API client signed in through the session endpoints, as the web app does."""
    client = httpx.Client(base_url=base_url, timeout=10)
    token = client.get("/api/v1/auth/csrf/").json()["csrf_token"]
    response = client.post(
        "/api/v1/auth/login/",
        json={"username": username, "password": password},
        headers={"X-CSRFToken": token},
    )
    response.raise_for_status()
    client.headers["X-CSRFToken"] = client.cookies["csrftoken"]
    return client
