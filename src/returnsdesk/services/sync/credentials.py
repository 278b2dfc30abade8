"""Where the order system's API token is read from: a process variable, else the OS keyring.

Never from settings files (``config.py`` refuses a ``token`` key) and never logged.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping

log = logging.getLogger(__name__)

DEFAULT_TOKEN_ENV = "RETURNSDESK_ORDER_SYSTEM_TOKEN"
KEYRING_SERVICE, KEYRING_USER = "returnsdesk", "order_system"


def client_keyring_user(code: str) -> str:
    """The keyring user holding a client shop's token ([clients.<code>])."""
    return f"{KEYRING_USER}:{code}"


def order_system_token(
    variable: str, environ: Mapping[str, str], keyring_user: str = KEYRING_USER
) -> str | None:
    """The token from ``variable`` in ``environ``, else the keyring (when installed), else None."""
    token = environ.get(variable, "").strip()
    if token:
        return token
    try:
        keyring = importlib.import_module("keyring")
    except ImportError:
        return None
    try:
        stored = keyring.get_password(KEYRING_SERVICE, keyring_user)
    except Exception as exc:  # noqa: BLE001 - no usable keyring backend is "no token here"
        log.warning("OS keyring not readable: %s", exc)
        return None
    if not isinstance(stored, str) or not stored.strip():
        return None
    return stored.strip()
