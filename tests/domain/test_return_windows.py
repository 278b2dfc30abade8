"""Return windows per product category and customer tier: the longest applicable wins."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from types import MappingProxyType

import pytest

from returnsdesk.domain.errors import PolicyError
from returnsdesk.domain.money import Money
from returnsdesk.domain.policy import Policies, ReturnWindows, load_policies
from returnsdesk.domain.return_window import ReturnWindow, WindowBasis, customer_tier
from returnsdesk.domain.vocabulary import RefundStatus
from returnsdesk.paths import default_policy_dir


def policies_with(tmp_path: Path, windows: str) -> Policies:
    shutil.copytree(default_policy_dir(), tmp_path / "p")
    path = tmp_path / "p" / "refunds.toml"
    text = path.read_text(encoding="utf-8")
    before, table, _shipped = text.partition("\n[windows]\n")  # the last table: ours instead
    assert table
    path.write_text(before + table + windows, encoding="utf-8")
    return load_policies(tmp_path / "p")


def test_the_longest_applicable_window_wins(tmp_path: Path) -> None:
    text = "categories = { furniture = 60 }\ntiers = { gold = 365 }\n"
    windows = policies_with(tmp_path, text).refunds.windows
    assert windows.days(base=30, categories=["apparel"], tier=None) == 30
    assert windows.days(base=30, categories=["apparel", "furniture"], tier=None) == 60
    assert windows.days(base=30, categories=["furniture"], tier="gold") == 365
    assert windows.days(base=30, categories=[], tier="silver") == 30
    assert windows.days(base=90, categories=["furniture"], tier=None) == 90


def test_the_shipped_policy_gives_gold_customers_a_year() -> None:
    windows = load_policies(default_policy_dir()).refunds.windows
    assert (dict(windows.tiers), dict(windows.categories)) == ({"gold": 365}, {})


def test_a_window_of_no_days_is_refused_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"refunds.toml: windows.tiers.gold: must be between"):
        policies_with(tmp_path, "tiers = { gold = 0 }\n")


WINDOWS = ReturnWindows(
    categories=MappingProxyType({"furniture": 60, "garden": 60}),
    tiers=MappingProxyType({"gold": 365}),
)


def test_the_window_that_applies_says_where_it_comes_from() -> None:
    assert WINDOWS.applying(base=30, categories=["apparel"], tier=None) == ReturnWindow(30)
    assert WINDOWS.applying(base=30, categories=["garden", "furniture"], tier="bronze") == (
        ReturnWindow(60, WindowBasis.CATEGORY, "furniture")  # a tie: the first by name
    )
    assert WINDOWS.applying(base=30, categories=["furniture"], tier="gold") == (
        ReturnWindow(365, WindowBasis.TIER, "gold")
    )
    assert WINDOWS.applying(base=60, categories=["furniture"], tier=None) == ReturnWindow(60)


@pytest.mark.parametrize(
    ("window", "days", "late", "says"),
    [
        (ReturnWindow(30), 12, False, "12 days since delivery, within the 30-day return window"),
        (ReturnWindow(365, WindowBasis.TIER, "gold"), 40, False,
         "40 days since delivery, within the 365-day gold window (customer tier)"),
        (ReturnWindow(60, WindowBasis.CATEGORY, "furniture"), 45, False,
         "45 days since delivery, within the 60-day furniture window (product category)"),
        (ReturnWindow(30), 34, False,
         "34 days since delivery: within the 30-day return window + 7 days in transit"),
        (ReturnWindow(30), 40, True,
         "Returned 40 days after delivery, window 30 days + 7 days in transit: OUTSIDE"),
        (ReturnWindow(365, WindowBasis.TIER, "gold"), 400, True,
         "Returned 400 days after delivery, gold window 365 days + 7 days in transit: OUTSIDE"),
        (ReturnWindow(30), None, False, "Not delivered yet: no return window to check"),
    ],
)  # fmt: skip
def test_the_verdict_names_the_window_and_counts_the_grace_as_the_review_does(
    window: ReturnWindow, days: int | None, late: bool, says: str
) -> None:
    assert window.verdict(days, grace_days=7) == says
    assert window.is_late(days, grace_days=7) is late
    review = load_policies(default_policy_dir()).refunds.review(
        total=Money.of("10.00", "EUR"), days_since_delivery=days, window=window, flags=frozenset()
    )
    assert (review.status is RefundStatus.PENDING_APPROVAL) is late


def test_a_late_gold_return_names_the_gold_window_in_the_review() -> None:
    refunds = load_policies(default_policy_dir()).refunds
    review = refunds.review(
        total=Money.of("10.00", "EUR"),
        days_since_delivery=400,
        window=ReturnWindow(365, WindowBasis.TIER, "gold"),
        flags=frozenset(),
    )
    assert review.reason == (
        "Received 400 days after delivery, past the 365-day gold window (customer tier)"
    )


@pytest.mark.parametrize(
    ("written", "tier"),
    [("Gold", "gold"), ("  gold ", "gold"), ("", None), ("   ", None), (None, None),
     ("Very  Important", "very important")],
)  # fmt: skip
def test_a_tier_from_the_shop_is_read_as_refunds_toml_names_it(
    written: str | None, tier: str | None
) -> None:
    assert customer_tier(written) == tier


@pytest.mark.parametrize(
    ("windows", "says"),
    [
        ("tiers = { Gold = 365 }\n", "windows.tiers.Gold: write it as 'gold'"),
        ('categories = { "home  goods" = 60 }\n', "windows.categories.home  goods: write it as"),
    ],
)
def test_a_key_no_tier_or_category_could_match_is_refused(
    tmp_path: Path, windows: str, says: str
) -> None:
    with pytest.raises(PolicyError, match=re.escape(says)):
        policies_with(tmp_path, windows)
