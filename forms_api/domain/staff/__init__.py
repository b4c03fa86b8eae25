"""Staff: who may use the staff console, with which role, and how they prove it.

- :mod:`.roles` — the five roles (管理员, 受理员, 办理员, 监督员, 审计员) as data, which the
  workflow's role table refers to;
- :mod:`.accounts` — staff accounts in ``<data_dir>/staff/users.json``, outside the store so
  that ``ipps user add`` works while ``ipps serve`` holds the store's lock; argon2 password
  hashes, a second factor, and a lockout after repeated failures that survives restarts;
- :mod:`.totp` — RFC 6238 one-time codes (the second factor), standard library only.

The console's sessions are in :mod:`forms_api.console.sessions`, the ``ipps user`` commands in
:mod:`forms_api.cli.users`.
"""
