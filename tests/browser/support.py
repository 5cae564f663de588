"""Helpers for the browser tests: headless Debian Chromium through Playwright, against a live Django server
on the test database.

- One browser per test session; a fresh browser context (cookies, viewport) per test.
- `check_accessibility(page, name)` runs axe-core (WCAG 2.2 AA tags) and the site's own structural checks (one h1,
  `lang`, a skip link that moves focus to <main>, labelled fields), and saves desktop and phone screenshots in
  `test-artifacts/screenshots/<test>/<name>-{desktop,phone}.png`.
- Without /usr/bin/chromium every browser test is reported SKIPPED with the reason, never passed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TIMEOUT_MS = 10_000

# Every test here drives the browser against the live server, so each needs a transactional database whose
# migration-made rows (Wagtail's root and home page, the default site) are put back before it runs.
BROWSER_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# ---------------------------------------------------------------------------------------------------------------
# Signing in


def sign_in(page, live_server_url: str, user, password: str | None = None) -> None:
    """Sign in through the real form; pass the second factor with a fresh TOTP code when the user needs one."""
    from tests.factories import PASSWORD

    if user.needs_second_factor:
        totp_code_for(user)  # their authenticator app is set up (tests of the set-up page do it by hand)
    page.goto(f"{live_server_url}/account/sign-in/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(password or PASSWORD)
    click_and_wait(page.get_by_role("button", name="Sign in"))
    if user.needs_second_factor:
        page.wait_for_url(re.compile(r"/account/second-factor/"))
        page.get_by_label("Code from your authenticator app").fill(totp_code_for(user))
        click_and_wait(page.get_by_role("button", name="Continue"))
    assert "/account/sign-in/" not in page.url, f"Sign-in failed for {user.email}: still on {page.url}"


def totp_code_for(user) -> str:
    """The code the user's authenticator app would show now (creating a confirmed device if they have none)."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{code:0{device.digits}d}"


# ---------------------------------------------------------------------------------------------------------------
# Accessibility checks and screenshots

STRUCTURE_JS = """
() => {
  const label = (el) => {
    if (el.labels && el.labels.length) return [...el.labels].map(l => l.innerText.trim()).join(' ');
    if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    return ids.map(id => (document.getElementById(id) || {}).innerText || '').join(' ').trim();
  };
  const fields = [...document.querySelectorAll('input, select, textarea')]
    .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type));
  return {
    lang: document.documentElement.getAttribute('lang') || '',
    title: document.title,
    h1s: [...document.querySelectorAll('h1')].map(h => h.innerText.trim()),
    mains: document.querySelectorAll('main').length,
    unlabelled: fields.filter(el => !label(el)).map(el => el.outerHTML.slice(0, 120)),
    imagesWithoutAlt: [...document.querySelectorAll('img:not([alt])')].map(el => el.outerHTML.slice(0, 120)),
  };
}
"""

FOCUS_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: 'body', visible: false, text: ''};
  const s = getComputedStyle(el);
  const transparent = (c) => c === 'transparent' || /rgba\\(.*,\\s*0\\)$/.test(c);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 && !transparent(s.outlineColor);
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  const r = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), id: el.id,
    text: (el.getAttribute('aria-label') || el.textContent || el.value || '').replace(/\\s+/g, ' ').trim().slice(0, 80),
    visible: (outline || shadow) && r.width > 0 && r.height > 0,
    outline: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor, shadow: s.boxShadow,
  };
}
"""


def focused(page) -> dict:
    """What has keyboard focus now, and whether a sighted keyboard user can see it."""
    return page.evaluate(FOCUS_JS)


def assert_focus_visible(page) -> dict:
    info = focused(page)
    assert info["visible"], f"Focus is not visible on {info}"
    return info


def tab_to(page, predicate_text: str, limit: int = 60) -> dict:
    """Press Tab until the focused element's text (or label) contains `predicate_text`; assert focus is visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        if predicate_text.lower() in (info["text"] or "").lower() or predicate_text == info.get("id"):
            assert info["visible"], f"Focus is not visible on {info}"
            return info
    raise AssertionError(f"Could not reach {predicate_text!r} with Tab within {limit} presses on {page.url}")


