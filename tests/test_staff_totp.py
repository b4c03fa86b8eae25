"""RFC 6238 one-time codes: the appendix B vectors, the accepted window, secrets and URIs."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from forms_api.domain.staff import totp

RFC_KEY = b"12345678901234567890"

# RFC 6238 appendix B, the SHA-1 rows (8 digits).
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("timestamp", "code"), RFC_VECTORS)
def test_rfc_6238_sha1_vectors(timestamp: int, code: str) -> None:
    assert totp.totp(RFC_KEY, timestamp, digits=8) == code


def test_rfc_4226_hotp_vectors() -> None:
    # RFC 4226 appendix D, counters 0-3, 6 digits.
    assert [totp.hotp(RFC_KEY, n) for n in range(4)] == ["755224", "287082", "359152", "969429"]


def test_six_digit_codes_are_the_last_six_of_the_eight() -> None:
    assert totp.totp(RFC_KEY, 59) == "287082"


def test_codes_of_the_neighbouring_steps_are_accepted_and_no_further() -> None:
    now = 1_700_000_000.0
    step = totp.step_at(now)
    for offset in (-1, 0, 1):
        code = totp.hotp(RFC_KEY, step + offset)
        assert totp.verify(RFC_KEY, code, now) == step + offset
    for offset in (-2, 2):
        assert totp.verify(RFC_KEY, totp.hotp(RFC_KEY, step + offset), now) is None


def test_a_code_already_used_is_refused() -> None:
    now = 1_700_000_000.0
    step = totp.step_at(now)
    code = totp.hotp(RFC_KEY, step)
    assert totp.verify(RFC_KEY, code, now, after_step=step - 1) == step
    assert totp.verify(RFC_KEY, code, now, after_step=step) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_are_refused(code: str) -> None:
    assert totp.verify(RFC_KEY, code, 1_700_000_000.0) is None


def test_spaces_in_a_typed_code_are_ignored() -> None:
    code = totp.totp(RFC_KEY, 1_700_000_000.0)
    assert totp.verify(RFC_KEY, f" {code[:3]} {code[3:]} ", 1_700_000_000.0) is not None


def test_secrets_are_random_base32_of_160_bits() -> None:
    first, second = totp.generate_secret(), totp.generate_secret()
    assert first != second
    assert len(totp.decode_secret(first)) == 20
    assert totp.decode_secret(first.lower()) == totp.decode_secret(first)
    assert base64.b32decode(base64.b32encode(RFC_KEY)) == totp.decode_secret(
        base64.b32encode(RFC_KEY).decode().rstrip("=")
    )


def test_provisioning_uri_names_issuer_account_and_parameters() -> None:
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", "alice", "示范市知识产权服务中心")
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert unquote(parts.path) == "/示范市知识产权服务中心:alice"
    query = parse_qs(parts.query)
    assert query == {
        "secret": ["JBSWY3DPEHPK3PXP"],
        "issuer": ["示范市知识产权服务中心"],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }
