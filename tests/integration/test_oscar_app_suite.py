"""The Django app's own tests (integrations/oscar/tests), run in the shop's virtualenv.

Here so that the station's one test command also covers the app: its Django test runner
cannot run in the station's venv, which must stay free of Django.
"""

from __future__ import annotations

import importlib.util
import subprocess

import pytest

from integration.oscar_shop import (
    OSCAR_DIR,
    REQUIRE_ENV_VAR,
    ShopUnavailable,
    ensure_shop_venv,
    shop_env,
    unavailable,
)


@pytest.mark.parametrize(("require", "outcome"), [("1", "Failed"), ("", "Skipped")])
def test_a_shop_that_cannot_be_installed_fails_in_ci_and_is_skipped_elsewhere(
    monkeypatch: pytest.MonkeyPatch, require: str, outcome: str
) -> None:
    monkeypatch.setenv(REQUIRE_ENV_VAR, require)
    raised = unavailable(ShopUnavailable("no package index is reachable"))
    assert type(raised).__name__ == outcome
    assert "no package index is reachable" in str(raised)


def test_the_station_venv_has_no_django() -> None:
    assert importlib.util.find_spec("django") is None


@pytest.mark.slow
def test_the_oscar_app_passes_its_own_tests() -> None:
    try:
        python, _ = ensure_shop_venv()
    except ShopUnavailable as reason:
        raise unavailable(reason) from None
    result = subprocess.run(
        [str(python), "shop/manage.py", "test", "tests", "-v1"],
        cwd=OSCAR_DIR,
        capture_output=True,
        text=True,
        env=shop_env(),
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-5000:]
