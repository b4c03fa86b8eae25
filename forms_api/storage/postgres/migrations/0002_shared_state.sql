-- What every worker and host must see the same way: rate limits, the staff accounts file,
-- the fingerprints of the keys each host holds, and uploaded materials.

-- Sliding-window rate limits (forms_api/storage/postgres/shared.py): the times, in Unix
-- seconds, of the hits still inside the window of one limit for one client.
CREATE TABLE rate_limits (
    name     text NOT NULL,
    client   text NOT NULL,
    hits     double precision[] NOT NULL,
    touched  double precision NOT NULL,
    PRIMARY KEY (name, client)
);
CREATE INDEX rate_limits_touched ON rate_limits (touched);

-- Small documents that the embedded backend keeps as files in the data directory
-- (`staff/users.json`: accounts, failed logins, lockouts), changed under a row lock.
CREATE TABLE shared_files (
    name     text PRIMARY KEY,
    content  bytea NOT NULL,
    version  bigint NOT NULL
);

-- An HMAC of a fixed text under each key the hosts must share (the data key, the session
-- key): a host holding a different key refuses to start instead of writing records the
-- others cannot read. The keys themselves never enter the database.
CREATE TABLE key_fingerprints (
    name         text PRIMARY KEY,
    fingerprint  text NOT NULL
);

-- Uploaded materials (forms_api/storage/blobs.py): one row per file, its content in chunks
-- of at most 1 MiB so that neither side holds a whole file in memory.
CREATE TABLE blobs (
    name     text PRIMARY KEY,
    size     bigint NOT NULL,
    sha256   text NOT NULL,
    type     text NOT NULL,
    created  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE blob_chunks (
    name  text NOT NULL REFERENCES blobs (name) ON DELETE CASCADE,
    seq   integer NOT NULL,
    data  bytea NOT NULL,
    PRIMARY KEY (name, seq)
);
