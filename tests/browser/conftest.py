"""A real browser for the tests in this folder: Playwright driving Debian's Chromium.

Fixtures:
- `page`: a Playwright (sync API) page in a fresh browser context of tests/conftest.py's
  session-wide `browser`: /usr/bin/chromium (`apt-get install chromium`); Playwright's own
  browser downloads are never used. It records the page's console errors, uncaught exceptions and
  dialogs in `page.problems`, so a test can assert that nothing ran or broke.
- `live_url`: the base URL of pytest-django's live server, with the catalog imported.
- `screenshot(page, name)`: saves test-artifacts/screenshots/<name>.png.
- `axe_violations(page)`: serious or critical accessibility violations (axe-core).

Tests here are marked `browser`; tests/conftest.py turns their skips into failures
when CI=true, so CI cannot pass without the browser.
"""

from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="en-US", viewport={"width": 1280, "height": 900}, service_workers="block"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.problems = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.problems.append(message.text),
    )
    page.on("pageerror", lambda error: page.problems.append(f"uncaught: {error}"))

    def on_dialog(dialog):
        page.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    context.close()


@pytest.fixture
def live_url(live_server, transactional_db, write_shipped_catalog) -> str:
    """The live server's address, the shipped catalog loaded."""
    write_shipped_catalog()
    return live_server.url


@pytest.fixture
def screenshot():
    def save(page, name: str) -> Path:
        path = ARTIFACTS / "screenshots" / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def axe_violations(axe):
    """Serious and critical axe-core violations on the page as it is now."""

    def run(page) -> list[str]:
        results = axe.run(page)
        return [
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"at {[node['target'] for node in violation['nodes']][:3]}"
            for violation in results.response["violations"]
            if violation["impact"] in ("serious", "critical")
        ]

    return run
