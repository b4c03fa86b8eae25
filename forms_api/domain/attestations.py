"""Signed receipts and result documents, and their public check (8.2.6 b).

When a consultation, complaint or application is received, and when an application is
completed with a result, the platform signs a few *claims* about the document it hands out
(:class:`forms_api.storage.signing.Signer`) and keeps claims and signature with the record
(``record["signed"]``, ``record["result"]["signed"]``). The claims hold what identifies the
document and nothing personal: the receipt number, kind, item, dates, and for a result the
document's name and the SHA-256 of its text and file; never a name, a phone number or the
text itself.

A paper document carries a *verification code* (核验码): 16 characters derived from the
signature, typed like a lookup code. Whoever holds the receipt number with the code, or the
result file itself, can ask the platform whether it issued that document
(:func:`check_code`, :func:`check_file`) and sees the signed claims, which they compare with
the paper. The signature and the published public key also let anyone check the claims
without asking the platform.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forms_api.storage.crypto import LOOKUP_ALPHABET
from forms_api.storage.signing import Signer, canonical

VERSION = 1
CODE_LENGTH = 16
"""Characters of a verification code: 80 bits, 5 per character of :data:`LOOKUP_ALPHABET`."""

KIND_NAMES = {"consultation": "咨询留言", "complaint": "投诉建议", "application": "申请"}
"""The documents whose receipt is signed, with what the verification page calls them."""

RECEIPT = "receipt"
RESULT = "result"
TYPE_NAMES = {RECEIPT: "回执", RESULT: "结果文书"}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verification_code(signature: str) -> str:
    """The 核验码 of ``signature``: 16 characters of SHA-256 over it, grouped by four."""
    raw = hashlib.sha256(signature.encode("ascii")).digest()
    bits = int.from_bytes(raw[:10], "big")
    chars = [LOOKUP_ALPHABET[(bits >> (5 * i)) & 31] for i in reversed(range(CODE_LENGTH))]
    return "-".join("".join(chars[i : i + 4]) for i in range(0, CODE_LENGTH, 4))


def normalize_code(text: str) -> str:
    """What was typed, as :func:`verification_code` writes it (case and separators ignored)."""
    chars = [c for c in text.upper() if c.isascii() and c.isalnum()]
    return "-".join("".join(chars[i : i + 4]) for i in range(0, len(chars), 4))


def _signed(signer: Signer, claims: dict[str, Any]) -> dict[str, Any]:
    return {"claims": claims, "signature": signer.sign(claims)}


def sign_receipt(signer: Signer, record: Mapping[str, Any], issuer: str, due: str) -> dict[str, Any]:
    """The signed claims of the receipt of ``record`` (a new consultation, complaint or
    application), ``due`` the date the receipt promises (answer or estimated completion)."""
    item = record.get("item") or {}
    claims = {
        "v": VERSION,
        "type": RECEIPT,
        "issuer": issuer,
        "receipt_no": record["receipt_no"],
        "kind": record["kind"],
        "item": item.get("name", ""),
        "submitted_at": record["submitted_at"],
        "due": due,
    }
    return _signed(signer, claims)


def sign_result(
    signer: Signer, record: Mapping[str, Any], result: Mapping[str, Any], completed_at: str, issuer: str
) -> dict[str, Any]:
    """``result`` (text, document name, file) with the signed claims of the result document."""
    file = result.get("file") or {}
    claims = {
        "v": VERSION,
        "type": RESULT,
        "issuer": issuer,
        "receipt_no": record["receipt_no"],
        "kind": record["kind"],
        "item": (record.get("item") or {}).get("name", ""),
        "completed_at": completed_at,
        "document": result.get("document", ""),
        "text_sha256": digest(result["text"].encode("utf-8")),
        "file_sha256": file.get("sha256", ""),
    }
    return {**result, "signed": _signed(signer, claims)}


@dataclass(frozen=True)
class Verdict:
    """What the platform says about a document it was asked about."""

    claims: Mapping[str, Any]
    signature: str
    intact: bool
    """Whether the signature still verifies: False when the stored claims were altered."""

    def public(self) -> dict[str, Any]:
        return {
            "issued": self.intact,
            "type": TYPE_NAMES[self.claims["type"]],
            "claims": dict(self.claims),
            "signature": self.signature,
            "key_id": self.signature.partition(".")[0],
            "code": verification_code(self.signature),
            "signed_text": canonical(self.claims).decode("utf-8"),
        }


def signed_documents(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The signed documents of ``record``: its receipt and its result, as far as it has them."""
    found = [record.get("signed"), (record.get("result") or {}).get("signed")]
    return [signed for signed in found if isinstance(signed, dict)]


def _verdict(signer: Signer, signed: Mapping[str, Any]) -> Verdict:
    claims, signature = signed["claims"], signed["signature"]
    return Verdict(claims, signature, signer.verify(claims, signature))


def check_code(signer: Signer, record: Mapping[str, Any] | None, code: str) -> Verdict | None:
    """The document of ``record`` whose verification code is ``code``, or None."""
    wanted = normalize_code(code)
    for signed in signed_documents(record or {}):
        if hmac.compare_digest(verification_code(signed["signature"]), wanted):
            return _verdict(signer, signed)
    return None


def check_file(signer: Signer, record: Mapping[str, Any] | None, data: bytes) -> Verdict | None:
    """The result document of ``record`` whose file is ``data``, or None."""
    sha = digest(data)
    for signed in signed_documents(record or {}):
        claimed = signed["claims"].get("file_sha256")
        if claimed and hmac.compare_digest(claimed, sha):
            return _verdict(signer, signed)
    return None
