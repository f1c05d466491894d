"""Headless Chromium under Selenium for the browser tests (skips the test when Chromium is not installed)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
CHROMEDRIVER = Path(shutil.which("chromedriver") or "/usr/bin/chromedriver")


def start_chrome(extra_args: tuple[str, ...] = (), capabilities: dict | None = None):
    """A headless Chromium driver at 1280×1000, with `extra_args` and `capabilities` added; the caller quits it."""
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip("Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                "--disable-gpu", *extra_args):
        options.add_argument(arg)
    for name, value in (capabilities or {}).items():
        options.set_capability(name, value)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


def emulate_view(driver, width: int, media: str = "screen") -> None:
    """Show the page as on a `width`-pixel-wide window (900 high, no zoom), for `media` "screen" or "print"."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": media})
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False})
