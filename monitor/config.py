"""Settings: one object built from the environment and an optional TOML file.

Pure apart from reading the named config and ``*_FILE`` secret files; nothing
is read at import time. ``Settings.from_env(os.environ)`` is the only entry.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from monitor.errors import ConfigError

PREFIX = "NEWSWATCH_"
SECRET_KEYS = frozenset({"database_url", "smtp_url", "admin_token"})
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
# Testing only: the outbox steps at which ``fault_inject`` kills the sending process.
FAULT_STEPS = ("before-send", "after-send")
FAULT_ENV = PREFIX + "FAULT_INJECT"


@dataclass(frozen=True)
class Settings:
    """The effective configuration. Every field maps to ``NEWSWATCH_<FIELD>``."""

    data_dir: Path = Path("data")
    database_url: str = ""
    smtp_url: str = ""
    smtp_from: str = "newswatch@localhost"
    allow_private_networks: bool = False
    poll_interval: int = 900
    tick_seconds: int = 30
    fetch_timeout: float = 30.0
    max_feed_bytes: int = 10 * 1024 * 1024
    fetch_concurrency: int = 16
    per_host_concurrency: int = 2
    host_spacing: float = 0.25  # seconds between two requests to one host
    min_poll_interval: int = 60
    max_poll_interval: int = 86_400
    parse_workers: int = 0  # 0: one process per CPU
    metrics_port: str = ""  # "" off; "9465" or "127.0.0.1:9465" serves /metrics and /healthz
    user_agent: str = "newswatch/0.1 (+self-hosted news monitor)"
    webhook_timeout: float = 15.0
    delivery_attempts: int = 8
    smtp_ca_file: str = ""  # PEM bundle to trust for the SMTP server's certificate
    unsubscribe_url: str = ""  # https://… where the web console answers one-click unsubscribes
    unsubscribe_mailto: str = ""  # the address unsubscribe emails go to ("" → the sender)
    web_address: str = "127.0.0.1:8080"  # the console and API; "off" turns them off
    admin_token: str = ""  # needed for any change through the web, and any non-loopback bind
    backlog_max_age: int = 172_800  # seconds: older items on a feed's first poll never alert
    fault_inject: str = ""  # testing only: a step of FAULT_STEPS where delivery dies (SIGKILL)

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'newswatch.db'}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str], config_file: Path | None = None) -> Settings:
        """Build settings: defaults < TOML file < environment (``*_FILE`` for secrets)."""
        values: dict[str, Any] = {}
        origins: dict[str, str] = {}  # where each value came from, for error messages
        if config_file is not None and not config_file.is_file():
            raise ConfigError(
                f"--config names {config_file}, which "
                + ("is a folder" if config_file.is_dir() else "does not exist"),
                hint="give the path of a newswatch.toml file",
            )
        path = config_file or _config_path(environ)
        if path is not None:
            for name, raw in _read_toml(path).items():
                values[name], origins[name] = raw, f"{path}: {name}"
        for f in fields(cls):
            key = PREFIX + f.name.upper()
            if key in environ:
                values[f.name], origins[f.name] = environ[key], key
            elif key + "_FILE" in environ:
                values[f.name] = _read_secret_file(key + "_FILE", environ[key + "_FILE"])
                origins[f.name] = f"{key} (from {key}_FILE)"
        return cls(**{name: _coerce(name, raw, origins[name]) for name, raw in values.items()})

    def redacted(self) -> dict[str, str]:
        """The settings as strings, secrets hidden, for ``config show``."""
        shown: dict[str, str] = {}
        for name, value in asdict(self).items():
            text = str(value)
            if name in SECRET_KEYS:
                text = redact_url(text)
            shown[name] = text
        shown["database_url"] = redact_url(self.effective_database_url)
        shown["smtp_url"] = redact_url(self.smtp_url) or "(unset: digests go to the outbox folder)"
        shown["admin_token"] = (
            "<redacted>" if self.admin_token else "(unset: the web console is read-only)"
        )
        return shown


def redact_url(url: str) -> str:
    """Replace the password (or a lone user token) in a URL by ``<redacted>``."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = parts.username or ""
    netloc = f"{user}:<redacted>@{host}" if parts.password is not None else f"<redacted>@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _config_path(environ: Mapping[str, str]) -> Path | None:
    named = environ.get(PREFIX + "CONFIG")
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigError(
                f"NEWSWATCH_CONFIG names {path}, which does not exist",
                hint="create the file or unset NEWSWATCH_CONFIG",
            )
        return path
    default = Path("newswatch.toml")
    return default if default.is_file() else None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: not valid TOML ({exc})", hint="fix the syntax at the position shown"
        ) from exc
    known = {f.name for f in fields(Settings)}
    table = data.get("newswatch", data)
    for key in table:
        if key not in known:
            import difflib

            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else f"known keys: {', '.join(sorted(known))}"
            )
            raise ConfigError(f"{path}: unknown setting '{key}'", hint=hint)
    return dict(table)


