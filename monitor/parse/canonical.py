"""URL canonicalization: one identity form per article address, whatever the feed adds.

Pure string work, no I/O: nothing is fetched; a redirect is resolved only when the link
carries its target.

What ``canonical_url`` does, in order:

1. Redirect wrappers are unwrapped when they carry the target: Google News / Google Alerts
   ``/url?url=…`` and ``?q=…`` links, the older Google News base64 article ids
   (``/rss/articles/CBMi…``; the newer opaque ids need a network call and are kept as they are),
   Google AMP viewer links (``google.com/amp/s/…``) and AMP cache links
   (``*.cdn.ampproject.org/c/s/…``).
2. Scheme and host are lower-cased, user info and default ports dropped, a trailing dot on the
   host dropped, the IDNA form of the host kept.
3. Mobile and AMP host prefixes are folded: ``m.``, ``mobile.``, ``amp.`` (never when the rest
   would be a bare public suffix such as ``m.me``).
4. AMP path variants are folded: a ``/amp`` path segment, a trailing ``/amp``, ``.amp`` before
   the extension or at the end (``story.amp.html`` → ``story.html``).
5. Tracking parameters are removed (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid``, ``ref``, … see
   ``TRACKING_PARAMS``/``TRACKING_PREFIXES``), as are AMP switches (``amp``, ``outputType=amp``);
   the remaining parameters are sorted by name (stable for repeated keys), each kept as
   written (``?12345`` stays ``?12345``, ``a+b`` stays ``a+b``).
6. The fragment is dropped (except hash-bang and ``#/route`` fragments, which name the
   page); an empty path becomes ``/``; a trailing slash on any other path is removed;
   percent-escapes are upper-cased and unreserved characters unescaped.

http versus https: ``canonical_url`` keeps the scheme it was given, so the canonical form is
still an address that works (some feeds and sites serve only http). Code that compares
article identity uses ``url_key``, which drops the scheme and a leading ``www.``, so
``http://www.x.com/a`` and ``https://x.com/a`` are the same story.

Junk (empty, not a URL, unparsable) never raises: it comes back stripped of surrounding
whitespace, so equal junk compares equal and is stable under repeated canonicalization.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import parse_qsl, unquote_plus, urlsplit, urlunsplit

__all__ = ["canonical_url", "url_key", "TRACKING_PARAMS", "TRACKING_PREFIXES"]

TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_hsenc",
        "_hsmi",
        "hsctatracking",
        "_ga",
        "_gl",
        "_openstat",
        "vero_id",
        "vero_conv",
        "oly_anon_id",
        "oly_enc_id",
        "rb_clickid",
        "s_cid",
        "s_kwcid",
        "wickedid",
        "ref",
        "ref_src",
        "ref_url",
        "referer",
        "referrer",
        "refsrc",
        "source",
        "cmpid",
        "cmp",
        "ncid",
        "ocid",
        "icid",
        "smid",
        "smtyp",
        "partner",
        "xtor",
        "sr_share",
        "spm",
        "ito",
        "cid_rss",
        "rss",
        "feedtype",
        "feedname",
        "dicbo",
        "taid",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "soc_src",
        "soc_trk",
        "trk",
        "trkcampaign",
        "mbid",
        "amp",
        "amp_js_v",
        "amp_gsa",
        "usqp",
        "outputtype",
        "__twitter_impression",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "ns_source",
        "ns_mchannel",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "wt.mc_id",
        "wt.mc_ev",
        "wt_mc",
        "hootpostid",
        "__s",
        "mibextid",
        "ga_source",
        "ga_medium",
        "ga_campaign",
        "ga_content",
        "ga_term",
    }
)
"""Query parameter names (lower-cased) that never change which article a link points at."""

TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "at_", "ga_", "pk_", "mtm_", "hmb_", "ns_", "itm_")
"""Name prefixes of tracking parameter families (Google, BBC AT Internet, Piwik/Matomo …)."""

_DEFAULT_PORTS = {"http": 80, "https": 443}
_FOLDED_HOST_PREFIXES = ("m.", "mobile.", "amp.")
_SHORT_SUFFIXES = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "ne", "or"})
_GOOGLE_HOSTS = re.compile(r"^(www\.)?(news\.)?google\.[a-z.]+$")
_AMP_CACHE = re.compile(r"^[a-z0-9-]+\.cdn\.ampproject\.org$")
_GNEWS_ARTICLE = re.compile(r"/(?:__i/rss/rd/)?(?:rss/)?articles/([A-Za-z0-9_-]+)")
_URL_IN_BYTES = re.compile(rb"https?://[\x21-\x7e]+")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_MAX_PASSES = 8
_GOOGLE_PARAMS = frozenset({"oc", "ved", "usg", "ei", "sa", "rct", "ct", "cd", "sca_esv"})


def canonical_url(url: str) -> str:
    """Return the identity form of ``url`` (see the module docstring); never raises."""
    text = url.strip() if isinstance(url, str) else ""
    try:
        # Each pass may expose another wrapper or variant ("a.amp.amp", "amp.m.host"): repeat
        # until nothing changes, so that canonical_url(canonical_url(u)) == canonical_url(u).
        for _ in range(_MAX_PASSES):
            target = _unwrap(text)
            step = _normalize(target if target is not None else text).strip()
            if step == text:
                break
            text = step
        return text
    except (ValueError, TypeError, UnicodeError):
        return url.strip() if isinstance(url, str) else ""


def url_key(url: str | None) -> str | None:
    """The comparison key of an article address: canonical form without scheme and ``www.``.

    Returns None for a missing URL or one that cannot name an article: no host, or a
    site's front page (feeds that link every item to the home page must not merge them).
    """
    return canonical_key(canonical_url(url)) if url else None


def canonical_key(canon: str) -> str | None:
    """``url_key`` of an address that is already in canonical form (``canonical_url``)."""
    try:
        parts = urlsplit(canon) if "://" in canon else None
    except ValueError:
        parts = None
    if parts is None or not parts.netloc:
        return canon or None
    host = parts.netloc.removeprefix("www.")
    if parts.path in ("", "/") and not parts.query and not parts.fragment:
        return None
    rest = parts.path + ("?" + parts.query if parts.query else "")
    return host + rest + ("#" + parts.fragment if parts.fragment else "")


def _unwrap(text: str) -> str | None:
    """The publisher URL carried inside a redirect link, or None when there is none."""
    if "://" not in text:
        return None
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if _GOOGLE_HOSTS.match(host):
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        for name in ("url", "q", "u"):
            value = params.get(name, "")
            if value.startswith(("http://", "https://")):
                return value
        if parts.path.startswith("/amp/s/"):
            return "https://" + parts.path[len("/amp/s/") :]
        if parts.path.startswith("/amp/") and "." in parts.path[5:].split("/", 1)[0]:
            return "http://" + parts.path[len("/amp/") :]
        match = _GNEWS_ARTICLE.search(parts.path) if host.startswith("news.") else None
        if match:
            return _decode_gnews_id(match.group(1))
        return None
    if _AMP_CACHE.match(host):
        path = parts.path
        for prefix, scheme in (
            ("/c/s/", "https://"),
            ("/v/s/", "https://"),
            ("/c/", "http://"),
            ("/v/", "http://"),
            ("/i/s/", "https://"),
            ("/i/", "http://"),
        ):
            if path.startswith(prefix):
                return scheme + path[len(prefix) :] + ("?" + parts.query if parts.query else "")
    return None


def _decode_gnews_id(article_id: str) -> str | None:
    """Decode an old-style Google News article id (base64 protobuf holding the URL)."""
    padded = article_id + "=" * (-len(article_id) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded)
    except (binascii.Error, ValueError):
        return None
    match = _URL_IN_BYTES.search(raw)
    if match is None:
        return None
    found = match.group(0)
    # The id is a protobuf: the URL field is length-prefixed, so trust the prefix when present.
    start = match.start()
    if start >= 1:
        length = raw[start - 1]
        if start >= 2 and raw[start - 1] & 0x80 == 0 and raw[start - 2] & 0x80:
            length = (raw[start - 2] & 0x7F) | (raw[start - 1] << 7)
        if 0 < length <= len(raw) - start:
            candidate = raw[start : start + length]
            if _URL_IN_BYTES.fullmatch(candidate):
                found = candidate
    try:
        return found.decode("ascii")
    except UnicodeDecodeError:
        return None


def _normalize(text: str) -> str:
    if "://" not in text:
        return text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return text
    host = parts.hostname.lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    host = _fold_host(host)
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _fold_amp_path(_normalize_escapes(parts.path))
    if path == "":
        path = "/"
    elif path != "/" and path.endswith("/"):
        path = path.rstrip("/") or "/"
    query = _clean_query(parts.query, google=bool(_GOOGLE_HOSTS.match(host)))
    fragment = parts.fragment if parts.fragment.startswith(("!", "/")) else ""
    return urlunsplit((scheme, netloc, path, query, fragment))


def _fold_host(host: str) -> str:
    for prefix in _FOLDED_HOST_PREFIXES:
        if host.startswith(prefix):
            rest = host[len(prefix) :]
            labels = rest.split(".")
            if len(labels) >= 2 and not (len(labels) == 2 and labels[0] in _SHORT_SUFFIXES):
                return rest
    return host


def _fold_amp_path(path: str) -> str:
    segments = path.split("/")
    kept = [s for s in segments if s.lower() != "amp"]
    if len(kept) != len(segments):
        path = "/".join(kept)
        if not path.startswith("/"):
            path = "/" + path
    lowered = path.lower()
    if lowered.endswith(".amp"):
        path = path[:-4]
    elif ".amp." in lowered.rsplit("/", 1)[-1]:
        head, _, tail = path.rpartition("/")
        index = tail.lower().rfind(".amp.")
        path = f"{head}/{tail[:index]}{tail[index + 4 :]}"
    return path


def _normalize_escapes(path: str) -> str:
    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(0)[1:], 16))
        return char if char in _UNRESERVED else match.group(0).upper()

    return _PERCENT.sub(fix, path)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _clean_query(query: str, google: bool = False) -> str:
    """Drop tracking parameters and sort the rest by name; values are kept byte for byte."""
    kept = []
    for part in query.replace(";", "&").split("&"):
        name = unquote_plus(part.partition("=")[0])
        if not name or _is_tracking(name) or (google and name.lower() in _GOOGLE_PARAMS):
            continue
        kept.append((name, _normalize_escapes(part)))
    kept.sort(key=lambda pair: pair[0])
    return "&".join(part for _, part in kept)
