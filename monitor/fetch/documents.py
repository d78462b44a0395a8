"""Reading the documents the watchlist builder learns from: local files and http(s) URLs.

Does I/O: files, and the network through ``monitor.fetch.http`` and its private-network guard.
"""

from __future__ import annotations

import asyncio
import codecs
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from monitor.clock import utcnow
from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.fetch.http import FetchPolicy, fetch_feed, fetch_policy, new_client
from watchlists.builder import SourceText

MAX_FILE_BYTES = 20 * 1024 * 1024
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def is_url(reference: str) -> bool:
    """Whether a document reference is a web address rather than a file path."""
    return urlsplit(reference).scheme.lower() in ("http", "https")


def read_document(path: Path) -> SourceText:
    """Read one local file as text; its format is guessed from its name and content."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ConfigError(
                f"{path} is {size:,} bytes, over the {MAX_FILE_BYTES:,} limit",
                hint="split the document, or give only the part worth watching",
            )
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(
            f"no document {path}", hint="check the path, or give an http(s) URL"
        ) from exc
    except IsADirectoryError as exc:
        raise ConfigError(f"{path} is a folder", hint="name the files inside it") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    _check_text(data, str(path))
    return SourceText(str(path), decode_text(data))


async def fetch_document(url: str, policy: FetchPolicy, now: datetime) -> SourceText:
    """GET one web page (guarded like a feed) and decode it by its declared charset."""
    async with new_client(1) as client:
        result = await fetch_feed(client, url, policy, now=now)
    content_type = result.headers.get("content-type", "")
    _check_text(result.body, result.url)
    return SourceText(result.url, decode_text(result.body, content_type), None, content_type)


async def _fetch_all(urls: Sequence[str], policy: FetchPolicy, now: datetime) -> list[SourceText]:
    return list(await asyncio.gather(*(fetch_document(url, policy, now) for url in urls)))


def load_documents(references: Sequence[str], settings: Settings) -> list[SourceText]:
    """Read every file and fetch every URL in ``references``, keeping their order."""
    if not references:
        raise ConfigError("no documents given", hint="name at least one file or URL")
    urls = [ref for ref in references if is_url(ref)]
    policy = fetch_policy(settings)
    fetched = iter(asyncio.run(_fetch_all(urls, policy, utcnow())) if urls else [])
    documents = []
    for reference in references:
        if is_url(reference):
            documents.append(next(fetched))
        else:
            documents.append(read_document(Path(reference)))
    return documents


def decode_text(data: bytes, content_type: str = "") -> str:
    """Bytes to text: a byte-order mark, the declared charset, an HTML meta tag, then UTF-8."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    declared = _charset(content_type)
    if declared is None:
        meta = _META_CHARSET.search(data[:4096])
        declared = meta.group(1).decode("ascii") if meta else None
    if declared is not None:
        try:
            return data.decode(declared, errors="replace")
        except LookupError:
            pass  # an unknown charset name: fall back below
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _check_text(data: bytes, name: str) -> None:
    """Refuse binary files (PDF, Word, images): their bytes are no prose to read."""
    head = data[:4096]
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return
    if b"\x00" in head or head.startswith(b"%PDF"):
        raise ConfigError(
            f"{name} is not a text document",
            hint="save it as text, Markdown or HTML first (PDF and Word files are not read)",
        )


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip().strip("\"'")
    return None
