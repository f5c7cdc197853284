"""Passwords (argon2id, never stored or logged in any reversible form) and API tokens (random,
shown once, stored as SHA-256: a token has 256 bits of entropy, so a fast hash is enough)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from lrc.errors import UsageError

_HASHER = PasswordHasher()  # argon2id with the library's current recommended cost
MIN_LENGTH = 8
MAX_LENGTH = 256
TOKEN_PREFIX = "lrc_"


def check_password(password: str) -> str:
    """A new password as typed, or a usage error saying why it will not do."""
    if len(password) < MIN_LENGTH:
        raise UsageError(f"密码至少 {MIN_LENGTH} 个字符 (password too short)")
    if len(password) > MAX_LENGTH:
        raise UsageError(f"密码最多 {MAX_LENGTH} 个字符 (password too long)")
    if not password.strip() or any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise UsageError("密码不能只有空白,也不能含控制字符 (blank or control characters)")
    return password


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# checked against a hash that no password matches, so an unknown user costs as much time as a known one
DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()