def _read_secret_file(key: str, file_name: str) -> str:
    try:
        return Path(file_name).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            f"{key} names {file_name}, which cannot be read ({exc.strerror})",
            hint="point it at a readable file holding the secret",
        ) from exc


def _coerce(name: str, raw: Any, origin: str = "") -> Any:
    """``raw`` as the field's type; ``origin`` (an environment variable, or a file and key)
    is named in the error."""
    kind = {f.name: f.type for f in fields(Settings)}[name]
    key = origin or PREFIX + name.upper()
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ConfigError(f"{key} = {raw!r} is not a yes/no value", hint="use true or false")
    if kind in ("int", "float"):
        try:
            number = int(raw) if kind == "int" else float(raw)
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"{key} = {raw!r} is not a number", hint="give a plain number"
            ) from exc
        if number <= 0:
            raise ConfigError(f"{key} = {raw!r} must be positive", hint="give a number above 0")
        return number
    if kind == "Path":
        return Path(str(raw)).expanduser()
    text = str(raw)
    if name == "smtp_url" and text:
        _check_smtp_url(text, key)
    if name == "unsubscribe_url" and text:
        parts = urlsplit(text)
        if parts.scheme != "https" or not parts.hostname:
            raise ConfigError(
                f"{key} = {text!r} is not an https URL",
                hint="give the console's public address, e.g. https://news.example.org "
                "(mail clients only follow https for one-click unsubscribes)",
            )
    if name == "unsubscribe_mailto" and text and "@" not in text:
        raise ConfigError(
            f"{key} = {text!r} is not an email address", hint="e.g. unsubscribe@example.org"
        )
    if name == "fault_inject" and text and text not in FAULT_STEPS:
        raise ConfigError(
            f"{key} = {text!r} is not a step of the outbox",
            hint=f"it is for tests only; use one of {', '.join(FAULT_STEPS)}, or unset it",
        )
    if name == "database_url" and text and not text.startswith(("sqlite", "postgresql")):
        raise ConfigError(
            f"{key} = {redact_url(text)!r} is not a supported database",
            hint="use sqlite:///path/to/file.db or postgresql+psycopg://user:pass@host/db",
        )
    return text


def _check_smtp_url(url: str, origin: str = "NEWSWATCH_SMTP_URL") -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError(
            f"{origin} = {redact_url(url)!r} is not an SMTP URL",
            hint="use smtp://[user:pass@]host[:port][?starttls=true] or smtps://host[:port]",
        )


_AGE = re.compile(r"^(\d+)\s*([dhw])$")


def parse_age(text: str) -> timedelta:
    """``90d``, ``12h`` or ``2w`` as a duration: how far back to look, or to keep."""
    match = _AGE.match(text.strip().lower())
    if not match:
        raise ConfigError(f"'{text}' is not an age", hint="write it like 90d, 12h or 2w")
    amount, unit = int(match.group(1)), match.group(2)
    return {
        "d": timedelta(days=amount),
        "h": timedelta(hours=amount),
        "w": timedelta(weeks=amount),
    }[unit]
