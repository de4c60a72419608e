package oauthgen

import (
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// startup queues what Hydra exports before its first request (the
// capture's first export requests): the migrations' trace, an INTERNAL
// root migration-up (ory/x popx) with about a thousand children, and
// migration-status. No vocabulary may claim them; they are no request.
func (h *hydraGen) startup() {
	r := h.internal("migration-up")
	init := r.persist(r.root, "migration-init")
	init.Attributes().PutStr("component", popx)
	r.sql(init, true, "CREATE TABLE schema_migration (version VARCHAR (48) NOT NULL, version_self INT NOT NULL DEFAULT 0)")
	for range 200 {
		r.sql(r.root, false, "SELECT version FROM schema_migration WHERE version IN (?, ?)")
		tx := r.persist(r.root, "migration-run-transaction")
		tx.Attributes().PutStr("component", popx)
		tx.Attributes().PutStr("migration_direction", "up")
		r.sqlOp(tx, "sql-tx-begin")
		r.sql(tx, true, "INSERT INTO schema_migration (version) VALUES (?)")
		r.sqlOp(tx, "sql-tx-commit")
	}
	r.end()
	h.finish(r)
	r = h.internal("migration-status")
	r.sql(r.root, false, "SELECT version FROM schema_migration")
	r.end()
	h.finish(r)
}

const popx = "github.com/ory/x/popx"

// internal starts a trace whose root is an INTERNAL span of Hydra's scope.
func (h *hydraGen) internal(name string) *hreq {
	r := h.request("", name, 0)
	r.root.SetKind(ptrace.SpanKindInternal)
	r.root.SetParentSpanID([8]byte{})
	r.root.SetFlags(flagsHasIsRemote)
	r.root.Attributes().Clear()
	r.root.Attributes().PutStr("component", popx)
	return r
}

// sqlOp adds an sql span without a statement (transactions).
func (r *hreq) sqlOp(parent ptrace.Span, name string) {
	s := r.child(parent, scopeSQL, name)
	s.SetKind(ptrace.SpanKindClient)
	s.Attributes().PutStr("component", "database/sql")
}

// firstDiscovery is the first discovery request: Hydra finds no signing
// key (GetKeySet ends with ": Not Found", no failure of the request) and
// generates one.
func (h *hydraGen) firstDiscovery() {
	r := h.request("GET", contract.HydraPathDiscovery, 200)
	get := r.persist(r.root, "persistence.sql.GetKeySet")
	get.Attributes().PutStr("set", "hydra.openid.id-token")
	fail(get, ": Not Found", "", "")
	r.sql(get, false, "SELECT hydra_jwk.created_at, hydra_jwk.keydata FROM hydra_jwk WHERE sid = ? AND nid = ?")
	gen := r.persist(r.root, "persistence.sql.GenerateAndPersistKeySet")
	gen.Attributes().PutStr("set", "hydra.openid.id-token")
	gen.Attributes().PutStr("alg", "RS256")
	r.persist(gen, "persistence.sql.AddKeySet")
	r.end()
	h.finish(r)
}
