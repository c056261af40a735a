"""Personal numbers are stored as an HMAC-SHA256 keyed hash (to find a person's cases by number) and as
AES-GCM ciphertext (to show the number to those who may see it). Neither key is ever stored in the database.

Configuration (docs/access.md): ``PERSONAL_NUMBER_KEY`` (the hash key) and ``PERSONAL_NUMBER_ENCRYPTION_KEY``
(32 bytes, base64). Without them, fixed development keys are used and a warning says so: never in production.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..config import setting

log = logging.getLogger(__name__)

DEVELOPMENT_HASH_KEY = "sip-development-only-personal-number-key"
DEVELOPMENT_ENCRYPTION_KEY = base64.b64encode(hashlib.sha256(b"sip-development-only-encryption").digest()).decode()
_warned: set[str] = set()


def _key(name: str, development: str) -> str:
    value = setting(name)
    if value is None:
        if name not in _warned:
            _warned.add(name)
            log.warning("%s is not configured: using the built-in development key, UNSAFE FOR PRODUCTION", name)
        return development
    return str(value)


def number_hash(number: str) -> str:
    """The keyed hash of a normalised number (YYYYMMDDNNNC, as `parse_personal_number` gives it): a number
    written otherwise would hash to another person, so it is refused."""
    if not (len(number) == 12 and number.isascii() and number.isdigit()):
        raise ValueError("number_hash takes a normalised number: twelve digits 0-9 (parse_personal_number)")
    return keyed_hash(number)


def keyed_hash(text: str) -> str:
    """HMAC-SHA256 under the hash key, of a number or of anything holding one (a plain hash of a number could
    be reversed by trying every number)."""
    key = _key("PERSONAL_NUMBER_KEY", DEVELOPMENT_HASH_KEY).encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _aesgcm() -> AESGCM:
    raw = base64.b64decode(_key("PERSONAL_NUMBER_ENCRYPTION_KEY", DEVELOPMENT_ENCRYPTION_KEY))
    if len(raw) != 32:
        raise RuntimeError("PERSONAL_NUMBER_ENCRYPTION_KEY must be 32 bytes, base64-encoded")
    return AESGCM(raw)


def encrypt_number(number: str) -> str:
    nonce = os.urandom(12)
    sealed = _aesgcm().encrypt(nonce, number.encode(), b"personnummer")
    return "v1:" + base64.b64encode(nonce + sealed).decode()


def decrypt_number(value: str) -> str:
    raw = base64.b64decode(value.removeprefix("v1:"))
    return _aesgcm().decrypt(raw[:12], raw[12:], b"personnummer").decode()


def protect(number: str) -> tuple[str, str]:
    """(keyed hash, ciphertext) of a normalised number."""
    return number_hash(number), encrypt_number(number)
