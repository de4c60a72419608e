package oauthspanmetrics

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

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

// Label enums that internal/contract leaves open or does not list.
var (
	eventTypes = func() []string {
		out := make([]string, 0, len(contract.Findings))
		for _, f := range contract.Findings {
			out = append(out, f.EventType)
		}
		return out
	}()
	// grantTypes are the registered OAuth grant types; anything else is other.
	grantTypes = []string{
		"authorization_code", "refresh_token", "client_credentials", "password", "implicit",
		"urn:ietf:params:oauth:grant-type:device_code",
		"urn:ietf:params:oauth:grant-type:token-exchange",
		"urn:ietf:params:oauth:grant-type:jwt-bearer",
		"urn:ietf:params:oauth:grant-type:saml2-bearer",
		"urn:openid:params:grant-type:ciba",
	}
)

// Bounds on in-memory state. Variables so tests can make them small.
var (
	defaultMaxGroups = 1000
	defaultMaxFlows  = 100_000
	defaultMaxTokens = 1_000_000
	defaultMaxPKCE   = 100_000
	defaultMaxDedup  = 100_000
)

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

// group is one set of kept resource attributes: the series and gauge state of
// one service.
type group struct {
	key   string
	attrs []string // aligned with Config.ResourceAttributes
	has   []bool
	sums  []map[labels]*sumPoint  // by metric index
	hists []map[labels]*histPoint // by metric index
	// tokens are the expiry times of the active tokens.
	tokens expiryHeap
	// pkce are the active PKCE states (keyed by oauth.state when present).
	pkce *fifo
}

// record is one OAuth span or log record, after attribute scanning.
type record struct {
	f        fields
	kind     ptrace.SpanKind
	code     ptrace.StatusCode
	start    pcommon.Timestamp
	end      pcommon.Timestamp
	isSpan   bool
	traceID  pcommon.TraceID
	spanID   pcommon.SpanID
	duration float64
	hasDur   bool
}

// state is everything an aggregator counts and tracks. It is guarded by
// aggregator.mu.
type state struct {
	cfg *Config
	now func() time.Time

	groups    map[string]*group
	providers map[string]string // canonical copies, at most MaxProviders

	flows *fifo // oauth.state fingerprint -> authorize time
	// dedup remembers counted OAuth spans so their log records are not
	// counted again.
	dedup  *dedupSet
	tokens int // total across groups
	pkce   int // total across groups
	// dirty is set when the gauges' state changed since it was last saved.
	dirty bool

	maxGroups, maxFlows, maxTokens, maxPKCE int

	overflow  map[string]int64 // label -> values replaced by other
	evictions map[string]int64 // state -> entries dropped

	sides   []string
	sideAll bool
}

func newState(cfg *Config, now func() time.Time) *state {
	s := &state{
		cfg:       cfg,
		now:       now,
		groups:    map[string]*group{},
		providers: map[string]string{},
		flows:     newFIFO(),
		maxGroups: defaultMaxGroups,
		maxFlows:  defaultMaxFlows,
		maxTokens: defaultMaxTokens,
		maxPKCE:   defaultMaxPKCE,
		dedup:     newDedupSet(defaultMaxDedup, cfg.FlowTTL),
		overflow:  map[string]int64{},
		evictions: map[string]int64{},
		sides:     cfg.Sides,
		sideAll:   len(cfg.Sides) == 0,
	}
	// The group without any kept resource attribute always exists, so the
	// label-less counters and the gauges are exported from the start.
	s.groupFor(make([]string, len(cfg.ResourceAttributes)), make([]bool, len(cfg.ResourceAttributes)))
	return s
}

func groupKey(vals []string, has []bool) string {
	var b strings.Builder
	for i, v := range vals {
		if !has[i] {
			b.WriteString("-|")
			continue
		}
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
		b.WriteByte('|')
	}
	return b.String()
}

// groupFor returns the group of the given resource attribute values, creating
// it while fewer than maxGroups exist; beyond that the values become other.
func (s *state) groupFor(vals []string, has []bool) *group {
	key := groupKey(vals, has)
	if g, ok := s.groups[key]; ok {
		return g
	}
	if len(s.groups) >= s.maxGroups {
		s.overflow["resource"]++
		for i := range vals {
			vals[i], has[i] = contract.Other, true
		}
		key = groupKey(vals, has)
		if g, ok := s.groups[key]; ok {
			return g
		}
	}
	n := len(contract.Metrics)
	g := &group{
		key:   key,
		attrs: slices.Clone(vals),
		has:   slices.Clone(has),
		sums:  make([]map[labels]*sumPoint, n),
		hists: make([]map[labels]*histPoint, n),
		pkce:  newFIFO(),
	}
	for i := range g.attrs {
		g.attrs[i] = strings.Clone(g.attrs[i])
	}
	s.groups[key] = g
	return g
}