def tab_to_field(page, label: str, limit: int = 60) -> None:
    """Press Tab until the form field labelled `label` has focus; assert its focus is visible."""
    target = page.get_by_label(label, exact=True).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            assert_focus_visible(page)
            return
    raise AssertionError(f"Could not reach the field {label!r} with Tab within {limit} presses on {page.url}")


def press_and_wait(page, key: str = "Enter") -> None:
    """Press a key that submits a form or follows a link, and wait for the next page to load."""
    with page.expect_navigation():
        page.keyboard.press(key)


def click_and_wait(locator) -> None:
    """Click a button or link and wait for the next page to load."""
    with locator.page.expect_navigation():
        locator.click()


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:8]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


def check_structure(page) -> None:
    facts = page.evaluate(STRUCTURE_JS)
    where = page.url
    assert facts["lang"].startswith("en"), f"{where}: <html> has no lang"
    assert facts["title"].strip(), f"{where}: empty <title>"
    assert len(facts["h1s"]) == 1, f"{where}: expected exactly one h1, found {facts['h1s']}"
    assert facts["mains"] == 1, f"{where}: expected one <main>"
    assert facts["unlabelled"] == [], f"{where}: form fields without a label: {facts['unlabelled']}"
    assert facts["imagesWithoutAlt"] == [], f"{where}: images without alt: {facts['imagesWithoutAlt']}"


def check_skip_link(page) -> None:
    """The first Tab lands on a visible "Skip to main content" link; Enter moves focus to <main>."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    # Start the tab order from the top of the document, as a fresh page load would.
    page.evaluate(
        "() => { const b = document.body; b.setAttribute('tabindex', '-1'); b.focus(); b.removeAttribute('tabindex'); }"
    )
    page.keyboard.press("Tab")
    info = focused(page)
    assert info["tag"] == "a" and info["text"] == "Skip to main content", f"{page.url}: first Tab reached {info}"
    assert info["visible"], f"{page.url}: the skip link is not visible when focused: {info}"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement && document.activeElement.id") == "main", (
        f"{page.url}: the skip link did not move focus to <main>"
    )
    # Leave the address as it was, so later waits on the URL are not confused by "#main".
    page.evaluate("() => history.replaceState(history.state, '', location.pathname + location.search)")


REFLOW_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('table, pre') || el.closest('.visually-hidden, .skip-link')) continue;
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 1) wide.push(el.outerHTML.slice(0, 100));
  }
  return wide.slice(0, 5);
}
"""


def check_reflow(page) -> None:
    """WCAG 1.4.10: at 320 CSS pixels wide (1280 px at 400% zoom) nothing but a data table is wider than the
    screen (data tables are exempt: they need two dimensions)."""
    page.set_viewport_size({"width": 320, "height": 640})
    wide = page.evaluate(REFLOW_JS)
    page.set_viewport_size(DESKTOP)
    assert wide == [], f"{page.url}: at 320px wide (400% zoom) these are wider than the screen: {wide}"


def run_axe(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    return results.response["violations"]


def screenshot(page, test_name: str, name: str) -> None:
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
    folder.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size or DESKTOP
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(original)


@dataclass
class Checker:
    test_name: str

    def __call__(self, page, name: str, *, skip_link: bool = True, reflow: bool = True) -> None:
        page.wait_for_load_state()
        check_structure(page)
        violations = run_axe(page)
        screenshot(page, self.test_name, name)
        assert not violations, f"axe found {len(violations)} WCAG 2.2 AA problem(s) on {page.url} ({name}):\n" + (
            format_violations(violations)
        )
        if reflow:
            check_reflow(page)
        if skip_link:
            check_skip_link(page)
