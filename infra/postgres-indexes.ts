import { Client } from 'pg';

/**
 * FerretDB v1 on PostgreSQL filters a field as `_jsonb -> $1 @> $2` (its name and value both parameters),
 * and indexes it as a btree on `(_jsonb -> 'field')`, which cannot answer `@>`: every find, update or
 * delete, even by `_id`, reads the whole table (measured: 20–40 ms by `_id` with 10,000 alerts, growing
 * with the collection). Vouch's embedded PostgreSQL therefore gives each such index a GIN twin on the
 * same expression, which answers `@>` (an event trigger does it for every index FerretDB creates, and
 * each start for those made before), and plans every statement with its parameters known
 * (`plan_cache_mode`, see postgres.ts): a plan made without them cannot match an index on
 * `_jsonb -> '_id'` to `_jsonb -> $1`.
 */
const GIN_TWINS_SQL = `
CREATE OR REPLACE FUNCTION vouch_gin_twin(btree oid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  expr text;
  tbl regclass;
BEGIN
  SELECT pg_get_indexdef(i.indexrelid, 1, false), i.indrelid::regclass INTO expr, tbl
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
   WHERE i.indexrelid = btree AND am.amname = 'btree' AND i.indnatts = 1 AND i.indexprs IS NOT NULL;
  -- Only FerretDB's one-field indexes: ((_jsonb -> 'field'::text)).
  IF expr IS NULL OR expr !~ '^\\(\\(_jsonb -> ''[^'']*''::text\\)\\)$' THEN
    RETURN;
  END IF;
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin (%s jsonb_path_ops)',
                 'vouch_gin_' || md5(btree::regclass::text), tbl, expr);
END $$;

CREATE OR REPLACE FUNCTION vouch_gin_twins_of_new_indexes() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  created record;
BEGIN
  FOR created IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE object_type = 'index' LOOP
    PERFORM vouch_gin_twin(created.objid);
  END LOOP;
END $$;

DROP EVENT TRIGGER IF EXISTS vouch_gin_twins;
CREATE EVENT TRIGGER vouch_gin_twins ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION vouch_gin_twins_of_new_indexes();

SELECT vouch_gin_twin(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast');
`;

/** Installs the GIN twins (idempotent: run at every start, before FerretDB connects). */
export async function installGinTwins(postgresUrl: string): Promise<void> {
  const client = new Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(GIN_TWINS_SQL);
  } finally {
    await client.end();
  }
}
