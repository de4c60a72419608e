package oauthredact

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// planter puts random secrets into random carriers and remembers how often
// each secret was planted.
type planter struct {
	rng     *rand.Rand
	planted map[string]int
	pool    []string // secrets already used, planted again sometimes
	keyed   []string // secrets planted under a secret key (echo candidates)
}

func newPlanter(seed uint64) *planter {
	return &planter{rng: rand.New(rand.NewPCG(seed, 7)), planted: map[string]int{}}
}

// secret returns a new or an already planted token (equal secrets in
// different positions must give equal fingerprints).
func (p *planter) secret() string {
	if len(p.pool) > 0 && p.rng.IntN(4) == 0 {
		return p.pool[p.rng.IntN(len(p.pool))]
	}
	// starts with an upper-case letter and may hold '/' and '+' (base64)
	alphabet := tokenAlphabet + "/+"
	b := []byte{byte('A' + p.rng.IntN(26))}
	for range 15 + p.rng.IntN(30) {
		b = append(b, alphabet[p.rng.IntN(len(alphabet))])
	}
	s := string(b)
	p.pool = append(p.pool, s)
	return s
}

func (p *planter) plant(s string) string {
	p.planted[s]++
	return s
}

// secretKeysForTest are the contract's secret keys (every v2 parameter,
// bare where it may be, under "oauth." and in upper case, and the token
// identifiers): a key added to the contract is planted by itself.
var secretKeysForTest = func() []string {
	var out []string
	for _, k := range contract.SecretKeysAnywhere {
		out = append(out, k, "oauth."+k, strings.ToUpper(k))
	}
	out = append(out, contract.SecretKeysPrefixedOnly...)
	return append(out, contract.TokenIdentifierKeys...)
}()

// pick returns a random element of list.
func (p *planter) pick(list []string) string { return list[p.rng.IntN(len(list))] }

// attr returns a key and value carrying one secret.
func (p *planter) attr() (string, string) {
	s := p.secret()
	switch p.rng.IntN(6) {
	case 0:
		p.keyed = append(p.keyed, s)
		return p.pick(secretKeysForTest), p.plant(s)
	case 1:
		return "url.full", "https://app.example/cb?iss=x&" + p.pick(contract.SecretParams) + "=" + url.QueryEscape(p.plant(s)) + "&page=2"
	case 2:
		return "http.request.header.authorization", "Bearer " + p.plant(s)
	case 3:
		return "http.request.header.cookie", "theme=dark; sid=" + p.plant(s)
	case 4:
		if p.rng.IntN(2) == 0 {
			return "http.request.body", "grant_type=x&" + p.pick(contract.SecretParams) + "=" + url.QueryEscape(p.plant(s)) + "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt"
		}
		return "http.request.body", `{"grant_type":"refresh_token","` + p.pick(contract.SecretParams) + `":"` + p.plant(s) + `"}`
	default:
		return "message", p.text()
	}
}

// text returns free text carrying one secret.
func (p *planter) text() string {
	switch p.rng.IntN(6) {
	case 0:
		switch p.rng.IntN(3) {
		case 0:
			return "redirect to /cb#" + p.pick(contract.SecretParams) + "=" + p.plant(p.secret()) + "&token_type=bearer"
		case 1:
			return "POST https://client:" + url.QueryEscape(p.plant(p.secret())) + "@as.example/token"
		}
		return "refresh with " + p.plant(p.pick([]string{"ory_at_", "ory_rt_", "ory_ac_"})+randToken(p.rng, 43)+"."+randToken(p.rng, 43)) + " failed"
	case 1:
		return "upstream said Authorization: Bearer " + p.plant(p.secret())
	case 2:
		return "token " + p.plant(randJWT(p.rng)) + " expired"
	case 3:
		return "using " + p.plant("ghp_"+randAlnum(p.rng, 36))
	case 4:
		if len(p.keyed) > 0 { // an echo of a secret found under a key
			return "refresh failed for " + p.plant(p.keyed[p.rng.IntN(len(p.keyed))])
		}
		fallthrough
	default:
		return `body {"state":"` + p.plant(p.secret()) + `"}`
	}
}

func randAlnum(rng *rand.Rand, n int) string {
	const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = a[rng.IntN(len(a))]
	}
	return string(b)
}

var benignWords = []string{"GET", "POST", "/api/users/42", "ok", "state: active", "code 200", "Bearer", "Basic auth", "café", "\xff\xfe", "page=2&sort=asc", `{"user":"bob","scope":"openid"}`, "https://example.com/a?b=c#d", "token refreshed", "user-17", "x=1; y=2"}

