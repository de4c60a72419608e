package oauthspanmetrics

import (
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Series: the points of every metric by label values, and how a count adds to
// them. emit.go turns them into pmetric.

// Indexes into contract.Metrics, resolved by name so a reordering of the
// table cannot silently mix metrics up.
var (
	mFlows         = metricIndex(contract.MetricFlowsTotal)
	mFlowDur       = metricIndex(contract.MetricFlowDuration)
	mRefresh       = metricIndex(contract.MetricTokenRefreshTotal)
	mRefreshDur    = metricIndex(contract.MetricTokenRefreshDuration)
	mRevocations   = metricIndex(contract.MetricTokenRevocationsTotal)
	mActiveTokens  = metricIndex(contract.MetricActiveTokens)
	mPKCEValid     = metricIndex(contract.MetricPKCEValidationsTotal)
	mPKCECreated   = metricIndex(contract.MetricPKCEStatesCreatedTotal)
	mPKCECleaned   = metricIndex(contract.MetricPKCEStatesCleanedTotal)
	mActivePKCE    = metricIndex(contract.MetricActivePKCEStates)
	mSecurity      = metricIndex(contract.MetricSecurityEventsTotal)
	mIntegrity     = metricIndex(contract.MetricIntegrityViolationsTotal)
	mCodeInjection = metricIndex(contract.MetricCodeInjectionAttemptsTotal)
	mDiscovery     = metricIndex(contract.MetricDiscoveryAttemptsTotal)
	mDiscoveryDur  = metricIndex(contract.MetricDiscoveryDuration)
	mRegistrations = metricIndex(contract.MetricClientRegistrationsTotal)
	mRegistration  = metricIndex(contract.MetricClientRegistrationDuration)
	mAuthRequests  = metricIndex(contract.MetricAuthorizationRequestsTotal)
	mExchanges     = metricIndex(contract.MetricTokenExchangesTotal)
	mExchangeDur   = metricIndex(contract.MetricTokenExchangeDuration)
)

func metricIndex(name string) int {
	for i, m := range contract.Metrics {
		if m.Name == name {
			return i
		}
	}
	panic("contract metric missing: " + name)
}

// labels is the label values of one series (unused positions are "").
type labels struct{ a, b string }

type exemplar struct {
	traceID pcommon.TraceID
	spanID  pcommon.SpanID
	value   float64
	ts      pcommon.Timestamp
}

type sumPoint struct {
	v     int64
	ex    exemplar
	hasEx bool
}

type histPoint struct {
	counts []uint64
	sum    float64
	count  uint64
	ex     exemplar
	hasEx  bool
}

// add adds v to a counter series, keeping r's ids as its exemplar.
func (s *state) add(g *group, m int, l labels, v int64, r *record) {
	mp := g.sums[m]
	if mp == nil {
		mp = map[labels]*sumPoint{}
		g.sums[m] = mp
	}
	p := mp[l]
	if p == nil {
		p = &sumPoint{}
		mp[l] = p
	}
	p.v += v
	if s.cfg.Exemplars && r != nil && !r.traceID.IsEmpty() {
		p.ex = exemplar{traceID: r.traceID, spanID: r.spanID, value: float64(v), ts: r.end}
		p.hasEx = true
	}
}

// observe records v in a histogram series, keeping r's ids as its exemplar.
func (s *state) observe(g *group, m int, l labels, v float64, r *record) {
	mp := g.hists[m]
	if mp == nil {
		mp = map[labels]*histPoint{}
		g.hists[m] = mp
	}
	bounds := contract.Metrics[m].Buckets
	p := mp[l]
	if p == nil {
		p = &histPoint{counts: make([]uint64, len(bounds)+1)}
		mp[l] = p
	}
	i := 0
	for i < len(bounds) && v > bounds[i] {
		i++
	}
	p.counts[i]++
	p.sum += v
	p.count++
	if s.cfg.Exemplars && !r.traceID.IsEmpty() {
		p.ex = exemplar{traceID: r.traceID, spanID: r.spanID, value: v, ts: r.end}
		p.hasEx = true
	}
}
