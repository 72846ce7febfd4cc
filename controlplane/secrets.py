"""Secrets kept in the database (gateway passwords and API keys) are encrypted at rest
with a key derived from ``SECRET_KEY``: a database dump or backup alone does not reveal
them. Rotating ``SECRET_KEY`` makes the stored secrets unreadable; they then count as
not set (and are logged), so delivery falls back to the environment's gateway."""

from __future__ import annotations

import base64
import hashlib
import logging

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

logger = logging.getLogger(__name__)


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"caseway.gateway-secrets:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def secret_encrypt(plain: str) -> str:
    """The stored form of ``plain`` ("" stays "": nothing set)."""
    if not plain:
        return ""
    return _fernet().encrypt(plain.encode()).decode("ascii")


def secret_decrypt(stored: str) -> str:
    """The plain text of a stored secret; "" when none is set or it cannot be read."""
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        logger.error("a stored gateway secret cannot be decrypted (SECRET_KEY changed?)")
        return ""
