"""Idempotency-Key handling: a retried POST returns the first result and creates nothing new."""

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
from pydantic import BaseModel

from service.errors import ValidationFailed
from service.principal import Principal
from service.uow import UnitOfWork, unit_of_work

M = TypeVar("M", bound=BaseModel)


def fingerprint(operation: str, payload: BaseModel | dict[str, object]) -> str:
    """Stable hash of an operation and its body, to detect a key reused for another request."""
    data = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload
    text = json.dumps({"op": operation, "body": data}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


async def run_idempotent(
    pool: asyncpg.Pool, principal: Principal, key: str | None, request_hash: str,
    model: type[M], work: Callable[[UnitOfWork], Awaitable[M]],
) -> tuple[M, bool]:
    """Run work in one transaction unless the key was seen; return (result, replayed)."""
    async with unit_of_work(pool, principal) as uow:
        if key is None:
            return await work(uow), False
        # A concurrent first attempt holds the row lock; this insert waits for it to finish.
        inserted = await uow.conn.fetchval(
            """INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)
               ON CONFLICT DO NOTHING RETURNING true""",
            principal.user_id, key, request_hash,
        )
        if not inserted:
            row = await uow.conn.fetchrow(
                "SELECT request_hash, response FROM idempotency_keys WHERE user_id=$1 AND key=$2",
                principal.user_id, key,
            )
            assert row is not None
            if row["request_hash"] != request_hash:
                raise ValidationFailed("同一个 Idempotency-Key 不能用于不同的请求内容")
            return model.model_validate(row["response"]), True
        result = await work(uow)
        await uow.conn.execute(
            """UPDATE idempotency_keys SET status_code = 201, response = $3
               WHERE user_id = $1 AND key = $2""",
            principal.user_id, key, result.model_dump(mode="json"),
        )
        return result, False