// resourceGroup returns the group of a resource.
func (s *state) resourceGroup(res pcommon.Map) *group {
	n := len(s.cfg.ResourceAttributes)
	vals, has := make([]string, n), make([]bool, n)
	for i, k := range s.cfg.ResourceAttributes {
		if v, ok := res.Get(k); ok {
			vals[i], has[i] = str(v), true
		}
	}
	return s.groupFor(vals, has)
}

func (s *state) bound(label, v string, allowed []string) string {
	if slices.Contains(allowed, v) {
		return v
	}
	if v != "" {
		s.overflow[label]++
	}
	return contract.Other
}

func (s *state) provider(p string) string {
	if p == "" {
		return contract.Other
	}
	if c, ok := s.providers[p]; ok {
		return c
	}
	if len(s.providers) >= s.cfg.MaxProviders {
		s.overflow[contract.LabelProvider]++
		return contract.Other
	}
	c := strings.Clone(p)
	s.providers[c] = c
	return c
}

func (s *state) sideAllowed(side string) bool {
	return s.sideAll || slices.Contains(s.sides, side)
}

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

// consumeTraces counts every OAuth span of td.
func (s *state) consumeTraces(td ptrace.Traces) {
	nowN := s.now().UnixNano()
	var res fields
	var r record
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		resAttrs := rs.Resource().Attributes()
		res = fields{}
		res.scan(resAttrs, false)
		var g *group
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				sp := spans.At(k)
				r.f = res
				r.f.scan(sp.Attributes(), true)
				if r.f.findingRecord || (r.f.op == "" && !r.f.hasFindings) {
					continue
				}
				if g == nil {
					g = s.resourceGroup(resAttrs)
				}
				r.kind = sp.Kind()
				r.code = sp.Status().Code()
				r.start, r.end = sp.StartTimestamp(), sp.EndTimestamp()
				r.isSpan = true
				r.traceID, r.spanID = sp.TraceID(), sp.SpanID()
				r.hasDur = r.end >= r.start && r.start != 0
				r.duration = 0
				if r.hasDur {
					r.duration = float64(r.end-r.start) / 1e9
				}
				if s.count(g, &r, nowN) && r.f.op != "" && !r.traceID.IsEmpty() && !r.spanID.IsEmpty() {
					s.dedup.queue(dedupKey{r.traceID, r.spanID, opIndex(r.f.op)})
				}
			}
		}
	}
	if n := s.dedup.flush(nowN); n > 0 {
		s.evictions["dedup"] += int64(n)
	}
}

// consumeLogs counts every OAuth log record of ld not already counted as a span.
func (s *state) consumeLogs(ld plog.Logs) {
	nowN := s.now().UnixNano()
	var res fields
	var r record
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		resAttrs := rl.Resource().Attributes()
		res = fields{}
		res.scan(resAttrs, false)
		var g *group
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				r.f = res
				r.f.scan(lr.Attributes(), true)
				if r.f.findingRecord || (r.f.op == "" && !r.f.hasFindings) {
					continue
				}
				r.traceID, r.spanID = lr.TraceID(), lr.SpanID()
				if !r.traceID.IsEmpty() && !r.spanID.IsEmpty() && s.dedup.has(dedupKey{r.traceID, r.spanID, opIndex(r.f.op)}) {
					continue
				}
				if g == nil {
					g = s.resourceGroup(resAttrs)
				}
				ts := lr.Timestamp()
				if ts == 0 {
					ts = lr.ObservedTimestamp()
				}
				r.kind = ptrace.SpanKindUnspecified
				r.code = ptrace.StatusCodeUnset
				r.start, r.end = ts, ts
				r.isSpan = false
				r.hasDur = r.f.hasDuration
				r.duration = r.f.duration
				s.count(g, &r, nowN)
			}
		}
	}
}

// opIndex is the dedup key's operation: index+1 in contract.Operations, 0
// for an operation outside the contract.
func opIndex(op string) uint8 {
	return uint8(slices.Index(contract.Operations, op) + 1)
}

