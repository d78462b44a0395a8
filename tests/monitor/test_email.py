"""Email over real SMTP (aiosmtpd on 127.0.0.1): plain, STARTTLS, implicit TLS, AUTH, refusals."""

from __future__ import annotations

import email
import email.policy
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.delivery.send import send_email
from monitor.errors import EmailError
from tests.monitor.digest_samples import sample_content
from tests.support.servers import smtp_server

SENDER = "newswatch desk <alerts@newswatch.example>"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made fresh for this test run."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


def authenticator(user: str, password: str) -> Any:
    from aiosmtpd.smtp import AuthResult

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        ok = data.login == user.encode() and data.password == password.encode()
        return AuthResult(success=ok, handled=False)

    return check


@pytest.fixture
def starttls_server(certificate: tuple[Path, Path]) -> Iterator[tuple[Any, int]]:
    with smtp_server(
        tls_context=server_context(certificate),
        require_starttls=True,
        authenticator=authenticator("desk", "s3cret pass"),
        auth_required=True,
    ) as running:
        yield running


def received(sink: Any) -> email.message.EmailMessage:
    [(_, _, raw)] = sink.messages
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def test_plain_smtp_delivers_the_digest_with_a_bare_envelope_sender() -> None:
    with smtp_server() as (sink, port):
        send_email(sample_content(), f"smtp://127.0.0.1:{port}", SENDER, ["a@example.org"])
    [(mail_from, rcpt, _)] = sink.messages
    assert mail_from == "alerts@newswatch.example" and rcpt == ["a@example.org"]
    assert received(sink)["Message-ID"] == "<nwd_0123456789abcdef@newswatch.example>"


def test_starttls_with_auth_delivers_when_the_ca_is_trusted(
    starttls_server: tuple[Any, int], certificate: tuple[Path, Path]
) -> None:
    sink, port = starttls_server
    url = f"smtp://desk:s3cret%20pass@127.0.0.1:{port}?starttls=true"
    send_email(
        sample_content(), url, SENDER, ["a@example.org", "b@example.org"], str(certificate[0])
    )
    assert received(sink)["X-Newswatch-Digest"] == "nwd_0123456789abcdef"
    assert sink.messages[0][1] == ["a@example.org", "b@example.org"]


def test_starttls_refuses_an_untrusted_certificate_and_says_how_to_fix_it(
    starttls_server: tuple[Any, int],
) -> None:
    sink, port = starttls_server
    with pytest.raises(EmailError) as caught:
        send_email(
            sample_content(), f"smtp://desk:x@127.0.0.1:{port}?starttls=true", SENDER, ["a@b.org"]
        )
    assert "TLS" in str(caught.value) and "NEWSWATCH_SMTP_CA_FILE" in (caught.value.hint or "")
    assert not caught.value.permanent
    assert sink.messages == []


def test_a_wrong_password_is_reported_as_a_refused_login(
    starttls_server: tuple[Any, int], certificate: tuple[Path, Path]
) -> None:
    sink, port = starttls_server
    url = f"smtp://desk:wrong@127.0.0.1:{port}?starttls=true"
    with pytest.raises(EmailError, match="refused the login") as caught:
        send_email(sample_content(), url, SENDER, ["a@example.org"], str(certificate[0]))
    assert "NEWSWATCH_SMTP_URL" in (caught.value.hint or "")
    assert sink.messages == []


def test_a_server_that_requires_starttls_refuses_plain_delivery(
    starttls_server: tuple[Any, int],
) -> None:
    sink, port = starttls_server
    with pytest.raises(EmailError):
        send_email(sample_content(), f"smtp://127.0.0.1:{port}", SENDER, ["a@example.org"])
    assert sink.messages == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_implicit_tls_with_auth(certificate: tuple[Path, Path]) -> None:
    with smtp_server(
        ssl_context=server_context(certificate),
        authenticator=authenticator("desk", "pw"),
        auth_required=True,
        auth_require_tls=False,  # aiosmtpd does not count implicit TLS as TLS here
    ) as (sink, port):
        url = f"smtps://desk:pw@127.0.0.1:{port}"
        send_email(sample_content(), url, SENDER, ["a@example.org"], str(certificate[0]))
    assert received(sink)["Subject"].startswith("[newswatch] Ecuador police raid")


class Refusing:
    def __init__(self, code: str) -> None:
        self.code = code

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:  # noqa: N802
        return self.code


@pytest.mark.parametrize(
    ("answer", "permanent"),
    [("550 5.1.1 no such user", True), ("451 4.3.0 try again later", False)],
    ids=["550-permanent", "451-temporary"],
)
def test_refused_recipients_say_whether_a_retry_can_help(answer: str, permanent: bool) -> None:
    from aiosmtpd.controller import Controller

    from tests.support.servers import free_port

    port = free_port()
    controller = Controller(Refusing(answer), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with pytest.raises(EmailError, match="refused every recipient") as caught:
            send_email(sample_content(), f"smtp://127.0.0.1:{port}", SENDER, ["gone@example.org"])
    finally:
        controller.stop()
    assert caught.value.permanent is permanent


def test_an_unreachable_server_is_a_temporary_failure() -> None:
    from tests.support.servers import free_port

    with pytest.raises(EmailError, match="failed") as caught:
        send_email(sample_content(), f"smtp://127.0.0.1:{free_port()}", SENDER, ["a@example.org"])
    assert not caught.value.permanent


def test_a_header_injection_title_adds_no_recipient_on_the_wire() -> None:
    from monitor.digests.compose import build_digest
    from tests.monitor.digest_samples import NOW, match, story, subscription

    title = "Raid =?UTF-8?Q?=0A?=Bcc: victim@example.net\r\nBcc: other@example.net"
    hostile = story(4, title, "Jorge Glas")
    content = build_digest("nwd_h", subscription(), [match(hostile, "embassy-raids", 1)], NOW)
    with smtp_server() as (sink, port):
        send_email(content, f"smtp://127.0.0.1:{port}", SENDER, ["a@example.org"])
    [(_, rcpt, raw)] = sink.messages
    assert rcpt == ["a@example.org"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Bcc"] is None and message["Subject"].strip().startswith("[newswatch] Raid")


def test_recipient_names_may_be_non_ascii_and_the_envelope_gets_bare_addresses() -> None:
    with smtp_server() as (sink, port):
        send_email(
            sample_content(),
            f"smtp://127.0.0.1:{port}",
            SENDER,
            ["Alicia Bárcena <ab@example.org>", "desk@example.org"],
        )
    [(_, rcpt, raw)] = sink.messages
    assert rcpt == ["ab@example.org", "desk@example.org"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    names = [(a.display_name, a.addr_spec) for a in message["To"].addresses]
    assert names == [("Alicia Bárcena", "ab@example.org"), ("", "desk@example.org")]
