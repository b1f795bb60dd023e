-- Run first in the transaction that changes the schema, by OrleansPostgresSchema, the PostgreSQL document store and
-- scripts/postgres.sh alike: silos that start together take turns (each schema script must run exactly once, and even
-- CREATE TABLE IF NOT EXISTS can fail on pg_type when two sessions race). The key spells "CC_SCHEM"; the runtime
-- before Orleans took the same one, so the two never create cc_documents at the same moment during an upgrade.
SELECT pg_advisory_xact_lock(4846822435196519757);
