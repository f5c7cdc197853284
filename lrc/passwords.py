"""Passwords (argon2id, never stored or logged in any reversible form) and API tokens (random,
shown once, stored as SHA-256: a token has 256 bits of entropy, so a fast hash is enough)."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache
from typing import TYPE_CHECKING

from lrc.errors import UsageError

if TYPE_CHECKING:
    from argon2 import PasswordHasher
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


@cache
def _hasher() -> PasswordHasher:
    """argon2id with the library's current recommended cost; imported when a password is checked (its
    import costs a tenth of a second, which every command that reads the store would otherwise pay)."""
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return _hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@cache
def dummy_hash() -> str:
    """A hash that no password matches, checked for an unknown user so that it costs as much time as a
    known one (made once, when first needed: hashing costs as much as checking)."""
    return _hasher().hash(secrets.token_hex(16))


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()
