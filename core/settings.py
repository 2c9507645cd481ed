"""Effective settings: the default TOML, then the user's TOML, then METASAAS_* variables.

Secrets are `SecretStr` so that printing or logging settings never shows them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from core.identifiers import TENANT_ID

APP_NAME = "metasaas"
DEFAULT_CONFIG_FILE = Path(__file__).resolve().parent.parent / "config" / "default.toml"


def user_config_file() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME) / "config.toml"


def user_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME)


class SQLiteSettings(BaseModel):
    synchronous: Literal["FULL", "NORMAL"] = "FULL"
    busy_timeout_ms: int = 10_000


class AISettings(BaseModel):
    model: str = "gpt-4o-mini"
    fallback_models: list[str] = []
    api_key: SecretStr | None = None
    api_base: str | None = None
    timeout_seconds: float = 30


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="METASAAS_", env_nested_delimiter="__", extra="ignore"
    )

    database_url: SecretStr | None = None
    tenant: str = "default"
    user: str = "dev-admin"
    roles: list[str] = ["admin"]
    domain: str = "entities"
    log_level: str = "WARNING"
    sqlite: SQLiteSettings = SQLiteSettings()
    ai: AISettings = AISettings()

    @field_validator("tenant")
    @classmethod
    def _tenant(cls, value: str) -> str:
        if not TENANT_ID.match(value):
            raise ValueError("must match ^[a-z0-9][a-z0-9_-]{0,62}$")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        files = [p for p in (user_config_file(), DEFAULT_CONFIG_FILE) if p.is_file()]
        # Earlier sources win: explicit arguments, then the environment, then the user's file.
        return (
            init_settings,
            env_settings,
            *(TomlConfigSettingsSource(settings_cls, toml_file=p) for p in files),
        )

    def resolved_database_url(self) -> str:
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        path = user_data_dir() / "metasaas.db"
        return f"sqlite:///{path}"

    def masked(self) -> dict[str, Any]:
        """The effective settings as printable data: secrets and URL passwords hidden."""
        from sqlalchemy.engine import make_url

        data = self.model_dump(mode="json")
        data["database_url"] = make_url(self.resolved_database_url()).render_as_string(
            hide_password=True
        )
        if self.ai.api_key is not None:
            data["ai"]["api_key"] = "**********"
        data["sources"] = {
            "default_file": str(DEFAULT_CONFIG_FILE),
            "user_file": str(user_config_file()),
            "environment_prefix": "METASAAS_",
        }
        return data
