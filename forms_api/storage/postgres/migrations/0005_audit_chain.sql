-- The audit log as a hash chain (forms_api/storage/chain.py): the hash of the last audit entry,
-- locked by every transaction that appends entries, so that all workers and hosts append to
-- one chain in one order. Entries written before this version stay unchained; the chain
-- begins with the next one.
CREATE TABLE chain_heads (
    kind  text PRIMARY KEY,
    hash  text NOT NULL
);
INSERT INTO chain_heads (kind, hash) VALUES ('audit', repeat('0', 64));
