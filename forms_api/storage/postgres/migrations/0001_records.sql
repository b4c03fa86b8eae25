-- The records of the service and what queries select on (forms_api/storage/query.py).
-- Standard PostgreSQL, no extensions: the domestic databases that descend from PostgreSQL
-- speak the same language.

-- Every stored document of every kind. `position` is the order documents were stored in
-- (page cursors); the columns after `document` are computed by the service from it
-- whenever it is written (forms_api.domain.columns.columns_of).
CREATE TABLE records (
    position    bigserial PRIMARY KEY,
    kind        text NOT NULL,
    key         text NOT NULL UNIQUE,
    document    jsonb NOT NULL,
    status      text NOT NULL DEFAULT '',
    item        text NOT NULL DEFAULT '',
    department  text NOT NULL DEFAULT '',
    due         date,                          -- while a clock runs, else NULL
    created     text NOT NULL DEFAULT '',      -- YYYY-MM-DD, China time
    flag        boolean NOT NULL DEFAULT false,
    target      text NOT NULL DEFAULT '',
    actor       text NOT NULL DEFAULT '',
    search      text NOT NULL DEFAULT ''       -- upper case, parts separated by U+001F
);

CREATE INDEX records_kind_position ON records (kind, position);
CREATE INDEX records_kind_status ON records (kind, status, position);
CREATE INDEX records_kind_item ON records (kind, item, position);
CREATE INDEX records_kind_department ON records (kind, department, position);
CREATE INDEX records_kind_due ON records (kind, due, position) WHERE due IS NOT NULL;
CREATE INDEX records_kind_created ON records (kind, created, position);
CREATE INDEX records_kind_target ON records (kind, target, position) WHERE target <> '';
CREATE INDEX records_kind_actor ON records (kind, actor, position) WHERE actor <> '';

-- Every key a document is found by: its own (a receipt number) and further unique ones
-- (`rated:ZX20261124-000001`, one rating per receipt). One table, so that no two documents
-- can share any key, whichever kind of key it is.
CREATE TABLE record_keys (
    key       text PRIMARY KEY,
    position  bigint NOT NULL REFERENCES records (position)
);

-- How many documents are in each bucket of the columns queues count by, kept in the same
-- transaction as the documents. A bucket is split over 8 slots (by position), so that
-- concurrent submissions of one kind and status do not all wait for one row. A document
-- without a running clock counts under due = 0001-01-01.
CREATE TABLE counts (
    kind        text NOT NULL,
    status      text NOT NULL,
    item        text NOT NULL,
    department  text NOT NULL,
    flag        boolean NOT NULL,
    due         date NOT NULL,
    slot        smallint NOT NULL,
    n           bigint NOT NULL,
    PRIMARY KEY (kind, status, item, department, flag, due, slot)
);

-- The last number handed out in each series of receipt numbers (`ZX20261124`).
CREATE TABLE numbering (
    series  text PRIMARY KEY,
    last    bigint NOT NULL
);
