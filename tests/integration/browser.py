"""Debian's headless chromium, driven by selenium through Debian's chromedriver.

Selenium's own driver manager downloads a driver, which cannot work offline: it is given
/usr/bin/chromedriver. Without chromium the browser tests skip, except under
RETURNSDESK_REQUIRE_SHOP=1 (.ci/run installs both packages), where that is a failure.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from integration.oscar_shop import ShopUnavailable, unavailable

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


class BrowserUnavailable(ShopUnavailable):
    """Chromium or its driver is not installed here."""


@contextmanager
def headless_chromium(width: int = 1280, height: int = 1000) -> Iterator[webdriver.Chrome]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if shutil.which(str(p)) is None]
    if missing:
        reason = BrowserUnavailable(
            f"no {' or '.join(missing)}: apt-get install chromium chromium-driver"
        )
        raise unavailable(reason)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where chromium's sandbox refuses to start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
        "--lang=en-GB",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.set_page_load_timeout(60)
        yield driver
    finally:
        driver.quit()
