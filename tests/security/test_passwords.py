"""Password hashes: argon2id at OWASP's parameters, rehashed at sign-in when they change."""

from __future__ import annotations

import sqlalchemy as sa
from argon2 import PasswordHasher

from core.auth import passwords
from core.db.platform_tables import users
from tests.security.auth_support import PASSWORD, add_user, local_app


def test_hashes_are_argon2id_with_at_least_owasp_parameters() -> None:
    from argon2 import extract_parameters

    params = extract_parameters(passwords.hash_password(PASSWORD))
    assert params.type.name == "ID"
    assert params.memory_cost >= 19456 and params.time_cost >= 2 and params.parallelism == 1
    assert params.salt_len == 16


def test_the_common_list_is_shipped_and_large() -> None:
    common = passwords.common_passwords()
    assert len(common) > 5000
    assert {"password", "iloveyou", "qwertyuiop", "12345678"} <= common


def test_old_parameters_are_rehashed_at_sign_in(db_url: str) -> None:
    with local_app(db_url) as app:
        add_user(app, "ivy@example.com")
        weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
        with app.engine.begin() as conn:
            conn.execute(users.update().values(password_hash=weak))
        app.auth.sign_in("ivy@example.com", PASSWORD, "acme")
        with app.engine.connect() as conn:
            stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
        assert stored != weak and not passwords.needs_rehash(stored)
