//go:build e2e

package hydra

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// captureEnv names a directory (outside the repository: the traces hold raw
// tokens) where TestDriverAgainstHydra writes every export request Hydra
// sent, one OTLP JSON file per request, and the driver's Truth.
const captureEnv = "OTELCOL_OAUTH_HYDRA_CAPTURE"

// batches collects Hydra's export requests in arrival order.
type batches struct {
	mu  sync.Mutex
	all []ptrace.Traces
}

func (b *batches) handle(signal string, body []byte) error {
	td, err := DecodeTraces(signal, body)
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.all = append(b.all, td)
	b.mu.Unlock()
	return nil
}

func (b *batches) snapshot() []ptrace.Traces {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]ptrace.Traces(nil), b.all...)
}

// serverSpansByName counts the root SERVER spans (no parent) by name.
func serverSpansByName(all []ptrace.Traces) map[string]int {
	out := map[string]int{}
	for _, td := range all {
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			ss := td.ResourceSpans().At(i).ScopeSpans()
			for j := 0; j < ss.Len(); j++ {
				spans := ss.At(j).Spans()
				for k := 0; k < spans.Len(); k++ {
					sp := spans.At(k)
					if sp.Kind() == ptrace.SpanKindServer && sp.ParentSpanID().IsEmpty() {
						out[sp.Name()]++
					}
				}
			}
		}
	}
	return out
}

// The driver against a real Hydra exporting to an in-test OTLP server:
// every flow answers as RunAll says, and Hydra writes one root SERVER span
// per request the driver made. With OTELCOL_OAUTH_HYDRA_CAPTURE set, the
// raw export requests are written there for study.
func TestDriverAgainstHydra(t *testing.T) {
	bin := testutil.Tool(t, "hydra", BinEnv, "make tools-hydra")
	var got batches
	otlp, err := testutil.StartOTLPServer(got.handle)
	if err != nil {
		t.Fatal(err)
	}
	defer otlp.Close()
	srv := Start(t, bin, otlp.HTTPAddr)
	// Spans of Hydra's start-up (migrations) are not the driver's.
	startup := len(got.snapshot())

	d := NewDriver(srv)
	truth, err := d.RunAll()
	if err != nil {
		t.Fatal(err)
	}
	want := Truth{
		Discovery: 1, Registrations: 2, Flows: 3, AuthorizeVisits: 9, LoginsAccepted: 3, ConsentsAccepted: 3,
		CodeExchanges: 2, CodeReplays: 1, PKCEMismatches: 1, Refreshes: 2, RefreshReuses: 1,
		ClientCredentials: 1, Revocations: 1, Introspections: 1,
	}
	if truth != want {
		t.Fatalf("truth %+v, want %+v", truth, want)
	}
	if err := srv.Stop(30 * time.Second); err != nil {
		t.Fatalf("hydra did not stop cleanly: %v", err)
	}

	all := got.snapshot()
	roots := serverSpansByName(all)
	t.Logf("%d export requests (%d before the driver's first request); root SERVER spans: %v", len(all), startup, roots)
	for name, n := range map[string]int{
		"/.well-known/openid-configuration": truth.Discovery,
		"/oauth2/register":                  truth.Registrations,
		"/oauth2/auth":                      truth.AuthorizeVisits,
		"/oauth2/token":                     truth.TokenRequests(),
		"/oauth2/revoke":                    truth.Revocations,
		"/admin/oauth2/introspect":          truth.Introspections,
	} {
		if roots[name] != n {
			t.Errorf("root SERVER spans %q: %d, want %d", name, roots[name], n)
		}
	}
	if dir := os.Getenv(captureEnv); dir != "" {
		writeCapture(t, dir, all, truth)
	}
}

func writeCapture(t *testing.T, dir string, all []ptrace.Traces, truth Truth) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	var m ptrace.JSONMarshaler
	for i, td := range all {
		raw, err := m.MarshalTraces(td)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("batch-%04d.json", i)), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := json.MarshalIndent(truth, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "truth.json"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d export requests to %s", len(all), strings.TrimSuffix(dir, "/"))
}
