"""The process's shared collaborators, built once from settings.

Web, worker, scheduler and CLI each build one runtime; adapters reach it through
``request.app.state.runtime`` and jobs through :func:`current_runtime`.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from mercato.config import Settings
from mercato.kit import crypto
from mercato.kit.cache import Cache, build_cache
from mercato.kit.db import Database, install_database
from mercato.kit.locks import LockManager, build_lock_manager
from mercato.kit.ratelimit import Counter, MemoryCounter, RedisCounter
from mercato.kit.storage import FileStore


@dataclass
class Runtime:
    settings: Settings
    database: Database
    redis: Redis | None
    counter: Counter
    cache: Cache
    locks: LockManager
    keyring: crypto.KeyRing
    secret_key: str
    files: FileStore

    async def close(self) -> None:
        await self.database.dispose()
        if self.redis is not None:
            await self.redis.aclose()


_runtime: Runtime | None = None


def build_runtime(settings: Settings, *, database: Database | None = None) -> Runtime:
    """Wire the runtime from settings and install it as the process's current one."""
    settings.require_production_secrets()
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    keyring = crypto.KeyRing.parse(settings.resolved_encryption_keys())
    crypto.install_keyring(keyring)
    database = database or Database(settings.effective_database_url)
    install_database(database)
    runtime = Runtime(
        settings=settings,
        database=database,
        redis=redis,
        counter=RedisCounter(redis) if redis is not None else MemoryCounter(),
        cache=build_cache(redis),
        locks=build_lock_manager(redis),
        keyring=keyring,
        secret_key=settings.resolved_secret_key(),
        files=FileStore(settings.var_dir / "files"),
    )
    install_runtime(runtime)
    return runtime


def install_runtime(runtime: Runtime | None) -> None:
    global _runtime
    _runtime = runtime


def current_runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("no runtime built; call build_runtime() at startup")
    return _runtime


__all__ = ["Runtime", "build_runtime", "current_runtime", "install_runtime"]
