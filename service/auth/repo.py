"""SQL for users, scopes, team membership and tokens."""

from datetime import datetime

import asyncpg

from service.search.repo import scope_lateral_sql


async def get_user_by_username(conn: asyncpg.Connection, username: str) -> asyncpg.Record | None:
    """A user row by login name."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM users WHERE username = $1", username
    )
    return row


async def get_user(conn: asyncpg.Connection, user_id: int) -> asyncpg.Record | None:
    """A user row by id."""
    row: asyncpg.Record | None = await conn.fetchrow("SELECT * FROM users WHERE id = $1", user_id)
    return row


async def lock_user(conn: asyncpg.Connection, username: str) -> asyncpg.Record | None:
    """A user row locked for a login attempt."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM users WHERE username = $1 FOR UPDATE", username
    )
    return row


async def lock_user_by_id(conn: asyncpg.Connection, user_id: int) -> asyncpg.Record | None:
    """A user row by id, locked for a password check (the same lock a login attempt takes)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM users WHERE id = $1 FOR UPDATE", user_id)
    return row


async def record_login_failure(conn: asyncpg.Connection, user_id: int, max_failures: int,
                               lockout_minutes: int) -> None:
    """Count a failed login and lock the account when the limit is reached."""
    await conn.execute(
        """UPDATE users SET failed_logins = failed_logins + 1,
             locked_until = CASE WHEN failed_logins + 1 >= $2
                                 THEN now() + make_interval(mins => $3) ELSE locked_until END
           WHERE id = $1""",
        user_id, max_failures, lockout_minutes,
    )


async def lock_unknown_name(conn: asyncpg.Connection, username: str) -> asyncpg.Record | None:
    """The failure counter of a name that is no account, locked for this attempt (None: none yet)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM login_name_failures WHERE username = $1 FOR UPDATE", username)
    return row


async def record_unknown_name_failure(conn: asyncpg.Connection, username: str, max_failures: int,
                                      lockout_minutes: int) -> None:
    """Count a failed login of an unknown name and lock it at the limit, as for an account."""
    await conn.execute(
        """INSERT INTO login_name_failures AS f (username, failed_logins, locked_until)
           VALUES ($1, 1, CASE WHEN 1 >= $2 THEN now() + make_interval(mins => $3) END)
           ON CONFLICT (username) DO UPDATE SET
             failed_logins = f.failed_logins + 1, updated_at = now(),
             locked_until = CASE WHEN f.failed_logins + 1 >= $2
                                 THEN now() + make_interval(mins => $3) ELSE f.locked_until END""",
        username, max_failures, lockout_minutes,
    )


async def recent_failures_from(conn: asyncpg.Connection, source_ip: str, minutes: int) -> int:
    """Failed logins from one address within the last minutes, read from the audit trail."""
    count: int = await conn.fetchval(
        """SELECT count(*) FROM audit_log WHERE action = 'auth.login.failure' AND source_ip = $1
             AND at > now() - make_interval(mins => $2)""",
        source_ip, minutes,
    )
    return count


async def reset_login_failures(conn: asyncpg.Connection, user_id: int) -> None:
    """Clear the failure count after a successful login."""
    await conn.execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1", user_id
    )


async def insert_user(conn: asyncpg.Connection, username: str, display_name: str,
                      password_hash: str, role: str) -> asyncpg.Record:
    """Create a user."""
    row: asyncpg.Record = await conn.fetchrow(
        """INSERT INTO users (username, display_name, password_hash, role)
           VALUES ($1, $2, $3, $4) ON CONFLICT (username) DO NOTHING RETURNING *""",
        username, display_name, password_hash, role,
    )
    return row


