"""Field encryption at rest: AES-256-GCM with versioned keys.

A stored value looks like ``v<key id>$<base64(nonce || ciphertext+tag)>``. The key with the
highest id encrypts; every listed key can decrypt, so keys rotate by adding a new key and then
re-encrypting (``mercato keys rotate``). Columns declared with :class:`EncryptedString` are
encrypted and decrypted transparently.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_NONCE_BYTES = 12


class KeyRingError(ValueError):
    """A key ring or ciphertext is malformed, or the key it names is missing."""


@dataclass(frozen=True)
class KeyRing:
    keys: dict[int, bytes]

    @classmethod
    def parse(cls, spec: str) -> KeyRing:
        """Parse ``"1:<base64>,2:<base64>"`` (each key 32 bytes)."""
        keys: dict[int, bytes] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key_id, _, encoded = part.partition(":")
            try:
                key = base64.b64decode(encoded, validate=True)
                number = int(key_id)
            except (ValueError, binascii.Error) as error:
                raise KeyRingError(f"encryption key {key_id!r} is not '<id>:<base64>'") from error
            if len(key) != 32:
                raise KeyRingError(f"encryption key {number} must be 32 bytes, got {len(key)}")
            keys[number] = key
        if not keys:
            raise KeyRingError("no encryption key configured")
        return cls(keys)

    @property
    def primary_id(self) -> int:
        return max(self.keys)

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self.keys[self.primary_id]).encrypt(nonce, plaintext.encode(), None)
        return f"v{self.primary_id}${base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str) -> str:
        key_id, blob = _split(stored)
        key = self.keys.get(key_id)
        if key is None:
            raise KeyRingError(f"value encrypted with key {key_id}, which is not configured")
        raw = base64.b64decode(blob)
        try:
            return AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None).decode()
        except InvalidTag as error:
            raise KeyRingError("ciphertext failed authentication") from error

    def needs_reencryption(self, stored: str) -> bool:
        return _split(stored)[0] != self.primary_id

    def blind_index(self, value: str) -> str:
        """A keyed hash for equality lookups on an encrypted value (stable across rotations:
        it always uses the oldest key)."""
        return hmac.new(self.keys[min(self.keys)], value.encode(), hashlib.sha256).hexdigest()


def _split(stored: str) -> tuple[int, str]:
    prefix, sep, blob = stored.partition("$")
    if not sep or not prefix.startswith("v") or not prefix[1:].isdigit():
        raise KeyRingError("value is not in the encrypted format")
    return int(prefix[1:]), blob


_keyring: KeyRing | None = None


def install_keyring(keyring: KeyRing) -> None:
    global _keyring
    _keyring = keyring


def current_keyring() -> KeyRing:
    if _keyring is None:
        raise RuntimeError("no encryption key ring installed")
    return _keyring


class EncryptedString(TypeDecorator[str]):
    """A text column stored encrypted with the process key ring."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else current_keyring().encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else current_keyring().decrypt(str(value))
