"""returnsdesk_oscar: the returnsdesk sync API (docs/sync-api.yaml) for django-oscar shops."""
