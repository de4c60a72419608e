package oauthspanmetrics

import (
	"slices"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Counting: this file turns one record into series increments and gauge
// state changes. It reads no pdata beyond the scanned fields.

// sideAllowed applies Config.Sides.
func (s *state) sideAllowed(side string) bool {
	return s.sideAll || slices.Contains(s.sides, side)
}

// count updates the metrics and state for one OAuth record and reports
// whether the record was counted (it is not when its side is filtered out).
func (s *state) count(g *group, r *record, nowN int64) bool {
	f := &r.f
	side := f.sideOf(r.kind)
	if !s.sideAllowed(side) {
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
		if k := f.flowKey(); k != 0 && rawStatus != contract.StatusFailure {
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
		if side == contract.SideServer && f.grant == contract.GrantAuthorizationCode {
			s.serverFlowOutcome(g, r, success)
		}
		if f.pkceReason != "" {
			s.exchangePKCE(g, r)
		}
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

	case contract.OpIntrospect:
		// A known operation that feeds no metric (section 1); a finding
		// on it was counted above.

	default:
		s.overflow["operation"]++
	}
	return true
}

// serverFlowOutcome counts a server's code exchange as its flow's outcome
// (section 1). Its duration is observed only when the exchange joins its
// authorize by the server's flow id (oauth.flow.id): never the exchange's
// own few milliseconds, and never a state join (the exchange carries no
// state).
func (s *state) serverFlowOutcome(g *group, r *record, success bool) {
	f := &r.f
	status := contract.StatusFailure
	if success {
		status = contract.StatusSuccess
	}
	l := labels{s.provider(f.provider), status}
	s.add(g, mFlows, l, 1, r)
	if f.flowID == "" {
		return
	}
	k := f.flowKey()
	if e, found := s.flows.get(k); found {
		if int64(r.end) >= e.val && e.val > 0 {
			s.observe(g, mFlowDur, l, float64(int64(r.end)-e.val)/1e9, r)
		}
		s.flows.remove(k)
	}
}

// exchangePKCE counts oauth.pkce.reason on an exchange as a pkce.validate
// with that reason (section 1).
func (s *state) exchangePKCE(g *group, r *record) {
	reason := r.f.pkceReason
	status := contract.PKCEStatusOf(reason)
	s.add(g, mPKCEValid, labels{status, s.bound(contract.LabelReason, reason, contract.ReasonsByOperation[contract.OpPKCEValidate])}, 1, r)
}

func (s *state) exchange(g *group, r *record, grant string, success bool) {
	grant = s.bound(contract.LabelGrantType, grant, contract.GrantTypes)
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
