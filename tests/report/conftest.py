"""Fixtures shared by the report tests."""
from __future__ import annotations

import pytest
from headless_chrome import start_chrome


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (skips when Chromium is not installed)."""
    driver = start_chrome()
    yield driver
    driver.quit()
