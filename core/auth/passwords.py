"""Password hashing and the password rule: argon2id, 8 to 256 characters, not a common one.

A password is taken byte for byte: no trimming, no case folding, no composition rules
(NIST SP 800-63B). Commonness is checked case-insensitively against a list shipped in
this package. `verify_or_dummy` spends the same work whether or not the user exists, so
timing does not tell an unknown email from a wrong password.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.errors import InvalidInput

MIN_LENGTH = 8
MAX_LENGTH = 256
# OWASP's minimum for argon2id: 19 MiB, 2 passes, one lane; 16-byte salts.
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16)
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(
        message, {"errors": [{"field": "password", "code": "password", "message": message}]}
    )


def check_password(password: str) -> str:
    """The password unchanged if it may be used; the error never quotes it."""
    if len(password) < MIN_LENGTH:
        raise _refuse(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise _refuse(f"a password has at most {MAX_LENGTH} characters")
    if password.lower() in common_passwords():
        raise _refuse("that password is on the list of common passwords: choose another")
    return password


def hash_password(password: str, hasher: PasswordHasher = HASHER) -> str:
    return hasher.hash(check_password(password))


@cache
def _dummy_hash() -> str:
    return HASHER.hash("not a password anyone has: dummy for timing")


def verify(stored: str | None, password: str, hasher: PasswordHasher = HASHER) -> bool:
    """Whether `password` matches `stored`; without a stored hash, a dummy one is verified
    so the answer takes as long as for a real user."""
    target = stored or _dummy_hash()
    try:
        ok = hasher.verify(target, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return ok and stored is not None


def needs_rehash(stored: str, hasher: PasswordHasher = HASHER) -> bool:
    try:
        return hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True
