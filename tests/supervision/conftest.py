"""The chromium fixtures (live_server, browser, shot) for the browser test of supervision."""

from tests.browser.conftest import browser, live_server, shot  # noqa: F401
