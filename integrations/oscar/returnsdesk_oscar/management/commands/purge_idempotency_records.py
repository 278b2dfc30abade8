"""Delete idempotency records older than N days (at least 30, as the contract promises)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from returnsdesk_oscar.models import IdempotencyRecord

MIN_RETENTION_DAYS = 30


class Command(BaseCommand):
    help = "Delete idempotency records older than --days (default and minimum 30)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=MIN_RETENTION_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        days: int = options["days"]
        if days < MIN_RETENTION_DAYS:
            # A station may be offline for weeks and then relay with old keys.
            raise CommandError(f"keys are kept at least {MIN_RETENTION_DAYS} days")
        cutoff = timezone.now() - timedelta(days=days)
        deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"deleted {deleted} idempotency records older than {days} days")