// count updates the metrics and state for one OAuth record and reports
// whether the record was counted (it is not when its side is filtered out).
func (s *state) count(g *group, r *record, nowN int64) bool {
	f := &r.f
	if !s.sideAllowed(f.sideOf(r.kind)) {
		return false
	}
	if f.hasFindings {
		s.countFindings(g, r)
	}
	if f.op == "" {
		return true
	}
	rawStatus := f.statusOf(r.code)
	status := s.bound(contract.LabelStatus, rawStatus, contract.Statuses)
	success := rawStatus == contract.StatusSuccess
	ext := s.cfg.ExtendedMetrics

	switch f.op {
	case contract.OpAuthorize:
		s.add(g, mFlows, labels{s.provider(f.provider), status}, 1, r)
		if ext {
			result := contract.ResultError
			switch {
			case f.reason == contract.ReasonInvalidClient:
				result = contract.ResultInvalidClient
			case rawStatus == contract.StatusInitiated || success:
				result = contract.ResultSuccess
			}
			s.add(g, mAuthRequests, labels{a: result}, 1, r)
		}
		if k := keyOf(f.state); k != 0 && rawStatus != contract.StatusFailure {
			if e, ok := s.flows.get(k); ok && e.val <= int64(r.start) {
				break // both sides reported the authorize: keep the earlier start
			}
			if s.flows.live >= s.maxFlows && s.flows.removeOldest(1) == 1 {
				s.evictions["flows"]++
			}
			s.flows.add(k, nowN+int64(s.cfg.FlowTTL), int64(r.start))
		}

	case contract.OpCallback:
		prov := s.provider(f.provider)
		s.add(g, mFlows, labels{prov, status}, 1, r)
		dur, ok := f.duration, f.hasDuration
		if k := keyOf(f.state); k != 0 {
			if e, found := s.flows.get(k); found {
				if !ok && int64(r.end) >= e.val && e.val > 0 {
					dur, ok = float64(int64(r.end)-e.val)/1e9, true
				}
				s.flows.remove(k)
			}
		}
		if !ok && r.isSpan && r.hasDur {
			dur, ok = r.duration, true
		}
		if ok {
			s.observe(g, mFlowDur, labels{prov, status}, dur, r)
		}
		if success {
			s.issueToken(g, f, nowN)
		}

	case contract.OpToken:
		if ext {
			s.exchange(g, r, f.grant, success)
		}
		if success {
			s.issueToken(g, f, nowN)
		}

	case contract.OpRefresh:
		reason := s.bound(contract.LabelReason, f.reasonOf(rawStatus), contract.ReasonsByOperation[contract.OpRefresh])
		s.add(g, mRefresh, labels{status, reason}, 1, r)
		if r.hasDur {
			s.observe(g, mRefreshDur, labels{a: status}, r.duration, r)
		}
		if ext {
			grant := f.grant
			if grant == "" {
				grant = "refresh_token"
			}
			s.exchange(g, r, grant, success)
		}
		if success {
			// The presented token is rotated away, a new one is issued.
			if g.tokens.popSoonest() {
				s.tokens--
			}
			s.issueToken(g, f, nowN)
		}

	case contract.OpRevoke:
		reason := s.bound(contract.LabelReason, f.reasonOf(rawStatus), contract.ReasonsByOperation[contract.OpRevoke])
		s.add(g, mRevocations, labels{a: reason}, 1, r)
		if rawStatus != contract.StatusFailure && g.tokens.popSoonest() {
			s.tokens--
			s.dirty = true
		}

	case contract.OpPKCECreate:
		if rawStatus == contract.StatusFailure {
			break
		}
		s.add(g, mPKCECreated, labels{}, 1, r)
		if s.pkce >= s.maxPKCE {
			s.evictions["pkce_states"]++
			if g.pkce.removeOldest(1) == 0 {
				break // full with other services' states: this one is not tracked
			}
			s.pkce--
		}
		s.pkce++
		g.pkce.add(keyOf(f.state), nowN+int64(s.cfg.PKCEStateTTL), 0)
		s.dirty = true

	case contract.OpPKCEValidate:
		rawReason := f.reasonOf(rawStatus)
		reason := s.bound(contract.LabelReason, rawReason, contract.ReasonsByOperation[contract.OpPKCEValidate])
		s.add(g, mPKCEValid, labels{status, reason}, 1, r)
		if rawReason != contract.ReasonNotFound {
			s.removePKCE(g, f.state, 1)
		}

	case contract.OpPKCECleanup:
		if rawStatus == contract.StatusFailure {
			break
		}
		n := int64(1)
		if f.hasCleaned {
			n = f.cleaned
		}
		reason := s.bound(contract.LabelReason, f.reasonOf(rawStatus), contract.ReasonsByOperation[contract.OpPKCECleanup])
		s.add(g, mPKCECleaned, labels{a: reason}, n, r)
		s.removePKCE(g, f.state, n)

	case contract.OpDiscovery:
		l := labels{s.bound(contract.LabelMethod, f.method, contract.DiscoveryMethods), status}
		s.add(g, mDiscovery, l, 1, r)
		if r.hasDur {
			s.observe(g, mDiscoveryDur, l, r.duration, r)
		}

	case contract.OpRegister:
		s.add(g, mRegistrations, labels{a: status}, 1, r)
		if r.hasDur {
			s.observe(g, mRegistration, labels{a: status}, r.duration, r)
		}

	default:
		s.overflow["operation"]++
	}
	return true
}