func (p *planter) benign() string {
	var b strings.Builder
	for range 1 + p.rng.IntN(4) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(benignWords[p.rng.IntN(len(benignWords))])
	}
	return b.String()
}

func (p *planter) dirty() bool { return p.rng.IntN(2) == 0 }

// fillAttrs adds a few benign attributes and, when dirty, secret ones.
func (p *planter) fillAttrs(m pcommon.Map, dirty bool) {
	for i := range 1 + p.rng.IntN(3) {
		m.PutStr("k"+strconv.Itoa(i), p.benign())
	}
	m.PutStr("state", "active")
	if !dirty {
		return
	}
	for i := range 1 + p.rng.IntN(2) {
		k, v := p.attr()
		if _, exists := m.Get(k); exists { // never overwrite a planted secret
			m = m.PutEmptyMap("dup" + strconv.Itoa(i))
		}
		switch p.rng.IntN(3) {
		case 0:
			m.PutEmptySlice(k).AppendEmpty().SetStr(v)
		case 1:
			m.PutEmptyMap("nested"+strconv.Itoa(i)).PutEmptyMap("deeper").PutStr(k, v)
		default:
			m.PutStr(k, v)
		}
	}
}

func (p *planter) textOr(dirty bool) string {
	if dirty && p.dirty() {
		return p.text()
	}
	return p.benign()
}

func (p *planter) traces() (ptrace.Traces, []ptrace.Span) {
	td := ptrace.NewTraces()
	var clean []ptrace.Span
	for range 1 + p.rng.IntN(2) {
		rs := td.ResourceSpans().AppendEmpty()
		p.fillAttrs(rs.Resource().Attributes(), p.rng.IntN(4) == 0)
		ss := rs.ScopeSpans().AppendEmpty()
		p.fillAttrs(ss.Scope().Attributes(), p.rng.IntN(4) == 0)
		for range 1 + p.rng.IntN(5) {
			dirty := p.dirty()
			span := ss.Spans().AppendEmpty()
			span.SetName(p.textOr(dirty))
			p.fillAttrs(span.Attributes(), dirty && p.dirty())
			span.Status().SetMessage(p.textOr(dirty))
			ev := span.Events().AppendEmpty()
			ev.SetName(p.textOr(dirty))
			p.fillAttrs(ev.Attributes(), dirty && p.dirty())
			p.fillAttrs(span.Links().AppendEmpty().Attributes(), dirty && p.dirty())
			if !dirty {
				clean = append(clean, span)
			}
		}
	}
	return td, clean
}

func (p *planter) logs() (plog.Logs, []plog.LogRecord) {
	ld := plog.NewLogs()
	var clean []plog.LogRecord
	rl := ld.ResourceLogs().AppendEmpty()
	p.fillAttrs(rl.Resource().Attributes(), p.rng.IntN(4) == 0)
	sl := rl.ScopeLogs().AppendEmpty()
	p.fillAttrs(sl.Scope().Attributes(), p.rng.IntN(4) == 0)
	for range 1 + p.rng.IntN(6) {
		dirty := p.dirty()
		lr := sl.LogRecords().AppendEmpty()
		p.fillAttrs(lr.Attributes(), dirty && p.dirty())
		lr.SetEventName(p.textOr(dirty))
		switch p.rng.IntN(3) {
		case 0:
			lr.Body().SetStr(p.textOr(dirty))
		case 1:
			m := lr.Body().SetEmptyMap()
			m.PutStr("msg", p.textOr(dirty))
			p.fillAttrs(m.PutEmptyMap("req"), dirty)
		default:
			s := lr.Body().SetEmptySlice()
			s.AppendEmpty().SetStr(p.textOr(dirty))
			p.fillAttrs(s.AppendEmpty().SetEmptyMap(), dirty)
		}
		if !dirty {
			clean = append(clean, lr)
		}
	}
	return ld, clean
}

