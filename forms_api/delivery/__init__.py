"""Delivery: notices to applicants when their work changes status, by e-mail and SMS.

- :mod:`.notices` — the texts: what an applicant is told about which status change;
- :mod:`.mail` — e-mail through an SMTP server, and the ``smtp_*`` settings it comes from;
- :mod:`.sms` — the text-message gateway interface, and the log standing in for one;
- :mod:`.notifier` — one notice by every channel the recipient has, one attempt recorded each.

Called by the domain (:mod:`forms_api.domain.casework`) after a change is stored. It may use
storage (the vault's masks) and the settings, never the domain or the HTTP layers.
"""
