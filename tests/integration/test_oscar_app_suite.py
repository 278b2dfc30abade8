"""The Django app's own tests (integrations/oscar/tests), run in the shop's virtualenv.

Here so that the station's one test command also covers the app: its Django test runner
cannot run in the station's venv, which must stay free of Django.
"""

from __future__ import annotations

import importlib.util
import subprocess

import pytest

from integration.oscar_shop import OSCAR_DIR, ShopUnavailable, ensure_shop_venv, shop_env


def test_the_station_venv_has_no_django() -> None:
    assert importlib.util.find_spec("django") is None


@pytest.mark.slow
def test_the_oscar_app_passes_its_own_tests() -> None:
    try:
        python, _ = ensure_shop_venv()
    except ShopUnavailable as reason:
        pytest.skip(str(reason))
    result = subprocess.run(
        [str(python), "shop/manage.py", "test", "tests", "-v1"],
        cwd=OSCAR_DIR,
        capture_output=True,
        text=True,
        env=shop_env(),
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-5000:]
