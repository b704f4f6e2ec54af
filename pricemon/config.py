"""Settings: one object, read from the environment and `.env`, built when a process starts.

Nothing here runs at import time; entrypoints call `load_settings()` once and pass the
result down. Variable names are kept from the previous TypeScript system where it had them
(`DATABASE_URL`, `REDIS_URL`, `AI_PROVIDER`...); new ones start with `PRICEMON_`.
Every variable is documented in `.env.example`.
"""

from __future__ import annotations

import io
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import (
    AliasChoices,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from pricemon.errors import ConfigError

ENV_FILE = ".env"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class AIProvider(StrEnum):
    NONE = "none"
    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    GOOGLE = "google"
    OLLAMA = "ollama"


def _env(name: str) -> Any:
    """A field read from exactly the environment variable `name`."""
    return AliasChoices(name)


class CoolifyContext:
    """One Coolify target (`local` or `prod`) as read from the COOLIFY_<NAME>_* variables."""

    def __init__(
        self,
        name: str,
        url: str | None,
        api_token: SecretStr | None,
        web_uuid: str | None,
        worker_uuid: str | None,
    ) -> None:
        self.name = name
        self.url = url.rstrip("/") if url else None
        self.api_token = api_token
        self.web_uuid = web_uuid
        self.worker_uuid = worker_uuid

    @property
    def prefix(self) -> str:
        return f"COOLIFY_{self.name.upper()}_"

    def __repr__(self) -> str:  # never show the token
        return f"CoolifyContext(name={self.name!r}, url={self.url!r})"


class Settings(BaseSettings):
    """Every setting pricemon reads. Secrets are `SecretStr`: they print as '**********'."""

    model_config = SettingsConfigDict(
        env_file=ENV_FILE,
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        case_sensitive=False,
    )

    # Where things live
    env: Environment = Field(Environment.DEVELOPMENT, validation_alias=_env("PRICEMON_ENV"))
    data_dir: Path = Field(Path(".pricemon"), validation_alias=_env("PRICEMON_DATA_DIR"))
    database_url: str | None = Field(None, validation_alias=_env("DATABASE_URL"))
    redis_url: str | None = Field(None, validation_alias=_env("REDIS_URL"))
    log_level: str = Field("INFO", validation_alias=_env("LOG_LEVEL"))

    # Web
    admin_password: SecretStr | None = Field(None, validation_alias=_env("PRICEMON_ADMIN_PASSWORD"))
    secret_key: SecretStr | None = Field(None, validation_alias=_env("PRICEMON_SECRET_KEY"))
    host: str = Field("127.0.0.1", validation_alias=_env("PRICEMON_HOST"))
    port: int = Field(8000, validation_alias=_env("PORT"))

    # Fetching
    chromium_executable: str | None = Field(
        None, validation_alias=_env("PRICEMON_CHROMIUM_EXECUTABLE")
    )
    allow_private_urls: bool = Field(False, validation_alias=_env("PRICEMON_ALLOW_PRIVATE_URLS"))
    fetch_timeout_s: float = Field(20.0, validation_alias=_env("PRICEMON_FETCH_TIMEOUT"))

    # Worker
    worker_concurrency: int = Field(8, ge=1, validation_alias=_env("PRICEMON_WORKER_CONCURRENCY"))
    check_attempts: int = Field(3, ge=1, validation_alias=_env("PRICEMON_CHECK_ATTEMPTS"))
    check_timeout_s: float = Field(120.0, gt=0, validation_alias=_env("PRICEMON_CHECK_TIMEOUT"))
    enable_scheduler: bool = Field(True, validation_alias=_env("ENABLE_SCHEDULER"))
    scheduler_timezone: str = Field("UTC", validation_alias=_env("SCHEDULER_TIMEZONE"))

    # LLM fallback
    ai_provider: AIProvider = Field(AIProvider.NONE, validation_alias=_env("AI_PROVIDER"))
    ai_base_url: str | None = Field(None, validation_alias=_env("AI_BASE_URL"))
    ai_model: str | None = Field(None, validation_alias=_env("AI_MODEL"))
    openai_api_key: SecretStr | None = Field(None, validation_alias=_env("OPENAI_API_KEY"))
    anthropic_api_key: SecretStr | None = Field(None, validation_alias=_env("ANTHROPIC_API_KEY"))
    google_api_key: SecretStr | None = Field(None, validation_alias=_env("GOOGLE_API_KEY"))

    # Email
    resend_api_key: SecretStr | None = Field(None, validation_alias=_env("RESEND_API_KEY"))
    resend_base_url: str = Field("https://api.resend.com", validation_alias=_env("RESEND_BASE_URL"))
    email_from: str | None = Field(None, validation_alias=_env("EMAIL_FROM"))
    alert_email: str | None = Field(None, validation_alias=_env("ALERT_EMAIL"))

    # Coolify contexts
    coolify_local_url: str | None = Field(None, validation_alias=_env("COOLIFY_LOCAL_URL"))
    coolify_local_api_token: SecretStr | None = Field(
        None, validation_alias=_env("COOLIFY_LOCAL_API_TOKEN")
    )
    coolify_local_web_uuid: str | None = Field(
        None, validation_alias=_env("COOLIFY_LOCAL_WEB_UUID")
    )
    coolify_local_worker_uuid: str | None = Field(
        None, validation_alias=_env("COOLIFY_LOCAL_WORKER_UUID")
    )
    coolify_prod_url: str | None = Field(None, validation_alias=_env("COOLIFY_PROD_URL"))
    coolify_prod_api_token: SecretStr | None = Field(
        None, validation_alias=_env("COOLIFY_PROD_API_TOKEN")
    )
    coolify_prod_web_uuid: str | None = Field(None, validation_alias=_env("COOLIFY_PROD_WEB_UUID"))
    coolify_prod_worker_uuid: str | None = Field(
        None, validation_alias=_env("COOLIFY_PROD_WORKER_UUID")
    )

    # coolify (issue 7): API path and what `pricemon coolify provision` creates
    coolify_api_path: str = Field("/api/v1", validation_alias=_env("COOLIFY_API_PATH"))
    coolify_project: str = Field("pricemon", validation_alias=_env("COOLIFY_PROJECT"))
    coolify_environment: str = Field("production", validation_alias=_env("COOLIFY_ENVIRONMENT"))
    coolify_server: str | None = Field(None, validation_alias=_env("COOLIFY_SERVER"))
    image: str | None = Field(None, validation_alias=_env("PRICEMON_IMAGE"))

    # Worker (issue 4): retry backoff, stalled-job recovery and shutdown bounds.
    check_backoff_s: float = Field(30.0, gt=0, validation_alias=_env("PRICEMON_CHECK_BACKOFF"))
    worker_lock_duration_s: float = Field(
        30.0, gt=0, validation_alias=_env("PRICEMON_WORKER_LOCK_DURATION")
    )
    worker_stalled_interval_s: float = Field(
        30.0, gt=0, validation_alias=_env("PRICEMON_WORKER_STALLED_INTERVAL")
    )
    worker_shutdown_timeout_s: float = Field(
        30.0, gt=0, validation_alias=_env("PRICEMON_WORKER_SHUTDOWN_TIMEOUT")
    )
    worker_browser_pages: int = Field(
        4, ge=1, validation_alias=_env("PRICEMON_WORKER_BROWSER_PAGES")
    )

    # Digest (issue 6): an optional cron pattern replacing the dashboard's daily/weekly time
    # (5 fields, or 6 with seconds first), how long a refresh before sending may take, and
    # how often each worker reconciles the schedule when nothing signals a change.
    digest_cron: str | None = Field(None, validation_alias=_env("PRICEMON_DIGEST_CRON"))
    digest_refresh_timeout_s: float = Field(
        600.0, gt=0, validation_alias=_env("PRICEMON_DIGEST_REFRESH_TIMEOUT")
    )
    schedule_sync_interval_s: float = Field(
        300.0, gt=0, validation_alias=_env("PRICEMON_SCHEDULE_SYNC_INTERVAL")
    )

    # Web (issue 5)
    # Session cookie marked Secure (HTTPS only); unset means "in production".
    cookie_secure: bool | None = Field(None, validation_alias=_env("PRICEMON_COOKIE_SECURE"))
    # Proxies whose X-Forwarded-For/-Proto uvicorn trusts (comma-separated, or "*").
    forwarded_allow_ips: str = Field(
        "127.0.0.1", validation_alias=_env("PRICEMON_FORWARDED_ALLOW_IPS")
    )

    # Fetch (issue 3): Chromium's --host-resolver-rules; replaces the built-in rules that
    # keep Chrome's background hosts unresolvable (tests use "MAP * ~NOTFOUND, EXCLUDE ...").
    browser_host_rules: str | None = Field(
        None, validation_alias=_env("PRICEMON_BROWSER_HOST_RULES")
    )

    @field_validator(
        "database_url",
        "redis_url",
        "ai_base_url",
        "ai_model",
        "chromium_executable",
        "email_from",
        "alert_email",
        "digest_cron",
        "coolify_local_url",
        "coolify_prod_url",
        "admin_password",
        "secret_key",
        "openai_api_key",
        "anthropic_api_key",
        "google_api_key",
        "resend_api_key",
        "coolify_local_api_token",
        "coolify_local_web_uuid",
        "coolify_local_worker_uuid",
        "coolify_prod_api_token",
        "coolify_prod_web_uuid",
        "coolify_prod_worker_uuid",
        "cookie_secure",
        "coolify_server",
        "image",
        "browser_host_rules",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        """`FOO=` in a .env file means "not set", as it did in the old system."""
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("digest_cron")
    @classmethod
    def _valid_cron(cls, value: str | None) -> str | None:
        """A bad pattern fails at start-up, naming the variable, not in the worker later."""
        if value is None:
            return None
        from pricemon.domain.schedule import parse_cron
        from pricemon.errors import InputError

        try:
            parse_cron(value)
        except InputError as exc:
            raise ValueError(exc.message) from None
        return value.strip()

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    _redis_url_from_dev: bool = PrivateAttr(default=False)

    @model_validator(mode="after")
    def _running_dev_redis(self) -> Settings:
        """Without REDIS_URL, use the Redis of a `pricemon dev` running on this data dir.

        `pricemon dev` writes its private Redis URL to PRICEMON_DATA_DIR/redis/url while it
        runs, so CLI commands in another terminal (`products add` queueing a first check)
        reach the same queue. A set REDIS_URL always wins.
        """
        if self.redis_url is None:
            marker = dev_redis_url_file(self.data_dir)
            if marker.is_file():
                self.redis_url = marker.read_text(encoding="utf-8").strip() or None
                self._redis_url_from_dev = self.redis_url is not None
        return self

    @property
    def redis_url_from_dev(self) -> bool:
        """True when `redis_url` came from a running `pricemon dev`, not from REDIS_URL."""
        return self._redis_url_from_dev

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def effective_database_url(self) -> str:
        """`DATABASE_URL`, or the embedded SQLite file under `PRICEMON_DATA_DIR`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'pricemon.db').resolve()}"

    def coolify(self, name: str) -> CoolifyContext:
        """The Coolify context `local` or `prod`."""
        if name not in ("local", "prod"):
            raise ConfigError(f"unknown Coolify context {name!r}", hint="use 'local' or 'prod'")
        return CoolifyContext(
            name=name,
            url=getattr(self, f"coolify_{name}_url"),
            api_token=getattr(self, f"coolify_{name}_api_token"),
            web_uuid=getattr(self, f"coolify_{name}_web_uuid"),
            worker_uuid=getattr(self, f"coolify_{name}_worker_uuid"),
        )


def dev_redis_url_file(data_dir: Path) -> Path:
    """Where a running `pricemon dev` announces its private Redis URL."""
    return data_dir / "redis" / "url"


def _field_env_name(field_name: str) -> str:
    field = Settings.model_fields.get(field_name)
    alias = field.validation_alias if field else None
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return field_name.upper()


def check_env_file(path: Path) -> None:
    """Raise ConfigError naming the first line of `path` that python-dotenv cannot parse.

    python-dotenv only logs such lines and skips them, which would silently drop a setting.
    The message quotes only the variable name the line starts with, never the rest: the
    broken line may hold a secret (`OPENAI_API_KEY sk-...`).
    """
    if not path.is_file():
        return
    from dotenv.parser import parse_stream

    try:
        bindings = list(parse_stream(io.StringIO(path.read_text(encoding="utf-8"))))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"cannot read {path}: {getattr(exc, 'strerror', None) or 'it is not UTF-8 text'}",
            hint="save .env as UTF-8 text, or remove it",
        ) from None
    for binding in bindings:
        if binding.error:
            # The parser hands blank lines before a bad line over as part of it.
            text = binding.original.string
            stripped = text.lstrip()
            line = binding.original.line + text[: len(text) - len(stripped)].count("\n")
            name = re.match(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)", stripped)
            what = f" (the line starting with {name.group(1)})" if name else ""
            raise ConfigError(
                f"{path} line {line} cannot be parsed{what}",
                hint="write it as NAME=value; quote values that contain spaces or '#'",
            )


def load_settings(**overrides: Any) -> Settings:
    """Build the Settings from the environment and `.env`, or raise ConfigError.

    The message names the variable that is wrong, never its value (it may be a secret).
    """
    check_env_file(Path(ENV_FILE))
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field_name = str(first["loc"][0]) if first["loc"] else "settings"
        name = _field_env_name(field_name)
        raise ConfigError(
            f"{name} is invalid: {first['msg']}",
            hint=f"fix {name} in the environment or .env (see .env.example)",
        ) from None