func (p *planter) metrics() (pmetric.Metrics, []pmetric.Metric) {
	md := pmetric.NewMetrics()
	var clean []pmetric.Metric
	rm := md.ResourceMetrics().AppendEmpty()
	p.fillAttrs(rm.Resource().Attributes(), p.rng.IntN(4) == 0)
	sm := rm.ScopeMetrics().AppendEmpty()
	p.fillAttrs(sm.Scope().Attributes(), p.rng.IntN(4) == 0)
	for i := range 5 {
		dirty := p.dirty()
		m := sm.Metrics().AppendEmpty()
		m.SetName("m" + strconv.Itoa(i))
		var attrs, ex pcommon.Map
		switch i {
		case 0:
			dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
			attrs, ex = dp.Attributes(), dp.Exemplars().AppendEmpty().FilteredAttributes()
		case 1:
			dp := m.SetEmptySum().DataPoints().AppendEmpty()
			attrs, ex = dp.Attributes(), dp.Exemplars().AppendEmpty().FilteredAttributes()
		case 2:
			dp := m.SetEmptyHistogram().DataPoints().AppendEmpty()
			attrs, ex = dp.Attributes(), dp.Exemplars().AppendEmpty().FilteredAttributes()
		case 3:
			dp := m.SetEmptyExponentialHistogram().DataPoints().AppendEmpty()
			attrs, ex = dp.Attributes(), dp.Exemplars().AppendEmpty().FilteredAttributes()
		default:
			attrs = m.SetEmptySummary().DataPoints().AppendEmpty().Attributes() // no exemplars
		}
		p.fillAttrs(attrs, dirty && (i == 4 || p.dirty()))
		if i != 4 {
			p.fillAttrs(ex, dirty)
		}
		if !dirty {
			clean = append(clean, m)
		}
	}
	return md, clean
}

// checkEncodings asserts no planted secret in either encoding and exactly one
// fingerprint per planting.
func (p *planter) checkEncodings(t *testing.T, pb, js []byte) {
	t.Helper()
	for s, n := range p.planted {
		noLeak(t, "protobuf", pb, s)
		noLeak(t, "json", js, s)
		if got := bytes.Count(pb, []byte(fp(s))); got != n {
			t.Errorf("secret of %d bytes planted %d times, its fingerprint found %d times", len(s), n, got)
		}
	}
}

func TestPropertyNoSecretLeaves(t *testing.T) {
	r := newTestRedactor(t, testConfig())
	ctx := context.Background()
	for seed := range uint64(150) {
		t.Run("traces", func(t *testing.T) {
			p := newPlanter(seed)
			td, clean := p.traces()
			before := spanBytes(t, clean)
			_, err := r.processTraces(ctx, td)
			require.NoError(t, err)
			pb, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
			require.NoError(t, err)
			js, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
			require.NoError(t, err)
			p.checkEncodings(t, pb, js)
			require.Equal(t, before, spanBytes(t, clean), "secret-free spans must be unchanged")
		})
		t.Run("logs", func(t *testing.T) {
			p := newPlanter(seed + 1000)
			ld, clean := p.logs()
			before := logBytes(t, clean)
			_, err := r.processLogs(ctx, ld)
			require.NoError(t, err)
			pb, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
			require.NoError(t, err)
			js, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
			require.NoError(t, err)
			p.checkEncodings(t, pb, js)
			require.Equal(t, before, logBytes(t, clean), "secret-free log records must be unchanged")
		})
		t.Run("metrics", func(t *testing.T) {
			p := newPlanter(seed + 2000)
			md, clean := p.metrics()
			before := metricBytes(t, clean)
			_, err := r.processMetrics(ctx, md)
			require.NoError(t, err)
			pb, err := (&pmetric.ProtoMarshaler{}).MarshalMetrics(md)
			require.NoError(t, err)
			js, err := (&pmetric.JSONMarshaler{}).MarshalMetrics(md)
			require.NoError(t, err)
			p.checkEncodings(t, pb, js)
			require.Equal(t, before, metricBytes(t, clean), "secret-free metrics must be unchanged")
		})
		if t.Failed() {
			return
		}
	}
}

func spanBytes(t *testing.T, spans []ptrace.Span) [][]byte {
	var out [][]byte
	for _, s := range spans {
		td := ptrace.NewTraces()
		s.CopyTo(td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty())
		b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
		require.NoError(t, err)
		out = append(out, b)
	}
	return out
}

func logBytes(t *testing.T, lrs []plog.LogRecord) [][]byte {
	var out [][]byte
	for _, l := range lrs {
		ld := plog.NewLogs()
		l.CopyTo(ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
		b, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
		require.NoError(t, err)
		out = append(out, b)
	}
	return out
}

func metricBytes(t *testing.T, ms []pmetric.Metric) [][]byte {
	var out [][]byte
	for _, m := range ms {
		md := pmetric.NewMetrics()
		m.CopyTo(md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty())
		b, err := (&pmetric.ProtoMarshaler{}).MarshalMetrics(md)
		require.NoError(t, err)
		out = append(out, b)
	}
	return out
}
