package oauthgen

import (
	"encoding/hex"
	"fmt"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// hgrant is what a client holds of one grant: the signatures of its
// current access and refresh tokens (Hydra's tokens are ory_at_<key>.<sig>
// and ory_rt_<key>.<sig>; Hydra's spans carry the signature).
type hgrant struct {
	client, subject string
	at, rt          string
	consent         string // the consent request id the grant's tokens carry
	pkce            bool   // the flow sent a code challenge
}

// uuid returns a deterministic UUID-shaped id (Hydra's client and request
// ids are UUIDs).
func (h *hydraGen) uuid() string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(h.rng.UintN(256))
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// signature returns a fresh raw token signature carrying Marker (43
// base64url characters, as Hydra's HMAC strategy writes them).
func (h *hydraGen) signature(kind string) string {
	h.sigs++
	return Marker + h.src.body(fmt.Sprintf("hydra/%s/%d", kind, h.sigs), 43-len(Marker))
}

// Hydra attack variants, cycled at Config.AttackRate per flow.
const (
	VariantHydraRefreshReuse = "hydra_refresh_reuse"
	VariantHydraCodeReplay   = "hydra_code_replay"
	VariantHydraPKCEMismatch = "hydra_pkce_mismatch"
)

var hydraVariants = []string{VariantHydraRefreshReuse, VariantHydraCodeReplay, VariantHydraPKCEMismatch}

// flow plays one client's traffic: mostly authorization code flows with
// PKCE (the three /oauth2/auth visits, the admin API calls of the login and
// consent app, the exchange, refresh rotations, revocation, introspection),
// then client credentials, dynamic registrations and other requests; an
// attack replaces part of a code flow at AttackRate.
func (h *hydraGen) flow() {
	h.flows++
	x := h.rng.Float64()
	switch {
	case x < 0.03:
		ok := h.rng.IntN(10) != 0
		h.register(h.uuid(), ok)
		h.count(contract.MetricClientRegistrationsTotal, contract.LabelStatus, statusOf(ok))
		return
	case x < 0.15:
		g := &hgrant{client: h.serviceClients[h.rng.IntN(len(h.serviceClients))]}
		bad := h.rng.IntN(30) == 0
		h.clientCredentials(g, bad)
		if bad {
			// the request failed before any lookup: Hydra shows no grant
			h.exchanged(contract.Other, false)
		} else {
			h.exchanged(contract.GrantClientCredentials, true)
		}
		if !bad && h.rng.IntN(5) < 2 {
			h.introspect(g)
		}
		return
	case x < 0.17:
		// the admin API's client list (Hydra's, no OAuth operation)
		h.plain("GET", "/admin/clients", 200, "persistence.sql.GetClients")
		return
	}
	h.codeFlow()
}

// codeFlow plays an authorization code flow, with an attack when one is
// due.
func (h *hydraGen) codeFlow() {
	g := &hgrant{client: h.webClients[h.rng.IntN(len(h.webClients))], subject: fmt.Sprintf("user-%d", h.rng.IntN(5000)), consent: h.uuid()}
	attack := ""
	if h.rng.Float64() < h.cfg.AttackRate {
		attack = hydraVariants[h.attacks%len(hydraVariants)]
		h.attacks++
	}
	if h.rng.IntN(10) < 3 {
		if h.rng.IntN(5) == 0 {
			// The JWKS document is no discovery (resource servers fetch
			// it to verify tokens): no record.
			h.plain("GET", contract.HydraPathJWKS, 200, "persistence.sql.GetKeySet")
		} else {
			h.plain("GET", contract.HydraPathDiscovery, 200, "")
			h.count(contract.MetricDiscoveryAttemptsTotal, contract.LabelMethod, contract.Other, contract.LabelStatus, contract.StatusSuccess)
		}
	}
	if attack == "" && h.rng.IntN(50) == 0 {
		h.authorize(visitNew, "unknown-client", true, false)
		h.flowOutcome(contract.StatusFailure)
		h.count(contract.MetricAuthorizationRequestsTotal, contract.LabelResult, contract.ResultInvalidClient)
		return
	}
	// one flow in five without PKCE (a confidential client that sends no
	// challenge); a PKCE mismatch needs one
	g.pkce = attack == VariantHydraPKCEMismatch || h.rng.IntN(5) != 0
	h.authorize(visitNew, g.client, false, g.pkce)
	h.flowOutcome(contract.StatusInitiated)
	h.count(contract.MetricAuthorizationRequestsTotal, contract.LabelResult, contract.ResultSuccess)
	if attack == "" && h.rng.IntN(20) == 0 {
		return // abandoned at the login page
	}
	h.admin(false, g)
	h.authorize(visitFromLogin, g.client, false, g.pkce)
	h.admin(true, g)
	h.authorize(visitFromConsent, g.client, false, g.pkce)

	if attack == VariantHydraPKCEMismatch {
		// a stolen code redeemed without its verifier
		r := h.exchange(g, exchangePKCEMismatch)
		h.flowOutcome(contract.StatusFailure)
		h.exchanged(contract.GrantAuthorizationCode, false)
		h.count(contract.MetricPKCEValidationsTotal, contract.LabelStatus, contract.StatusFailure, contract.LabelReason, contract.ReasonInvalidHash)
		r.truth.unflagged = append(r.truth.unflagged, AttackTruth{TraceID: hex.EncodeToString(r.trace[:]), Variant: attack})
		return
	}
	h.exchange(g, exchangeOK)
	h.flowOutcome(contract.StatusSuccess)
	h.exchanged(contract.GrantAuthorizationCode, true)
	if g.pkce {
		// the verifier was checked and matched (contract section 1: a
		// pkce.validate carried on the exchange)
		h.count(contract.MetricPKCEValidationsTotal, contract.LabelStatus, contract.StatusSuccess, contract.LabelReason, contract.ReasonValid)
	}
	if attack == VariantHydraCodeReplay {
		r := h.exchange(g, exchangeReplay)
		h.flowOutcome(contract.StatusFailure)
		h.exchanged(contract.GrantAuthorizationCode, false)
		h.attack(r, contract.EventCodeInjection, attack)
		h.count(contract.MetricCodeInjectionAttemptsTotal)
		return
	}
	refreshes := h.rng.IntN(4)
	if attack == VariantHydraRefreshReuse {
		refreshes = max(refreshes, 1)
	}
	var rotated []string
	for range refreshes {
		rotated = append(rotated, g.rt)
		h.refresh(g, g.rt, refreshOK)
		h.exchanged(contract.GrantRefreshToken, true)
		h.count(contract.MetricTokenRefreshTotal, contract.LabelStatus, contract.StatusSuccess, contract.LabelReason, contract.ReasonNormal)
	}
	switch {
	case attack == VariantHydraRefreshReuse:
		// a rotated-away refresh token presented again
		r := h.refresh(g, rotated[h.rng.IntN(len(rotated))], refreshReuse)
		h.count(contract.MetricTokenRefreshTotal, contract.LabelStatus, contract.StatusReuseDetected, contract.LabelReason, contract.ReasonReuseDetected)
		h.exchanged(contract.GrantRefreshToken, false)
		h.attack(r, contract.EventTokenReuse, attack)
		return
	case h.rng.IntN(100) == 0:
		h.refresh(g, h.signature("rt-unknown"), refreshUnknown)
		h.count(contract.MetricTokenRefreshTotal, contract.LabelStatus, contract.StatusFailure, contract.LabelReason, contract.ReasonNoRecord)
		h.exchanged(contract.GrantRefreshToken, false)
	}
	if h.rng.IntN(4) == 0 {
		h.introspect(g)
	}
	if h.rng.IntN(5) == 0 {
		h.revoke(g)
		h.count(contract.MetricTokenRevocationsTotal, contract.LabelReason, contract.ReasonManual)
	}
}

func statusOf(ok bool) string {
	if ok {
		return contract.StatusSuccess
	}
	return contract.StatusFailure
}

// count adds one to an expected counter, on the request queued last.
func (h *hydraGen) count(name string, kv ...string) {
	h.last.truth.counts = append(h.last.truth.counts, MetricKey(name, kv...))
}

// exchanged counts a token endpoint request (extended metrics, on by
// default in oauth_span_metrics).
func (h *hydraGen) exchanged(grant string, ok bool) {
	result := contract.ResultFailure
	if ok {
		result = contract.ResultSuccess
	}
	h.count(contract.MetricTokenExchangesTotal, contract.LabelGrantType, grant, contract.LabelResult, result)
}

// flowOutcome counts a Hydra flow: its one initiated, its outcome (the
// code exchange) or its refused authorization (contract section 1).
func (h *hydraGen) flowOutcome(status string) {
	h.count(contract.MetricFlowsTotal, contract.LabelProvider, contract.ProviderHydra, contract.LabelStatus, status)
}

// attack records an attack with the finding Hydra's verdict must raise on
// the request's trace, and its security event.
func (h *hydraGen) attack(r *hreq, eventType, variant string) {
	f, _ := contract.LookupFinding(eventType)
	r.truth.attacks = append(r.truth.attacks, AttackTruth{TraceID: hex.EncodeToString(r.trace[:]), EventType: eventType,
		Severity: f.Severity, Variant: variant})
	h.count(contract.MetricSecurityEventsTotal, contract.LabelEventType, eventType, contract.LabelSeverity, f.Severity)
}
