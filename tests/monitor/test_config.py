"""Settings from the environment, a TOML file and *_FILE secrets; clear errors; redaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import Settings, redact_url
from monitor.errors import ConfigError


def test_defaults_need_no_configuration() -> None:
    settings = Settings.from_env({}, config_file=None)
    assert settings.data_dir == Path("data")
    assert settings.effective_database_url == "sqlite:///data/newswatch.db"
    assert settings.smtp_url == "" and settings.smtp_from == "newswatch@localhost"
    assert settings.allow_private_networks is False


def test_environment_overrides_the_toml_file(tmp_path: Path) -> None:
    toml = tmp_path / "newswatch.toml"
    toml.write_text('[newswatch]\ndata_dir = "/srv/nw"\npoll_interval = 600\n')
    env = {"NEWSWATCH_POLL_INTERVAL": "300", "NEWSWATCH_ALLOW_PRIVATE_NETWORKS": "true"}
    settings = Settings.from_env(env, config_file=toml)
    assert settings.data_dir == Path("/srv/nw")
    assert settings.poll_interval == 300
    assert settings.allow_private_networks is True
    assert settings.effective_database_url == "sqlite:////srv/nw/newswatch.db"


def test_secret_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "smtp"
    secret.write_text("smtp://bot:s3cret@mail.example.org:587?starttls=true\n")
    settings = Settings.from_env({"NEWSWATCH_SMTP_URL_FILE": str(secret)})
    assert settings.smtp_url.endswith("starttls=true")


@pytest.mark.parametrize(
    ("env", "message", "hint"),
    [
        ({"NEWSWATCH_ALLOW_PRIVATE_NETWORKS": "maybe"}, "not a yes/no value", "true or false"),
        ({"NEWSWATCH_POLL_INTERVAL": "soon"}, "not a number", "plain number"),
        ({"NEWSWATCH_POLL_INTERVAL": "-5"}, "must be positive", "above 0"),
        ({"NEWSWATCH_SMTP_URL": "mail.example.org"}, "not an SMTP URL", "smtp://"),
        ({"NEWSWATCH_DATABASE_URL": "mysql://x"}, "not a supported database", "postgresql"),
        ({"NEWSWATCH_SMTP_URL_FILE": "/nonexistent/secret"}, "cannot be read", "readable file"),
        ({"NEWSWATCH_FAULT_INJECT": "aftersend"}, "not a step of the outbox", "after-send"),
    ],
    ids=[
        "bad-bool",
        "bad-number",
        "negative",
        "bad-smtp-url",
        "bad-database",
        "missing-file",
        "bad-fault-step",
    ],
)
def test_bad_settings_say_what_and_how_to_fix(env: dict[str, str], message: str, hint: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert message in caught.value.message
    assert caught.value.hint is not None and hint in caught.value.hint


def test_unknown_toml_key_suggests_the_right_one(tmp_path: Path) -> None:
    toml = tmp_path / "newswatch.toml"
    toml.write_text("pol_interval = 60\n")
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({}, config_file=toml)
    assert "unknown setting 'pol_interval'" in caught.value.message
    assert caught.value.hint == "did you mean 'poll_interval'?"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("smtp://bot:s3cret@mail.example.org:587", "smtp://bot:<redacted>@mail.example.org:587"),
        ("postgresql+psycopg://nw:pw@db/nw", "postgresql+psycopg://nw:<redacted>@db/nw"),
        ("smtp://mail.example.org", "smtp://mail.example.org"),
    ],
    ids=["smtp-password", "database-password", "no-password"],
)
def test_secrets_are_redacted(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_config_show_never_prints_the_password() -> None:
    settings = Settings.from_env({"NEWSWATCH_SMTP_URL": "smtp://bot:s3cret@mail.example.org"})
    assert "s3cret" not in str(settings.redacted())
