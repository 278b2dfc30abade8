"""Return windows per product category and customer tier: the longest applicable wins."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from returnsdesk.domain.errors import PolicyError
from returnsdesk.domain.policy import Policies, load_policies
from returnsdesk.paths import default_policy_dir


def policies_with(tmp_path: Path, windows: str) -> Policies:
    shutil.copytree(default_policy_dir(), tmp_path / "p")
    path = tmp_path / "p" / "refunds.toml"
    path.write_text(path.read_text(encoding="utf-8") + windows, encoding="utf-8")
    return load_policies(tmp_path / "p")


def test_the_longest_applicable_window_wins(tmp_path: Path) -> None:
    text = "categories = { furniture = 60 }\ntiers = { gold = 365 }\n"
    windows = policies_with(tmp_path, text).refunds.windows
    assert windows.days(base=30, categories=["apparel"], tier=None) == 30
    assert windows.days(base=30, categories=["apparel", "furniture"], tier=None) == 60
    assert windows.days(base=30, categories=["furniture"], tier="gold") == 365
    assert windows.days(base=30, categories=[], tier="silver") == 30
    assert windows.days(base=90, categories=["furniture"], tier=None) == 90


def test_a_window_of_no_days_is_refused_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"refunds.toml: windows.tiers.gold: must be between"):
        policies_with(tmp_path, "tiers = { gold = 0 }\n")
