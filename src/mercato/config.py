"""The one settings class. Every value comes from a ``MERCATO_*`` environment variable.

Embedded mode (the default) works with no configuration at all: SQLite under ``./var/``, in-memory
cache, in-process jobs, generated secrets kept in ``./var/secrets.json``. Production mode refuses to
start until every secret is set explicitly.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Mode(StrEnum):
    EMBEDDED = "embedded"
    PRODUCTION = "production"


class ConfigurationError(RuntimeError):
    """Startup refused: the message names the setting to fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MERCATO_", extra="ignore")

    mode: Mode = Mode.EMBEDDED
    var_dir: Path = Path("./var")
    database_url: str = ""
    redis_url: str = ""
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000

    secret_key: str = ""
    encryption_keys: str = ""  # "1:<base64 32 bytes>,2:<base64 32 bytes>"; the highest id encrypts

    access_token_minutes: int = 15
    refresh_token_days: int = 30
    session_days: int = 14
    email_token_hours: int = 24
    password_reset_minutes: int = 60
    require_2fa_roles: str = (
        ""  # comma-separated roles that must enable 2FA, e.g. "seller,support,admin"
    )

    # Argon2id memory cost; RFC 9106 second recommended option (64 MiB, 3 passes).
    password_hash_memory_kib: int = 65536

    login_attempts_per_account: int = 5
    login_attempts_per_ip: int = 20
    login_window_seconds: int = 900

    max_body_bytes: int = 1_048_576
    # File uploads (multipart: images, documents, CSV imports) may be larger; each domain still
    # enforces its own per-file limit.
    max_upload_bytes: int = 12 * 1_048_576
    smtp_url: str = ""  # smtp://user:pass@host:port ; empty -> local mail outbox
    mail_from: str = "Mercato <no-reply@mercato.example>"
    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("var_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.resolve()

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.var_dir / 'mercato.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def roles_requiring_2fa(self) -> frozenset[str]:
        return frozenset(r.strip() for r in self.require_2fa_roles.split(",") if r.strip())

    @property
    def cookie_secure(self) -> bool:
        return self.base_url.startswith("https://")

    def require_production_secrets(self) -> None:
        """Fail loudly when production mode would run on default or missing secrets."""
        if self.mode is not Mode.PRODUCTION:
            return
        problems = []
        if len(self.secret_key) < 32:
            problems.append("MERCATO_SECRET_KEY must be set to at least 32 random characters")
        if not self.encryption_keys:
            problems.append("MERCATO_ENCRYPTION_KEYS must be set (id:base64-32-byte-key,...)")
        if not self.database_url:
            problems.append("MERCATO_DATABASE_URL must be set")
        if problems:
            raise ConfigurationError("Refusing to start in production mode: " + "; ".join(problems))

    def resolved_secret_key(self) -> str:
        return self.secret_key or _embedded_secrets(self.var_dir)["secret_key"]

    def resolved_encryption_keys(self) -> str:
        return self.encryption_keys or _embedded_secrets(self.var_dir)["encryption_keys"]


def secrets_file(var_dir: Path) -> Path:
    return var_dir / "secrets.json"


def new_encryption_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _embedded_secrets(var_dir: Path) -> dict[str, str]:
    """Secrets for embedded mode, generated once and kept beside the database (never in git)."""
    path = secrets_file(var_dir)
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text())
        return stored
    var_dir.mkdir(parents=True, exist_ok=True)
    generated = {
        "secret_key": secrets.token_urlsafe(48),
        "encryption_keys": f"1:{new_encryption_key()}",
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(generated, handle)
    return generated


def store_embedded_encryption_keys(var_dir: Path, keys: str) -> None:
    stored = _embedded_secrets(var_dir)
    stored["encryption_keys"] = keys
    path = secrets_file(var_dir)
    path.write_text(json.dumps(stored))
    path.chmod(0o600)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


__all__ = ["ConfigurationError", "Mode", "Settings", "get_settings"]
