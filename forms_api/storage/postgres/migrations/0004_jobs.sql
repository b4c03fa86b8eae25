-- Jobs: work that must follow a change (a notice, a reminder, a scheduled return visit),
-- inserted in the same transaction as the change (forms_api/storage/jobs.py). Workers on any
-- host take due jobs with SELECT … FOR UPDATE SKIP LOCKED, so no two take the same one, and a
-- job whose lease ran out (its worker died) is due again.
CREATE TABLE jobs (
    id            text PRIMARY KEY,
    position      bigserial NOT NULL UNIQUE,     -- the order queued (newest first in lists)
    task          text NOT NULL,
    payload       jsonb NOT NULL,
    record        text NOT NULL DEFAULT '',
    status        text NOT NULL,                 -- queued, running, done, failed
    run_at        timestamptz NOT NULL,
    attempts      integer NOT NULL DEFAULT 0,
    max_attempts  integer NOT NULL,
    worker        text NOT NULL DEFAULT '',
    lease_until   timestamptz,
    last_error    text NOT NULL DEFAULT '',
    history       jsonb NOT NULL DEFAULT '[]',
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);

CREATE INDEX jobs_due ON jobs (run_at) WHERE status = 'queued';
CREATE INDEX jobs_lease ON jobs (lease_until) WHERE status = 'running';
CREATE INDEX jobs_failed ON jobs (position) WHERE status = 'failed';
CREATE INDEX jobs_record ON jobs (record, position) WHERE record <> '';
CREATE INDEX jobs_status ON jobs (status);
