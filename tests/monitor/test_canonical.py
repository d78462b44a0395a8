"""Tests of URL canonicalization: one named case per rule, and junk that must not raise.

Pure tests, no I/O.
"""

from __future__ import annotations

import random

import pytest

from monitor.parse.canonical import canonical_url, url_key

CASES: list[tuple[str, str, str]] = [
    ("lowercase-scheme-host", "HTTPS://WWW.Example.COM/Path", "https://www.example.com/Path"),
    ("default-port-https", "https://example.com:443/a", "https://example.com/a"),
    ("default-port-http", "http://example.com:80/a", "http://example.com/a"),
    ("other-port-kept", "https://example.com:8443/a", "https://example.com:8443/a"),
    ("userinfo-dropped", "https://user:pw@example.com/a", "https://example.com/a"),
    ("fragment-dropped", "https://example.com/a#comments", "https://example.com/a"),
    ("trailing-slash-removed", "https://example.com/news/story/", "https://example.com/news/story"),
    ("empty-path-is-root", "https://example.com", "https://example.com/"),
    ("root-slash-kept", "https://example.com/", "https://example.com/"),
    (
        "utm-removed",
        "https://example.com/a?utm_source=rss&utm_medium=feed&utm_campaign=x",
        "https://example.com/a",
    ),
    (
        "click-ids-removed",
        "https://example.com/a?fbclid=1&gclid=2&msclkid=3&igshid=4",
        "https://example.com/a",
    ),
    ("mailchimp-removed", "https://example.com/a?mc_cid=1&mc_eid=2", "https://example.com/a"),
    ("ref-removed", "https://example.com/a?ref=homepage&ref_src=twsrc", "https://example.com/a"),
    (
        "bbc-at-params-removed",
        "https://www.bbc.com/news/x-1?at_medium=RSS&at_campaign=rss",
        "https://www.bbc.com/news/x-1",
    ),
    ("params-sorted", "https://example.com/a?b=2&a=1&c=3", "https://example.com/a?a=1&b=2&c=3"),
    (
        "meaningful-params-kept",
        "https://example.com/view.php?id=42&utm_source=x",
        "https://example.com/view.php?id=42",
    ),
    ("amp-segment", "https://example.com/amp/news/story", "https://example.com/news/story"),
    ("amp-trailing", "https://example.com/news/story/amp", "https://example.com/news/story"),
    (
        "amp-extension",
        "https://example.com/news/story.amp.html",
        "https://example.com/news/story.html",
    ),
    ("amp-suffix", "https://example.com/news/story.amp", "https://example.com/news/story"),
    ("amp-query", "https://example.com/news/story?amp", "https://example.com/news/story"),
    ("amp-query-value", "https://example.com/news/story?amp=1", "https://example.com/news/story"),
    ("amp-output-type", "https://example.com/s?outputType=amp", "https://example.com/s"),
    ("mobile-host-m", "https://m.example.com/a", "https://example.com/a"),
    ("mobile-host-mobile", "https://mobile.example.com/a", "https://example.com/a"),
    ("amp-host", "https://amp.theguardian.com/world/x", "https://theguardian.com/world/x"),
    ("short-host-not-folded", "https://m.me/someone", "https://m.me/someone"),
    (
        "google-alerts-url-param",
        "https://www.google.com/url?rct=j&sa=t&url=https://investorplace.com/2019/07/slack/&ct=ga",
        "https://investorplace.com/2019/07/slack",
    ),
    (
        "google-news-base64-id",
        "https://news.google.com/__i/rss/rd/articles/CBMiiwFodHRwczovL3d3dy5ydGJmLmJlL2luZm8vc29jaWV0"
        "ZS9kZXRhaWxfY29yb25hdmlydXMtZW4tYmVsZ2lxdWUtMjAwLWNhcy1kZXRlY3Rlcy1hdS10b3RhbC1sYS1jaXJjdWxh"
        "dGlvbi1kdS12aXJ1cy1yZXN0ZS1saW1pdGVlP2lkPTEwNDUwNzkz0gEA?oc=5",
        "https://www.rtbf.be/info/societe/detail_coronavirus-en-belgique-200-cas-detectes-au-total-"
        "la-circulation-du-virus-reste-limitee?id=10450793",
    ),
    (
        "google-news-opaque-id-kept",
        "https://news.google.com/rss/articles/AU_yqLNotDecodable?oc=5",
        "https://news.google.com/rss/articles/AU_yqLNotDecodable",
    ),
    (
        "google-amp-viewer",
        "https://www.google.com/amp/s/www.cnn.com/2020/x.html",
        "https://www.cnn.com/2020/x.html",
    ),
    (
        "amp-cache",
        "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a/b",
        "https://www.example.com/a/b",
    ),
    ("escapes-normalized", "https://example.com/a%7eb%2f", "https://example.com/a~b%2F"),
    ("http-scheme-kept", "http://example.com/a", "http://example.com/a"),
    (
        "bare-query-key-kept",
        "https://example.com/article.php?12345",
        "https://example.com/article.php?12345",
    ),
    (
        "plus-in-value-kept",
        "https://example.com/s?q=a+b&utm_source=x",
        "https://example.com/s?q=a+b",
    ),
    ("hashbang-kept", "https://example.com/#!/story/42", "https://example.com/#!/story/42"),
    ("route-fragment-kept", "https://example.com/app#/news/7", "https://example.com/app#/news/7"),
    (
        "semicolon-separated-params",
        "https://example.com/a?id=3;utm_medium=rss",
        "https://example.com/a?id=3",
    ),
]


