"""A customer's language and payment method as order systems and files spell them."""

from __future__ import annotations

import pytest

from returnsdesk.domain.messages import language_tag, payment_method_word


@pytest.mark.parametrize(
    ("given", "tag"),
    [
        ("de", "de"),
        ("de_DE", "de-DE"),
        (" DE-at ", "de-AT"),
        ("zh-Hant-TW", "zh-Hant-TW"),
        ("", None),
        (None, None),
        ("Deutsch", None),
        ("en GB", None),
        ("<script>", None),
        ("de-" + "x" * 20, None),
    ],
)
def test_a_language_is_a_tag_or_not_known(given: str | None, tag: str | None) -> None:
    assert language_tag(given) == tag


@pytest.mark.parametrize(
    ("given", "word"),
    [
        ("card", "card"),
        ("Bank transfer", "bank_transfer"),
        ("bank-transfer", "bank_transfer"),
        (" PayPal ", "paypal"),
        ("", None),
        (None, None),
        ("--", None),
    ],
)
def test_a_payment_method_is_a_lead_time_key(given: str | None, word: str | None) -> None:
    assert payment_method_word(given) == word
