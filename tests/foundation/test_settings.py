"""load_settings: environment, .env, bad values, and secrets that never show."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from pricemon.cli import app
from pricemon.config import Environment, Settings, load_settings
from pricemon.errors import ConfigError

SECRET = "sk-very-secret-value-123"


def test_defaults_without_env_or_dotenv() -> None:
    settings = load_settings()  # the autouse fixture left no .env and no variables
    assert settings.env is Environment.DEVELOPMENT
    assert settings.database_url is None
    expected = (Path(".pricemon") / "pricemon.db").resolve()
    assert settings.effective_database_url == f"sqlite:///{expected}"
    assert settings.port == 8000 and settings.log_level == "INFO"


def test_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db:5432/pricemon")
    monkeypatch.setenv("PRICEMON_ENV", "production")
    monkeypatch.setenv("LOG_LEVEL", "warning")
    monkeypatch.setenv("ENABLE_SCHEDULER", "false")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    settings = load_settings()
    assert settings.database_url == "postgresql://u:p@db:5432/pricemon"
    assert settings.is_production and settings.log_level == "WARNING"
    assert settings.enable_scheduler is False
    assert isinstance(settings.openai_api_key, SecretStr)
    assert settings.openai_api_key.get_secret_value() == SECRET


def test_dotenv_is_read_and_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    Path(".env").write_text(
        "# comment\nPORT=9001\nREDIS_URL=redis://127.0.0.1:6390/0\nexport AI_MODEL='gpt-x'\n"
        "EMAIL_FROM=\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PORT", "9002")
    settings = load_settings()
    assert settings.port == 9002  # the environment overrides .env
    assert settings.redis_url == "redis://127.0.0.1:6390/0"
    assert settings.ai_model == "gpt-x"
    assert settings.email_from is None  # blank means unset


def test_malformed_dotenv_names_the_line() -> None:
    Path(".env").write_text(f"PORT=9001\n\nOPENAI_API_KEY {SECRET}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert caught.value.message == (
        ".env line 3 cannot be parsed (the line starting with OPENAI_API_KEY)"
    )
    assert SECRET not in caught.value.message
    assert caught.value.hint == "write it as NAME=value; quote values that contain spaces or '#'"


def test_dotenv_that_is_not_text() -> None:
    Path(".env").write_bytes(b"PORT=\xff\xfe\n")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert caught.value.message == "cannot read .env: it is not UTF-8 text"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORT", "eighty", "PORT is invalid: Input should be a valid integer"),
        ("PRICEMON_ENV", "staging", "PRICEMON_ENV is invalid: Input should be"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL is invalid: Value error, must be one of DEBUG"),
        ("PRICEMON_WORKER_CONCURRENCY", "0", "PRICEMON_WORKER_CONCURRENCY is invalid: "),
        ("AI_PROVIDER", "skynet", "AI_PROVIDER is invalid: "),
        ("ENABLE_SCHEDULER", "perhaps", "ENABLE_SCHEDULER is invalid: "),
    ],
)
def test_invalid_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert caught.value.message.startswith(message)
    assert caught.value.hint == f"fix {name} in the environment or .env (see .env.example)"


def test_secrets_never_print() -> None:
    settings = Settings(
        openai_api_key=SECRET,
        admin_password=SECRET,
        secret_key=SECRET,
        resend_api_key=SECRET,
        coolify_prod_api_token=SECRET,
        coolify_prod_url="https://coolify.example",
    )
    for text in (
        repr(settings),
        str(settings),
        settings.model_dump_json(),
        repr(settings.coolify("prod")),
    ):
        assert SECRET not in text
    assert "**********" in repr(settings)


def test_cli_error_paths_never_print_secrets(runner: CliRunner) -> None:
    env = {
        "OPENAI_API_KEY": SECRET,
        "PRICEMON_ADMIN_PASSWORD": SECRET,
        "PORT": "not-a-port",
    }
    bad_setting = runner.invoke(app, ["products", "list"], env=env)
    assert bad_setting.exit_code == 1
    assert bad_setting.stderr.splitlines()[0].startswith("Error: PORT is invalid: ")
    assert SECRET not in bad_setting.output

    Path(".env").write_text(f"RESEND_API_KEY {SECRET}\n", encoding="utf-8")
    bad_file = runner.invoke(app, ["db", "status"], env={})
    assert bad_file.exit_code == 1
    assert bad_file.stderr.splitlines()[0] == (
        "Error: .env line 1 cannot be parsed (the line starting with RESEND_API_KEY)"
    )
    assert SECRET not in bad_file.output

    Path(".env").unlink()
    url = f"postgresql://pricemon:{SECRET}@127.0.0.1:1/pricemon"
    bad_db = runner.invoke(app, ["db", "push"], env={"DATABASE_URL": url})
    assert bad_db.exit_code == 1 and SECRET not in bad_db.output


def test_help_works_with_a_broken_environment(runner: CliRunner) -> None:
    Path(".env").write_text("this is not a setting\n", encoding="utf-8")
    result = runner.invoke(app, ["--help"], env={"DATABASE_URL": "garbage", "PORT": "x"})
    assert result.exit_code == 0
    assert "products" in result.stdout
    for group in ("db", "products", "dev"):
        sub = runner.invoke(app, [group, "--help"], env={"DATABASE_URL": "garbage"})
        assert sub.exit_code == 0, sub.output


def test_a_running_dev_stack_provides_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    marker = Path(".pricemon/redis/url")
    marker.parent.mkdir(parents=True)
    marker.write_text("redis://127.0.0.1:6399/0\n", encoding="utf-8")
    settings = load_settings()
    assert settings.redis_url == "redis://127.0.0.1:6399/0" and settings.redis_url_from_dev
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    explicit = load_settings()
    assert explicit.redis_url == "redis://cache.internal:6379/0"
    assert not explicit.redis_url_from_dev