@pytest.mark.parametrize(("url", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(("url", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_canonical_url_is_idempotent(url: str, expected: str) -> None:
    assert canonical_url(canonical_url(url)) == canonical_url(url)


JUNK = [
    "",
    "   ",
    "not a url",
    "http://",
    "http://[::1",
    "https://exa mple.com/ a",
    "javascript:alert(1)",
    "mailto:a@b.c",
    "tag:example.com,2024:1",
    "//example.com/a",
    "https://example.com:99999/a",
    "\x00\x01",
    "https://例え.jp/パス?q=値",
    "ftp://x/y",
]


@pytest.mark.parametrize("junk", JUNK, ids=[f"junk-{i}" for i in range(len(JUNK))])
def test_junk_never_raises_and_is_stable(junk: str) -> None:
    once = canonical_url(junk)
    assert isinstance(once, str)
    assert canonical_url(once) == once
    url_key(junk)


KEYS: list[tuple[str, str, str]] = [
    ("http-equals-https", "http://example.com/a", "https://example.com/a"),
    ("www-equals-bare", "https://www.example.com/a", "https://example.com/a"),
    ("mobile-equals-www", "https://m.bbc.co.uk/news/x", "https://www.bbc.co.uk/news/x"),
    ("tracking-equals-clean", "https://x.com/a/?utm_source=rss#top", "https://x.com/a"),
    ("hashbang-on-front-page", "http://www.x.com/#!/story/42", "https://x.com/#!/story/42"),
]


@pytest.mark.parametrize(("a", "b"), [k[1:] for k in KEYS], ids=[k[0] for k in KEYS])
def test_url_key_folds_variants(a: str, b: str) -> None:
    assert url_key(a) == url_key(b)


@pytest.mark.parametrize(
    "url",
    ["https://example.com/", "https://www.example.com", None, ""],
    ids=["root", "bare-host", "none", "empty"],
)
def test_front_pages_and_missing_urls_have_no_key(url: str | None) -> None:
    assert url_key(url) is None


def test_hashbang_pages_are_distinct_articles() -> None:
    assert url_key("https://x.com/#!/story/1") != url_key("https://x.com/#!/story/2")


def test_random_junk_never_raises_and_is_idempotent() -> None:
    rng = random.Random(20240406)
    pieces = [
        "https://", "http://", "m.", "amp.", "www.", "/amp", "/amp/", ".amp", ".html", "?",
        "&", "=", "utm_source=x", "amp", "#", "#!", "%2F", "%7e", "news.google.com/rss/articles/",
        "google.com/url?url=", "CBMi", "x.com", ":443", ":80", "@", "[", "]", " ", "\t", "é",
        "//", ";", "+",
    ]  # fmt: skip
    for _ in range(20_000):
        junk = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        once = canonical_url(junk)
        assert canonical_url(once) == once, junk
        url_key(junk)
