"""POST /audit-anchors: the shop keeps the head of each station's audit trail (issue 11)."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from returnsdesk_oscar.models import AuditAnchor

from .test_sync_api import API, SyncApiTestCase

KEY_ID = "0123456789abcdef"


def anchor(sequence: int = 50, entry_hash: str = "a" * 64, **overrides: Any) -> dict[str, Any]:
    body = {
        "key_id": KEY_ID,
        "sequence": sequence,
        "entry_hash": entry_hash,
        "at": "2026-12-05T23:30:00+00:00",
    }
    body.update(overrides)
    return body


class AuditAnchorTests(SyncApiTestCase):
    def post_anchor(self, body: dict[str, Any], key: str) -> Any:
        return self.post("/audit-anchors", body, key)

    def test_an_anchor_is_stored_and_a_retry_is_replayed(self) -> None:
        first = self.post_anchor(anchor(), "anchor-1")
        self.assertEqual(first.status_code, 201)
        self.assertEqual(first.json(), {"key_id": KEY_ID, "sequence": 50, "status": "recorded"})
        replay = self.post_anchor(anchor(), "anchor-1")
        self.assertEqual(replay.status_code, 201)
        self.assertEqual(replay["Idempotent-Replayed"], "true")
        stored = AuditAnchor.objects.get()
        self.assertEqual(
            (stored.key_id, stored.sequence, stored.entry_hash), (KEY_ID, 50, "a" * 64)
        )

    def test_the_same_entry_with_another_hash_is_refused(self) -> None:
        self.assertEqual(self.post_anchor(anchor(), "anchor-1").status_code, 201)
        # The same head sent again under a new key (a station re-anchoring) is fine
        self.assertEqual(self.post_anchor(anchor(), "anchor-2").status_code, 201)
        # But a rewritten trail anchoring entry #50 with another hash is not
        conflict = self.post_anchor(anchor(entry_hash="b" * 64), "anchor-3")
        self.assertEqual(conflict.status_code, 409)
        self.assertEqual(conflict.json()["error"], "anchor_mismatch")
        self.assertEqual(AuditAnchor.objects.get().entry_hash, "a" * 64)

    def test_a_malformed_anchor_is_400(self) -> None:
        for body in (anchor(sequence=0), anchor(entry_hash="xyz"), anchor(key_id="KEY")):
            response = self.post_anchor(body, f"bad-{body['sequence']}-{body['key_id']}")
            self.assertEqual(response.status_code, 400, body)
            self.assertEqual(response.json()["error"], "invalid_request")
        self.assertFalse(AuditAnchor.objects.exists())

    def test_without_a_staff_token_it_is_401(self) -> None:
        response = APIClient().post(
            f"{API}/audit-anchors", anchor(), format="json", HTTP_IDEMPOTENCY_KEY="anchor-x"
        )
        self.assertEqual(response.status_code, 401)
