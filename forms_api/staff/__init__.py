"""Staff access: who may use the staff console, and how they prove it.

The public forms service needs no login; the staff console behind ``/staff`` does. This
package is its foundation, kept apart from the pages that use it:

- :mod:`.roles` — the five roles (管理员, 受理员, 办理员, 监督员, 审计员) as data;
- :mod:`.accounts` — staff accounts in ``<data_dir>/staff/users.json``, outside the store so
  that ``ipps user add`` works while ``ipps serve`` holds the store's lock; argon2 password
  hashes, a second factor, and a lockout after repeated failures that survives restarts;
- :mod:`.totp` — RFC 6238 one-time codes (the second factor), standard library only;
- :mod:`.sessions` — signed, expiring session cookies with a CSRF token per session;
- :mod:`.cli` — the ``ipps user`` commands that manage accounts.
"""
