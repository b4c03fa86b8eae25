"""The forms service: consultations, applications, ratings, complaints and the staff console.

By layer, top to bottom (each imports only those below it, and :mod:`generator`):
:mod:`.cli` (the ``ipps`` command), :mod:`.app` (the application), :mod:`.console` (``/staff/``),
:mod:`.web` (the public HTTP surface), :mod:`.domain` (the rules, without HTTP),
:mod:`.delivery` (notices), :mod:`.storage` (the store, uploads, the vault, backups) and
:mod:`.settings`. The rules are import-linter contracts in ``pyproject.toml``; CONTRIBUTING.md
(section 八) draws the picture.
"""
