"""The chromium fixtures (live_server, browser, shot) for the prequalification browser test."""

from tests.browser.conftest import browser, live_server, shot  # noqa: F401
