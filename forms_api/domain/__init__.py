"""What the service does, without HTTP: the rules of submissions, the workflow and evaluation.

- :mod:`.submissions` — a consultation, application, rating or complaint: checked, numbered
  (:mod:`.receipts`), stored; and the public view of a record;
- :mod:`.workflow` — the service flow as pure data and functions (states, actions, roles,
  deadlines, pauses);
- :mod:`.casework` — one action on a stored record: the workflow decides, the record's change
  and its audit entry are one store write, then the notice;
- :mod:`.queues` — the console's work queues and search over stored records;
- :mod:`.exports` — lists of records as CSV and XLSX, masked (:mod:`.masking`) unless asked;
- :mod:`.measures` — 改进措施 (9.3); :mod:`.evaluation` — indicators, the report, public results;
- :mod:`.faq` — FAQ candidates into ``catalog/faq.yml``; :mod:`.disclosure` — the public facts
  of recent applications;
- :mod:`.staff` — staff roles and accounts.

Nothing here imports Starlette or the HTTP layers (an import-linter contract checks it): the
web and console layers call in, and this layer calls down into delivery and storage.
"""
