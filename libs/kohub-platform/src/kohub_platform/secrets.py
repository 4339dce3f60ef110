"""Secrets kohub must read back (a Grafana HMAC key, an operator's Termix API key) are stored
encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`).

`KOHUB_SECRET_KEYS` is a comma-separated list of Fernet keys: the first encrypts, all decrypt.
Rotation: put a new key first, run `rotate` over the stored values (or let them be rewritten
as they change), then drop the old key.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# Development only: a key anyone can derive; `secret_box` refuses it outside development.
DEVELOPMENT_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"kohub-development-only").digest()
).decode()


class SecretUnreadable(Exception):
    """No configured key decrypts the value (the key that wrote it was removed)."""


class SecretBox:
    def __init__(self, keys: tuple[str, ...]) -> None:
        if not keys:
            raise ValueError("At least one secret key is needed (KOHUB_SECRET_KEYS).")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, plain: str) -> bytes:
        return self._fernet.encrypt(plain.encode())

    def open(self, sealed: bytes) -> str:
        try:
            return self._fernet.decrypt(sealed).decode()
        except InvalidToken as exc:
            raise SecretUnreadable("No configured key decrypts this secret.") from exc

    def rotate(self, sealed: bytes) -> bytes:
        """Re-encrypt with the first key."""
        return self._fernet.rotate(sealed)


def new_key() -> str:
    return Fernet.generate_key().decode()


def secret_box(keys: tuple[str, ...], environment: str) -> SecretBox:
    """The box of a service that keeps secrets: the configured keys, or in development (and
    tests) the development key. Outside development, no key or the development key is an
    error at start, not a secret readable by anyone."""
    if environment != "development" and (not keys or DEVELOPMENT_KEY in keys):
        raise ValueError("Set KOHUB_SECRET_KEYS (Fernet keys) outside development.")
    return SecretBox(keys or (DEVELOPMENT_KEY,))
