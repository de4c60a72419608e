//go:build integration

package integration

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// TestFingerprintLookAlikesAreRedacted: values that merely start with "fp:"
// used to pass as fingerprints. Through the real binary each comes out
// fingerprinted whole (contract v2 section 3), and nothing raw is exported.
func TestFingerprintLookAlikesAreRedacted(t *testing.T) {
	gw := startRotNode(t, rotK1, nil, t.TempDir(), 0)
	defer gw.stop(t)
	raw := "rawsecretvalue0123456789abcdef"
	f := contract.NewFingerprinter(rotK1)

	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(pcommon.TraceID{9, 0xcc, 2})
	sp.SetSpanID(pcommon.SpanID{9, 2})
	sp.SetKind(ptrace.SpanKindServer)
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	a := sp.Attributes()
	a.PutStr(contract.AttrOperation, contract.OpRefresh)
	a.PutStr(contract.AttrRefreshToken, "fp:"+raw)
	a.PutStr("url.full", "https://app.example/cb?code=fp:"+raw+"&x=1")
	a.PutStr("http.request.header.authorization", "Bearer fp:"+raw)
	a.PutStr("message", "refresh_token: fp:"+raw+" rejected")
	body, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	resp, err := http.Post(fmt.Sprintf("http://localhost:%d/v1/traces", gw.otlpPort), "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	out := gw.span(t, 9)
	whole := f.Fingerprint("fp:" + raw)
	assert.Equal(t, whole, attrStr(out, contract.AttrRefreshToken))
	assert.Equal(t, "https://app.example/cb?code="+whole+"&x=1", attrStr(out, "url.full"))
	assert.Equal(t, "Bearer "+whole, attrStr(out, "http.request.header.authorization"))
	assert.Equal(t, "refresh_token: "+whole+" rejected", attrStr(out, "message"))
	out.Range(func(k string, v pcommon.Value) bool {
		assert.NotContains(t, v.AsString(), raw, "raw value under %s", k)
		return true
	})
}
