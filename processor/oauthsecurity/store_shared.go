package oauthsecurity

import (
	"context"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity/internal/redisstate"
)

// The shared state: every first use of a secret (refresh token, code,
// code_verifier, state) that a batch decides on the gateway's local store is
// also registered in the shared backend, in one round trip per batch, after
// the walk and before the findings are resolved. When another gateway holds
// an earlier use of the same secret by another request, the rule is applied
// again against that use (the same rule: tag, grace, untraced same-use
// window, TTL) and a reuse it shows becomes a finding on the record. The
// local store stays the cache and the fallback: a reuse seen locally stands
// whatever the backend says (a restarted Redis may have forgotten it), and
// the local first use is what is published, so it survives there too.
// Trace correlations (PKCE failure ↔ redemption) and incidents stay local:
// with trace-id routing a trace's records meet at one gateway.

// sharedUse is one first use noted in the batch, with what the local store
// decided and the record to annotate if the shared state decides otherwise.
type sharedUse struct {
	k             kind
	tag           uint32
	untraced      bool
	atMs, graceMs int64
	reused        bool // the local decision
	rec           pending
}

type sharedState struct {
	be         sharedBackend
	retry      time.Duration
	maxBacklog int

	ops     []redisstate.Op // this batch's, then up to maxFlush of the backlog
	uses    []sharedUse     // one per op of this batch
	bound   int             // uses already bound to their record
	prev    []uint64
	backlog []redisstate.Op
	// downUntil: after a failure, batches use local state only until then
	// (wall clock: the detector's clock is the records' processing time).
	downUntil time.Time
	clock     func() time.Time

	up, backlogLen atomic.Int64
}

// maxFlush bounds the backlog entries published with one batch, so that a
// long outage's backlog does not make one round trip exceed the timeout.
const maxFlush = 4096

func newSharedState(be sharedBackend, cfg *redisstate.Config) *sharedState {
	s := &sharedState{be: be, retry: cfg.RetryInterval, maxBacklog: cfg.MaxBacklog, clock: time.Now}
	s.up.Store(1)
	return s
}

// noteUse records a use the local store decided; v is the value the local
// store holds for key (the earliest use this gateway knows).
func (d *detector) noteUse(key, v uint64, k kind, tag uint32, untraced bool, atMs, nowMs, graceMs int64, reused bool) {
	s := d.shared
	ttl := time.Duration(d.st.ttl[k]-(nowMs-valTime(v))) * time.Millisecond
	s.ops = append(s.ops, redisstate.Op{Key: key, Val: v, TTL: ttl})
	s.uses = append(s.uses, sharedUse{k: k, tag: tag, untraced: untraced, atMs: atMs, graceMs: graceMs, reused: reused})
}

// bindUses attaches the uses noted since the last call to the record that
// made them.
func (d *detector) bindUses(r *record, sp ptrace.Span, isSpan bool, ts pcommon.Timestamp) {
	s := d.shared
	for i := s.bound; i < len(s.uses); i++ {
		s.uses[i].rec = pending{attrs: r.attrs, span: sp, isSpan: isSpan, traceID: r.traceID, ts: ts}
	}
	s.bound = len(s.uses)
}

// settleShared registers the batch's first uses in the shared backend and
// adds the findings it reveals. On failure the batch keeps its local
// decisions, the uses wait in the backlog and the backend is left alone for
// retry_interval. Called with d.mu held.
func (d *detector) settleShared(ctx context.Context, nowMs int64) {
	s := d.shared
	n := len(s.ops)
	defer func() {
		clear(s.uses) // do not keep the batch reachable
		s.ops, s.uses, s.bound = s.ops[:0], s.uses[:0], 0
	}()
	if n == 0 && len(s.backlog) == 0 {
		return
	}
	if s.clock().Before(s.downUntil) {
		s.keep(d, ctx, s.ops[:n])
		return
	}
	flush := min(len(s.backlog), maxFlush)
	s.ops = append(s.ops, s.backlog[len(s.backlog)-flush:]...)
	if cap(s.prev) < len(s.ops) {
		s.prev = make([]uint64, len(s.ops))
	}
	prev := s.prev[:len(s.ops)]
	d.tb.ProcessorOauthSecuritySharedStateRoundTrips.Add(ctx, 1)
	if err := s.be.FirstUse(ctx, s.ops, prev); err != nil {
		d.tb.ProcessorOauthSecuritySharedStateErrors.Add(ctx, 1)
		s.downUntil = s.clock().Add(s.retry)
		if s.up.Swap(0) == 1 {
			d.logger.Warn("oauth_security: shared state unreachable, detecting on local state", zap.Error(err))
		}
		s.keep(d, ctx, s.ops[:n])
		return
	}
	if s.up.Swap(1) == 0 {
		d.logger.Info("oauth_security: shared state reachable again")
	}
	s.backlog = s.backlog[:len(s.backlog)-flush]
	s.backlogLen.Store(int64(len(s.backlog)))
	for i := 0; i < n; i++ {
		d.settleUse(&s.uses[i], s.ops[i].Key, prev[i], nowMs)
	}
}

// settleUse applies a use's rule again against the shared state's earlier
// use p and adds the finding when only the shared state shows the reuse.
func (d *detector) settleUse(u *sharedUse, key, p uint64, nowMs int64) {
	if p == 0 || u.reused || valKind(p) != u.k || d.st.expired(p, nowMs) {
		return
	}
	if !isReuse(p, u.tag, u.untraced, u.atMs, u.graceMs) {
		return
	}
	// The earlier use is the one to compare later uses with, here too.
	d.st.put(key, p)
	from := len(d.findBuf)
	d.findBuf = append(d.findBuf, reuseFinding(u.k))
	u.rec.from, u.rec.mid, u.rec.to = from, from+1, from+1
	d.pending = append(d.pending, u.rec)
	if u.k == kindRefresh {
		markReuseDetected(u.rec.attrs)
	}
}

// keep puts a batch's uses in the backlog, to be published once the backend
// answers again; past max_backlog they stay local only.
func (s *sharedState) keep(d *detector, ctx context.Context, ops []redisstate.Op) {
	room := max(s.maxBacklog-len(s.backlog), 0)
	if dropped := len(ops) - room; dropped > 0 {
		d.tb.ProcessorOauthSecuritySharedStateBacklogDropped.Add(ctx, int64(dropped))
		ops = ops[:room]
	}
	s.backlog = append(s.backlog, ops...)
	s.backlogLen.Store(int64(len(s.backlog)))
}

// reuseFinding is the finding each kind's reuse raises (as in the rules).
func reuseFinding(k kind) finding {
	switch k {
	case kindCode:
		return detectedBy(contract.EventCodeInjection, ruleCodeReuse)
	case kindVerifier:
		return detectedBy(contract.EventPKCEReplay, ruleVerifierReuse)
	case kindState:
		f := detectedBy(contract.EventIntegrityViolation, ruleStateReuse)
		f.Violation = contract.ViolationType("", contract.OpCallback)
		return f
	}
	return detectedBy(contract.EventTokenReuse, ruleRefreshReuse)
}

// markReuseDetected rewrites a reused refresh's status (contract section 5).
func markReuseDetected(attrs pcommon.Map) {
	attrs.PutStr(contract.AttrStatus, contract.StatusReuseDetected)
	attrs.PutStr(contract.AttrReason, contract.ReasonReuseDetected)
}