func (s *state) exchange(g *group, r *record, grant string, success bool) {
	grant = s.bound(contract.LabelGrantType, grant, grantTypes)
	result := contract.ResultFailure
	if success {
		result = contract.ResultSuccess
	}
	s.add(g, mExchanges, labels{grant, result}, 1, r)
	if r.hasDur {
		s.observe(g, mExchangeDur, labels{a: grant}, r.duration, r)
	}
}

// issueToken adds one active token, expiring after oauth.token.expires_in.
func (s *state) issueToken(g *group, f *fields, nowN int64) {
	exp := int64(noExpiry)
	if f.hasExpires {
		if f.expiresIn <= 0 {
			return // already expired
		}
		if f.expiresIn < float64(noExpiry-nowN)/1e9 {
			exp = nowN + int64(f.expiresIn*1e9)
		}
	}
	if s.tokens >= s.maxTokens {
		s.evictions["tokens"]++
		if !g.tokens.popSoonest() {
			return // full with other services' tokens: this one is not tracked
		}
		s.tokens--
	}
	g.tokens.push(exp)
	s.tokens++
	s.dirty = true
}

// removePKCE removes the state with fingerprint key, else the n oldest.
func (s *state) removePKCE(g *group, fp string, n int64) {
	if key := keyOf(fp); key != 0 && n == 1 && g.pkce.remove(key) {
		s.pkce--
		s.dirty = true
		return
	}
	if done := g.pkce.removeOldest(n); done > 0 {
		s.pkce -= int(done)
		s.dirty = true
	}
}

func (s *state) countFindings(g *group, r *record) {
	v := r.f.findings
	switch v.Type() {
	case pcommon.ValueTypeSlice:
		sl := v.Slice()
		for i := 0; i < sl.Len(); i++ {
			s.finding(g, r, str(sl.At(i)))
		}
	case pcommon.ValueTypeStr:
		if v.Str() != "" {
			s.finding(g, r, v.Str())
		}
	}
}

func (s *state) finding(g *group, r *record, et string) {
	sev := contract.Other
	if f, ok := contract.LookupFinding(et); ok {
		sev = f.Severity
	}
	et = s.bound(contract.LabelEventType, et, eventTypes)
	s.add(g, mSecurity, labels{et, sev}, 1, r)
	switch et {
	case contract.EventIntegrityViolation:
		vt := r.f.violation
		switch {
		case vt == contract.ReasonInvalidHash:
			vt = contract.ViolationHashMismatch
		case vt == "" && r.f.op == contract.OpCallback:
			// Detected on a callback: a state came back after a successful callback.
			vt = contract.ViolationStateReuse
		}
		s.add(g, mIntegrity, labels{a: s.bound(contract.LabelViolationType, vt, contract.IntegrityViolations)}, 1, r)
	case contract.EventCodeInjection:
		s.add(g, mCodeInjection, labels{}, 1, r)
	}
}

// expire drops flows, tokens, PKCE states and dedup entries past their time.
func (s *state) expire(nowN int64) {
	s.flows.expire(nowN)
	for _, g := range s.groups {
		t, p := g.tokens.expire(nowN), g.pkce.expire(nowN)
		s.tokens -= int(t)
		s.pkce -= int(p)
		if t+p > 0 {
			s.dirty = true
		}
	}
	s.dedup.expire(nowN)
}
