"""Personal data shown in part, for staff pages and exports that do not need it whole.

Names and e-mail addresses are stored as given; phone and ID numbers are stored encrypted
beside a masked copy made with :func:`mask_phone` and :func:`mask_id` (these and
:func:`mask_email` re-exported here from
:mod:`forms_api.storage.crypto`, so that one import gives every mask).
"""

from __future__ import annotations

from forms_api.storage.crypto import mask_email, mask_id, mask_phone

__all__ = ["mask_email", "mask_id", "mask_name", "mask_phone"]

_ORGANISATION_WORDS = ("公司", "大学", "学院", "研究", "中心", "协会")


def mask_name(name: str) -> str:
    """林晓 → 林*, 福州银行股份有限公司 stays (an organisation's name is not personal data)."""
    if not name:
        return ""
    if len(name) > 6 or any(word in name for word in _ORGANISATION_WORDS):
        return name
    return name[:1] + "*" * max(len(name) - 1, 1)
