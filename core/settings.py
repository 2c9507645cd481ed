"""Effective settings: the default TOML, then the user's TOML, then METASAAS_* variables.

Secrets are `SecretStr` so that printing or logging settings never shows them. A setting
that cannot be used is a `SettingsError` naming where it came from (the file, the
variable, the option) and what it accepts, so a surface can answer it as a usage error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
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


def private_dir(path: Path) -> Path:
    """`path` as a directory only its owner may enter (0700): the user data directory holds
    the database, the REPL history and the log."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """Create `path` readable by its owner only (0600), or tighten it if it is broader."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    return path


class SettingsError(ValueError):
    """A setting that cannot be used; the message names its source and what it accepts."""


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SYNCHRONOUS = ("FULL", "NORMAL")


class SQLiteSettings(BaseModel):
    synchronous: Literal["FULL", "NORMAL"] = "FULL"
    busy_timeout_ms: int = 10_000

    @field_validator("synchronous", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        if isinstance(value, str) and value.upper() in SYNCHRONOUS:
            return value.upper()
        if value not in SYNCHRONOUS:
            raise ValueError(f"must be one of {', '.join(SYNCHRONOUS)}")
        return value


class AISettings(BaseModel):
    """The model gateway: `model` (any litellm model string; empty means offline only), its
    fallbacks in order, and an OpenAI-compatible `base_url` (a local server)."""

    model: str = "gpt-4o-mini"
    # comma-separated in METASAAS_AI__FALLBACK_MODELS, a list in a TOML file
    fallback_models: Annotated[list[str], NoDecode] = []
    api_key: SecretStr | None = None
    base_url: str | None = None
    api_base: str | None = None  # the older name of base_url, still read
    timeout_seconds: float = Field(default=30, gt=0, le=600)
    max_tokens: int = Field(default=1024, ge=1, le=100_000)
    max_retries: int = Field(default=2, ge=0, le=5)
    retry_backoff_seconds: float = Field(default=0.5, ge=0, le=60)

    @field_validator("fallback_models", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [m.strip() for m in value.split(",") if m.strip()]
        return value


RATE_DEFAULT_VALUES = ("120/minute", "1200/minute", "10/minute;200/day")
RATE_DEFAULTS = frozenset(RATE_DEFAULT_VALUES)
AUTH_PROVIDERS = ("dev", "local", "oidc")


class AuthSettings(BaseModel):
    """Who the caller is: `dev` (the configured development admin, SQLite only unless
    `allow_dev_auth`), `local` (users and sessions in the database) or `oidc` (JWTs from an
    identity provider). `METASAAS_AUTH=local` is short for `METASAAS_AUTH__PROVIDER=local`."""

    provider: Literal["dev", "local", "oidc"] = "dev"
    idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    absolute_hours: int = Field(default=12, ge=1, le=24 * 30)
    token_file: bool = False
    """Opt-in: keep the session token in a 0600 file when no keyring is available."""
    jwks_file: str | None = None
    jwks_url: str | None = None
    hs256_secret: SecretStr | None = None
    issuer: str | None = None
    audience: str | None = None
    algorithms: Annotated[list[str], NoDecode] = ["RS256"]
    platform_admins: Annotated[list[str], NoDecode] = []
    """`tenant:user` pairs whose admin role reaches every tenant (adding tenants, verifying
    every chain) under `local` and `oidc`; comma-separated in the environment."""
    user_claim: str = "sub"
    tenant_claim: str = "tenant"
    roles_claim: str = "roles"

    @field_validator("provider", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("platform_admins", mode="before")
    @classmethod
    def _pairs(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [p.strip() for p in value.split(",") if p.strip()]
        return value

    @field_validator("algorithms", mode="before")
    @classmethod
    def _algorithms(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [a.strip() for a in value.split(",") if a.strip()]
        if isinstance(value, list) and any(str(a).lower() == "none" for a in value):
            raise ValueError("`none` is never an accepted algorithm")
        return value


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
    rate_limit_caller: str | None = None
    """Actions per caller (tenant:user); `60/minute`, several joined by `;`, or `none`.
    Unset: `120/minute`, or `none` under development authentication (see `rates`)."""
    rate_limit_tenant: str | None = None
    rate_limit_ai: str | None = None
    """AI commands (requests that go to a model) per caller."""
    redis_url: SecretStr | None = None
    """Rate-limit counters in Redis instead of the database (shared by every process)."""

    @field_validator("rate_limit_caller", "rate_limit_tenant", "rate_limit_ai")
    @classmethod
    def _rates(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.strip().lower() == "none":
            return "none"
        if value in RATE_DEFAULTS:  # known good: spare every process the parser's import
            return value
        from limits import parse_many

        try:
            items = parse_many(value)
        except ValueError:
            items = []
        if not items or any(i.amount < 1 for i in items):
            raise ValueError("must be a rate like 60/minute, several joined by ';', or none")
        return value

    auth: Annotated[AuthSettings, NoDecode] = AuthSettings()
    allow_dev_auth: bool = False
    """METASAAS_ALLOW_DEV_AUTH=1: development authentication on PostgreSQL too."""

    @field_validator("auth", mode="before")
    @classmethod
    def _auth(cls, value: Any) -> Any:
        """`METASAAS_AUTH=local` names the provider; JSON gives the whole table."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("{"):
                import json

                return json.loads(text)
            if text.lower() not in AUTH_PROVIDERS:
                raise ValueError(f"must be one of {', '.join(AUTH_PROVIDERS)}")
            return {"provider": text}
        return value

    @field_validator("tenant")
    @classmethod
    def _tenant(cls, value: str) -> str:
        if not TENANT_ID.match(value):
            raise ValueError("must match ^[a-z0-9][a-z0-9_-]{0,62}$")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Earlier sources win: explicit arguments, then the environment, then the user's file.
        return (init_settings, env_settings, *(_toml(settings_cls, p) for p in config_files()))

    def rates(self) -> tuple[str, str, str]:
        """The effective limits (caller, tenant, AI). Unset limits are on by default, but
        off under development authentication: one developer on their own database file
        protects nothing by throttling themselves, and each count costs a write."""
        given = (self.rate_limit_caller, self.rate_limit_tenant, self.rate_limit_ai)
        if self.auth.provider == "dev":
            return tuple(g or "none" for g in given)  # type: ignore[return-value]
        return tuple(g or d for g, d in zip(given, RATE_DEFAULT_VALUES, strict=True))  # type: ignore[return-value]

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
        if self.auth.hs256_secret is not None:
            data["auth"]["hs256_secret"] = "**********"
        data["sources"] = {
            "default_file": str(DEFAULT_CONFIG_FILE),
            "user_file": str(user_config_file()),
            "environment_prefix": "METASAAS_",
        }
        return data


def config_files() -> list[Path]:
    """The TOML files settings are read from, the one that wins first."""
    return [p for p in (user_config_file(), DEFAULT_CONFIG_FILE) if p.is_file()]


def _toml(settings_cls: type[BaseSettings], path: Path) -> PydanticBaseSettingsSource:
    import tomllib

    try:
        return TomlConfigSettingsSource(settings_cls, toml_file=path)
    except UnicodeDecodeError:
        raise SettingsError(f"config file {path}: is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path}: is not valid TOML ({exc})") from None


OPTION_NAMES = {"database_url": "--db", "tenant": "--tenant"}


def load_settings(**overrides: Any) -> Settings:
    """Settings with `overrides` (from command-line options) on top; `SettingsError` names
    the variable, file or option at fault and what it accepts."""
    blank = blank_variables()
    if blank:
        raise SettingsError(f"{blank[0]} is set but empty: give it a value or unset it")
    from pydantic_settings import SettingsError as SourceError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for e in exc.errors(include_input=False, include_url=False):
            loc = tuple(str(p) for p in e["loc"])
            example = f", e.g. {_EXAMPLES[loc[0]]}" if len(loc) == 1 and loc[0] in _EXAMPLES else ""
            message = str(e["msg"]).removeprefix("Value error, ")
            problems.append(f"{source_of(loc, overrides)}: {message}{example}")
        raise SettingsError("; ".join(problems)) from None
    except SourceError as exc:
        # pydantic-settings could not decode a variable: a list or a table given as text.
        name = str(exc).split('"')[1] if '"' in str(exc) else ""
        raise SettingsError(
            f"{env_name((name,))}: must be JSON, e.g. {_EXAMPLES.get(name, '[...]')}"
        ) from None


_EXAMPLES = {
    "roles": '["admin"]',
    "ai": '{"model": "gpt-4o-mini"}',
    "sqlite": '{"synchronous": "FULL"}',
}


def env_name(loc: tuple[str, ...]) -> str:
    return "METASAAS_" + "__".join(part.upper() for part in loc)


def _setting_names() -> list[tuple[str, ...]]:
    names: list[tuple[str, ...]] = []
    for name, info in Settings.model_fields.items():
        names.append((name,))
        nested = info.annotation
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            names.extend((name, sub) for sub in nested.model_fields)
    return names


def blank_variables() -> list[str]:
    """The METASAAS_* variables settings read that are set to nothing but blanks: an empty
    variable is a script's mistake, never a wish for the default."""
    environ = {k.upper(): v for k, v in os.environ.items()}
    return [
        env_name(loc)
        for loc in _setting_names()
        if env_name(loc) in environ and not environ[env_name(loc)].strip()
    ]


def source_of(loc: tuple[str, ...], overrides: dict[str, Any] | None = None) -> str:
    """Where the value at `loc` came from: an option, a variable, or a config file."""
    if overrides and loc and loc[0] in overrides:
        return OPTION_NAMES.get(loc[0], loc[0])
    environ = {k.upper() for k in os.environ}
    for depth in range(len(loc), 0, -1):
        if env_name(loc[:depth]) in environ:
            return env_name(loc[:depth])
    import tomllib

    for path in config_files():
        try:
            data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        for part in loc:
            data = data.get(part) if isinstance(data, dict) else None
        if data is not None:
            return f"{'.'.join(loc)} in {path}"
    return ".".join(loc)
