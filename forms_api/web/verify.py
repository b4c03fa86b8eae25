"""文书核验 (8.2.6 b): is this receipt or result document one the platform issued?

- ``GET /api/verify?receipt_no=…&code=…``: by the 核验码 printed on the receipt or shown with
  the result (the receipt's QR code leads here);
- ``POST /api/verify/document`` (multipart: ``receipt_no``, ``file``): by the result file itself;
- ``GET /api/verify/qr.svg?receipt_no=…&code=…``: the QR code of that first address, for the
  printed receipt;
- ``GET /api/verify/key.pem``: the public key, to check signatures without the platform;
- ``GET /api/opendata/SHA256SUMS.sig``: the signature of the open-data checksum list
  (``data/SHA256SUMS`` of the site), 64 raw bytes, for ``openssl pkeyutl -verify``.

An answer shows the signed claims (number, kind, item, dates, digests) and never personal
data; a number with a wrong code and an unknown number get the same answer. Lookups count
against the same per-client allowance as progress lookups.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import segno
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forms_api.domain import attestations
from forms_api.domain.receipts import normalize
from forms_api.storage.signing import Signer
from generator import forms
from generator.forms.fields import Form, clean, validate
from generator.site import urls

from .responses import error_response, wants_html
from .routes import BadRequest, read_payload, service_of, too_often

NOT_ISSUED = "未能核验：没有编号和核验码（或文件）都与之相符的文书。请核对回执或结果文书上的编号和核验码；如有疑问，请联系我们。"
CHECKSUMS = urls.DATA_DIR + "SHA256SUMS"
"""The open-data checksum list the build writes (``sha256sum -c`` reads it)."""


def signer_of(request: Request) -> Signer:
    return service_of(request).signer


def _problems(values: dict[str, Any], form: Form) -> tuple[dict[str, str], dict[str, str]]:
    cleaned, problems = clean(values, form)
    return cleaned, validate(cleaned, form, problems)


def _answer(request: Request, verdict: attestations.Verdict | None, asked: dict[str, str]) -> Response:
    """The verdict as a page or JSON; ``asked`` is what was asked (shown back on the page)."""
    body: dict[str, Any] = verdict.public() if verdict else {"issued": False, "message": NOT_ISSUED}
    headers = {"Cache-Control": "no-store"}
    if wants_html(request):
        title = "核验结果"
        context = {"verdict": body, "asked": asked, "kinds": attestations.KIND_NAMES}
        response = request.app.state.pages.page(title, "forms/verify-result.html", context)
        response.headers.update(headers)
        return response
    return JSONResponse(body, headers=headers)


async def by_code(request: Request) -> Response:
    if refusal := await too_often(request, request.app.state.lookup_limiter, "核验"):
        return refusal
    values, problems = _problems(dict(request.query_params), forms.VERIFY)
    if problems:
        return error_response(request, 422, "invalid", "请核对填写的内容", problems)
    receipt_no = normalize(values["receipt_no"])
    record = await service_of(request).store.get(receipt_no)
    verdict = attestations.check_code(signer_of(request), record, values["code"])
    return _answer(
        request, verdict, {"receipt_no": receipt_no, "code": attestations.normalize_code(values["code"])}
    )


async def by_file(request: Request) -> Response:
    if refusal := await too_often(request, request.app.state.lookup_limiter, "核验"):
        return refusal
    try:
        raw, files = await read_payload(request, files=True)
    except BadRequest as exc:
        return error_response(request, exc.status, exc.code, exc.message)
    values, problems = _problems(raw, forms.VERIFY_FILE)
    chosen = [f for f in files if f.field == "file" and f.data]
    if len(chosen) != 1:
        problems["file"] = "请选择要核验的结果文书文件（一个）"
    if problems:
        return error_response(request, 422, "invalid", "请核对填写的内容", problems)
    receipt_no = normalize(values["receipt_no"])
    record = await service_of(request).store.get(receipt_no)
    verdict = attestations.check_file(signer_of(request), record, chosen[0].data)
    return _answer(request, verdict, {"receipt_no": receipt_no, "file": chosen[0].filename[:200]})


def verify_url(website: str, receipt_no: str, code: str) -> str:
    """The address a receipt's QR code holds: the verification of this document on the
    platform's public website."""
    query = urlencode({"receipt_no": receipt_no, "code": code})
    return f"{website.rstrip('/')}/api/verify?{query}"


async def qr_code(request: Request) -> Response:
    """The receipt's QR code (SVG). Only ever the verification address of a well-formed
    number and code, so it is no general QR service; the store is not asked."""
    values, problems = _problems(dict(request.query_params), forms.VERIFY)
    if problems:
        return error_response(request, 422, "invalid", "请核对办件编号和核验码", problems)
    website = service_of(request).catalog.platform.website
    url = verify_url(website, normalize(values["receipt_no"]), attestations.normalize_code(values["code"]))
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", scale=4, border=4, xmldecl=False, title="文书核验二维码", desc=url
    )
    return Response(
        out.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=86400"}
    )


async def public_key(request: Request) -> Response:
    return Response(
        signer_of(request).public_pem(),
        media_type="application/x-pem-file",
        headers={"Content-Disposition": 'inline; filename="ipps-signing-key.pem"'},
    )


async def checksums_signature(request: Request) -> Response:
    """The signature over the site's ``data/SHA256SUMS``, as it is on disk now."""
    path = Path(service_of(request).settings.site_dir) / CHECKSUMS
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return error_response(request, 404, "not_found", "网站尚未生成开放数据校验清单，请先运行 ipps build")
    return Response(
        signer_of(request).raw_signature(data),
        media_type="application/octet-stream",
        headers={"Content-Disposition": 'attachment; filename="SHA256SUMS.sig"', "Cache-Control": "no-cache"},
    )


ROUTES = [
    Route("/verify", by_code, methods=["GET"]),
    Route("/verify/document", by_file, methods=["POST"]),
    Route("/verify/qr.svg", qr_code, methods=["GET"]),
    Route("/verify/key.pem", public_key, methods=["GET"]),
    Route("/opendata/SHA256SUMS.sig", checksums_signature, methods=["GET"]),
]
