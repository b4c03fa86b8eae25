"""Background work: jobs written with the change that calls for them, run by workers.

- :mod:`.runner`: claims due jobs from the store, runs each with its task's handler, and
  settles it: done (with the job's own changes, in one write), retried later with back-off
  when the failure may pass, or failed for good with an audit entry, shown in the console;
- :mod:`.notices`: the ``notice`` task, one per status change and channel the applicant has.

Who runs jobs: ``ipps serve`` in-process (by default when it serves as one process), and any
number of ``ipps worker`` processes on any hosts with PostgreSQL (README: 后台任务).
"""