async def update_user(conn: asyncpg.Connection, user_id: int, version: int, display_name: str,
                      role: str, active: bool) -> asyncpg.Record | None:
    """Update an account if still at the given version."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """UPDATE users SET display_name = $3, role = $4, active = $5, version = version + 1,
                            updated_at = now()
           WHERE id = $1 AND version = $2 RETURNING *""",
        user_id, version, display_name, role, active,
    )
    return row


async def set_password(conn: asyncpg.Connection, user_id: int, password_hash: str) -> None:
    """Replace a password hash."""
    await conn.execute(
        """UPDATE users SET password_hash = $2, password_changed_at = now(),
                            version = version + 1, updated_at = now() WHERE id = $1""",
        user_id, password_hash,
    )


async def replace_scopes(conn: asyncpg.Connection, user_id: int,
                         scopes: list[tuple[int, str | None]]) -> None:
    """Replace a user's scopes."""
    await conn.execute("DELETE FROM user_scopes WHERE user_id = $1", user_id)
    await conn.executemany(
        "INSERT INTO user_scopes (user_id, unit_id, tier) VALUES ($1, $2, $3)",
        [(user_id, unit_id, tier) for unit_id, tier in scopes],
    )


async def add_scope(conn: asyncpg.Connection, user_id: int, unit_id: int, tier: str | None) -> bool:
    """Add one scope; False when the user already has it."""
    done: str = await conn.execute(
        "INSERT INTO user_scopes (user_id, unit_id, tier) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        user_id, unit_id, tier)
    return done.endswith(" 1")


async def remove_scope(conn: asyncpg.Connection, user_id: int, unit_id: int, tier: str | None) -> bool:
    """Remove one scope; False when the user does not have it."""
    done: str = await conn.execute(
        "DELETE FROM user_scopes WHERE user_id = $1 AND unit_id = $2 AND tier IS NOT DISTINCT FROM $3",
        user_id, unit_id, tier)
    return done != "DELETE 0"


async def unit_exists(conn: asyncpg.Connection, unit_id: int) -> bool:
    """Whether the unit exists."""
    found: bool = await conn.fetchval("SELECT EXISTS (SELECT 1 FROM units WHERE id = $1)", unit_id)
    return found


async def list_scopes(conn: asyncpg.Connection, user_id: int) -> list[asyncpg.Record]:
    """A user's scopes with unit names."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT s.unit_id, s.tier, u.name AS unit_name FROM user_scopes s
           JOIN units u ON u.id = s.unit_id WHERE s.user_id = $1 ORDER BY s.id""",
        user_id,
    )
    return rows


async def list_team_ids(conn: asyncpg.Connection, user_id: int) -> list[int]:
    """Teams the user belongs to."""
    rows = await conn.fetch("SELECT team_id FROM team_members WHERE user_id = $1", user_id)
    return [r["team_id"] for r in rows]


async def list_users(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """All users."""
    rows: list[asyncpg.Record] = await conn.fetch("SELECT * FROM users ORDER BY id")
    return rows


async def insert_token(conn: asyncpg.Connection, token_hash: bytes, user_id: int, kind: str,
                       csrf_hash: bytes | None, expires_at: datetime, source_ip: str | None) -> None:
    """Store a new token (hashed)."""
    await conn.execute(
        """INSERT INTO auth_tokens (token_hash, user_id, kind, csrf_hash, expires_at, source_ip)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        token_hash, user_id, kind, csrf_hash, expires_at, source_ip,
    )


_RESOLVE = """SELECT t.kind, t.csrf_hash, u.id, u.username, u.display_name, u.role {extra}
           FROM auth_tokens t JOIN users u ON u.id = t.user_id {join}
           WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()
             AND u.active AND t.created_at >= u.password_changed_at"""
_RESOLVE_PLAIN = _RESOLVE.format(extra="", join="")
_RESOLVE_SCOPED = _RESOLVE.format(extra=", s.*",
                                  join=f"CROSS JOIN LATERAL ({scope_lateral_sql('u.id')}) s")


async def resolve_token(conn: asyncpg.Connection, token_hash: bytes,
                        with_scope: bool = False) -> asyncpg.Record | None:
    """The live token and its active user, if any (with the search scope arrays when asked)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        _RESOLVE_SCOPED if with_scope else _RESOLVE_PLAIN, token_hash)
    return row


async def revoke_token(conn: asyncpg.Connection, token_hash: bytes) -> None:
    """Revoke one token."""
    await conn.execute(
        "UPDATE auth_tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL",
        token_hash,
    )


async def revoke_user_tokens(conn: asyncpg.Connection, user_id: int) -> None:
    """Revoke every live token of a user."""
    await conn.execute(
        "UPDATE auth_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
        user_id,
    )
