"""Settings: embedded defaults work with nothing configured; production refuses weak secrets."""

from __future__ import annotations

import pytest

from mercato.config import ConfigurationError, Mode, Settings


def test_embedded_mode_generates_and_keeps_its_secrets(tmp_path):
    settings = Settings(var_dir=tmp_path)
    settings.require_production_secrets()
    key = settings.resolved_secret_key()
    assert len(key) >= 48
    assert Settings(var_dir=tmp_path).resolved_secret_key() == key
    assert (tmp_path / "secrets.json").stat().st_mode & 0o777 == 0o600
    assert settings.effective_database_url == f"sqlite+aiosqlite:///{tmp_path / 'mercato.db'}"


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({}, "MERCATO_SECRET_KEY"),
        ({"secret_key": "short"}, "MERCATO_SECRET_KEY"),
        ({"secret_key": "x" * 40}, "MERCATO_ENCRYPTION_KEYS"),
        ({"secret_key": "x" * 40, "encryption_keys": "1:abc"}, "MERCATO_DATABASE_URL"),
    ],
)
def test_production_refuses_missing_or_default_secrets(tmp_path, overrides, named):
    settings = Settings(var_dir=tmp_path, mode=Mode.PRODUCTION, **overrides)
    with pytest.raises(ConfigurationError, match=named):
        settings.require_production_secrets()


def test_production_starts_with_every_secret_set(tmp_path):
    Settings(
        var_dir=tmp_path,
        mode=Mode.PRODUCTION,
        secret_key="x" * 40,
        encryption_keys="1:abc",
        database_url="postgresql+asyncpg://db/mercato",
    ).require_production_secrets()


def test_settings_come_from_mercato_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("MERCATO_REQUIRE_2FA_ROLES", "seller, admin")
    monkeypatch.setenv("MERCATO_BASE_URL", "https://shop.example.com")
    settings = Settings(var_dir=tmp_path)
    assert settings.roles_requiring_2fa == {"seller", "admin"}
    assert settings.cookie_secure is True


def test_cli_refuses_to_start_production_without_secrets(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from mercato import cli, config

    monkeypatch.setenv("MERCATO_MODE", "production")
    monkeypatch.setenv("MERCATO_VAR_DIR", str(tmp_path))
    config.get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli.app, ["db", "upgrade"])
    finally:
        config.get_settings.cache_clear()
    assert result.exit_code == 2
    assert "MERCATO_SECRET_KEY must be set" in result.output
