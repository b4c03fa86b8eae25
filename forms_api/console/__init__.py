"""The staff console under ``/staff/``: logging in, the work queues, record pages with the
actions the workflow allows, the audit log, exports and improvement measures.

- :mod:`.routes` — every console route and the console's templates (``templates/``);
- :mod:`.access` — who may open what: login, role and CSRF checks, once, as ``@page(...)``;
- :mod:`.sessions` — signed, expiring session cookies with a CSRF token per session;
- :mod:`.login` — the login and logout pages;
- :mod:`.workbench`, :mod:`.records`, :mod:`.audit`, :mod:`.exports`, :mod:`.measures` — the
  pages, each over its domain module (:mod:`forms_api.domain.queues`, ``.casework``,
  ``.exports``, ``.measures``);
- :mod:`.action_forms`, :mod:`.display` — the forms of the actions, and how values are shown.

Every change a page makes goes through :mod:`forms_api.domain.casework` (or
:mod:`forms_api.domain.measures`). The console may use the public surface's shared pieces
(:mod:`forms_api.web.pages`, :mod:`forms_api.web.limits`); the public surface never imports it.
"""
