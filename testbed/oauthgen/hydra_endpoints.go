package oauthgen

import (
	"fmt"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// The requests of Hydra's endpoints, span by span (see hydra_layout.go for
// the sources). Each builder queues its request; the caller accounts it.

// authVisit is one of the three visits of a flow to /oauth2/auth:
// fosite parses the request on every visit, then the consent strategy
// redirects to login (visit 1) or consent (visit 2) by ending its span with
// consent.ErrAbortOAuth2Request, or lets fosite write the code (visit 3).
type authVisit int

const (
	visitNew authVisit = iota
	visitFromLogin
	visitFromConsent
)

// authorize queues one /oauth2/auth request; refused ends it with fosite's
// invalid_client (an unknown client), Hydra redirecting to its error page.
func (h *hydraGen) authorize(v authVisit, client string, refused bool) *hreq {
	status := 302
	if v == visitFromConsent {
		status = 303
	}
	r := h.request("GET", contract.HydraPathAuth, status)
	ar := r.fosite(r.root, contract.HydraSpanNewAuthorizeRequest)
	gc := r.persist(ar, contract.HydraSpanGetConcreteClient)
	gc.Attributes().PutStr(contract.HydraAttrClientID, client)
	r.sql(gc, false, qClient)
	if refused {
		fail(gc, contract.HydraErrNotFound, "Could not find the requested resource(s).", "sql: no rows in result set")
		fail(ar, contract.HydraErrInvalidClient, "The requested OAuth 2.0 Client does not exist.", "")
		r.end()
		h.finish(r)
		return r
	}
	hs := r.child(r.root, scopeHydra, contract.HydraSpanHandleAuthorization)
	switch v {
	case visitNew:
		ra := r.child(hs, scopeHydra, contract.HydraSpanRequestAuthentication)
		r.persist(ra, "persistence.sql.GetRememberedLoginSession")
		cl := r.persist(ra, "persistence.sql.CreateLoginRequest")
		r.sql(cl, true, qInsert)
		failPlain(ra, contract.HydraErrAbort)
		failPlain(hs, contract.HydraErrAbort)
	case visitFromLogin:
		va := r.child(hs, scopeHydra, contract.HydraSpanVerifyAuthentication)
		r.sql(r.persist(va, "persistence.sql.VerifyAndInvalidateLoginRequest"), false, qFlow)
		r.persist(va, "persistence.sql.ConfirmLoginSession")
		rc := r.child(hs, scopeHydra, "DefaultStrategy.requestConsent")
		r.persist(rc, "persistence.sql.CreateConsentRequest")
		failPlain(rc, contract.HydraErrAbort)
		failPlain(hs, contract.HydraErrAbort)
	case visitFromConsent:
		vc := r.child(hs, scopeHydra, contract.HydraSpanVerifyConsent)
		r.sql(r.persist(vc, "persistence.sql.VerifyAndInvalidateConsentRequest"), false, qFlow)
		resp := r.fosite(r.root, contract.HydraSpanNewAuthorizeResponse)
		r.sql(r.persist(resp, "persistence.sql.CreateAuthorizeCodeSession"), true, fmt.Sprintf(qCreate, "code"))
		r.sql(r.persist(resp, "persistence.sql.CreatePKCERequestSession"), true, fmt.Sprintf(qCreate, "pkce"))
		r.persist(resp, "persistence.sql.CreateOpenIDConnectSession")
	}
	r.end()
	h.finish(r)
	return r
}

// admin queues the login or consent app's call to Hydra's admin API that
// accepts a challenge (no OAuth record: claimed, left alone).
func (h *hydraGen) admin(consent bool, client string) {
	path, get, handle, ev := "/admin/oauth2/auth/requests/login/accept", "persistence.sql.GetLoginRequest",
		"persistence.sql.HandleLoginRequest", contract.HydraEventLoginAccepted
	if consent {
		path, get, handle, ev = "/admin/oauth2/auth/requests/consent/accept", "persistence.sql.GetConsentRequest",
			"persistence.sql.HandleConsentRequest", contract.HydraEventConsentAccepted
	}
	r := h.request("PUT", path, 200)
	r.sql(r.persist(r.root, get), false, qFlow)
	r.persist(r.root, handle)
	r.end()
	event(r.root, r.root.EndTimestamp(), ev, contract.HydraAttrClientID, client)
	h.finish(r)
}

// exchange outcomes at the token endpoint for the code grant.
type exchangeOutcome int

const (
	exchangeOK exchangeOutcome = iota
	exchangeReplay
	exchangePKCEMismatch
)

// exchange queues a code exchange; on success it issues an access and a
// refresh token with the given signatures.
func (h *hydraGen) exchange(g *hgrant, out exchangeOutcome) *hreq {
	status := 200
	if out != exchangeOK {
		status = 400
	}
	r := h.request("POST", contract.HydraPathToken, status)
	ar := r.fosite(r.root, contract.HydraSpanNewAccessRequest)
	gc := r.persist(ar, contract.HydraSpanGetConcreteClient)
	gc.Attributes().PutStr(contract.HydraAttrClientID, g.client)
	r.sql(gc, false, qClient)
	code := r.persist(ar, contract.HydraSpanGetAuthorizeCodeSession)
	r.sql(code, false, fmt.Sprintf(qSession, "code"))
	switch out {
	case exchangeReplay:
		// fosite's authorize code handler: the code was invalidated, the
		// tokens issued from it are revoked, the request fails.
		failPlain(code, contract.HydraErrCodeInvalidated)
		r.sql(r.persist(ar, "persistence.sql.RevokeAccessToken"), true, fmt.Sprintf(qRevoke, "access"))
		r.sql(r.persist(ar, "persistence.sql.RevokeRefreshToken"), true, fmt.Sprintf(qRevoke, "refresh"))
		fail(ar, contract.HydraErrInvalidGrant, contract.HydraHintCodeReuse+" The authorization code has been invalidated.",
			contract.HydraErrCodeInvalidated)
	case exchangePKCEMismatch:
		r.sql(r.persist(ar, "persistence.sql.GetPKCERequestSession"), false, fmt.Sprintf(qSession, "pkce"))
		fail(ar, contract.HydraErrInvalidGrant, contract.HydraHintPKCEMismatch, "")
	default:
		r.sql(r.persist(ar, "persistence.sql.GetPKCERequestSession"), false, fmt.Sprintf(qSession, "pkce"))
		r.persist(ar, "persistence.sql.DeletePKCERequestSession")
		resp := r.fosite(r.root, contract.HydraSpanNewAccessResponse)
		r.sql(r.persist(resp, "persistence.sql.InvalidateAuthorizeCodeSession"), true, "UPDATE hydra_oauth2_code SET active = false WHERE signature = ? AND nid = ?")
		h.issueTokens(r, resp, g, contract.GrantAuthorizationCode)
	}
	if out != exchangeOK {
		event(r.root, r.root.StartTimestamp(), contract.HydraEventTokenExchangeError, contract.HydraAttrClientID, g.client)
	}
	r.end()
	h.finish(r)
	return r
}

// issueTokens creates the access and refresh token sessions of a grant
// (new signatures, each with its issue event) under resp.
func (h *hydraGen) issueTokens(r *hreq, resp ptrace.Span, g *hgrant, grant string) {
	g.at = h.signature("at")
	at := r.persist(resp, "persistence.sql.CreateAccessTokenSession")
	at.Attributes().PutStr(contract.AttrHydraAccessTokenSignature, g.at)
	r.position("attribute:" + contract.AttrHydraAccessTokenSignature)
	r.issued(at, contract.HydraEventAccessTokenIssued, grant, g.client, g.subject)
	r.sql(at, true, fmt.Sprintf(qCreate, "access"))
	if grant == contract.GrantClientCredentials {
		g.rt = ""
		return
	}
	g.rt = h.signature("rt")
	rt := r.persist(resp, "persistence.sql.CreateRefreshTokenSession")
	rt.Attributes().PutStr(contract.AttrHydraRefreshTokenSignature, g.rt)
	r.position("attribute:" + contract.AttrHydraRefreshTokenSignature)
	r.issued(rt, contract.HydraEventRefreshTokenIssued, grant, g.client, g.subject)
	r.sql(rt, true, fmt.Sprintf(qCreate, "refresh"))
}

// refresh outcomes.
type refreshOutcome int

const (
	refreshOK refreshOutcome = iota
	refreshReuse
	refreshUnknown
)

// refresh queues a refresh_token grant presenting the signature presented.
func (h *hydraGen) refresh(g *hgrant, presented string, out refreshOutcome) *hreq {
	status := 200
	if out != refreshOK {
		status = 400
	}
	r := h.request("POST", contract.HydraPathToken, status)
	ar := r.fosite(r.root, contract.HydraSpanNewAccessRequest)
	gc := r.persist(ar, contract.HydraSpanGetConcreteClient)
	gc.Attributes().PutStr(contract.HydraAttrClientID, g.client)
	r.sql(gc, false, qClient)
	get := r.persist(ar, contract.HydraSpanGetRefreshTokenSession)
	get.Attributes().PutStr(contract.AttrHydraRefreshTokenSignature, presented)
	r.position("attribute:" + contract.AttrHydraRefreshTokenSignature)
	r.sql(get, false, fmt.Sprintf(qSession, "refresh"))
	switch out {
	case refreshReuse:
		// The persister finds the token inactive; fosite's refresh handler
		// takes that as reuse, revokes the family and refuses.
		fail(get, contract.HydraErrTokenInactive, "Token is inactive because it is malformed, expired or otherwise invalid. Token validation failed.", "")
		r.sql(r.persist(ar, "persistence.sql.RevokeRefreshToken"), true, fmt.Sprintf(qRevoke, "refresh"))
		r.sql(r.persist(ar, "persistence.sql.RevokeAccessToken"), true, fmt.Sprintf(qRevoke, "access"))
		fail(ar, contract.HydraErrInvalidGrant, contract.HydraHintRefreshReuse, "")
	case refreshUnknown:
		fail(get, contract.HydraErrNotFound, "Could not find the requested resource(s).", "sql: no rows in result set")
		fail(ar, contract.HydraErrInvalidGrant, "The refresh token is malformed or not valid.", "")
	default:
		resp := r.fosite(r.root, contract.HydraSpanNewAccessResponse)
		rot := r.persist(resp, contract.HydraSpanRotateRefreshToken)
		r.persist(rot, "persistence.sql.strictRefreshRotation")
		r.sql(rot, true, fmt.Sprintf(qRevoke, "refresh"))
		h.issueTokens(r, resp, g, contract.GrantRefreshToken)
	}
	if out != refreshOK {
		event(r.root, r.root.StartTimestamp(), contract.HydraEventTokenExchangeError, contract.HydraAttrClientID, g.client)
	}
	r.end()
	h.finish(r)
	return r
}

// clientCredentials queues a client_credentials grant; badSecret fails
// the client's authentication (fosite's invalid_client, HTTP 401).
func (h *hydraGen) clientCredentials(g *hgrant, badSecret bool) {
	status := 200
	if badSecret {
		status = 401
	}
	r := h.request("POST", contract.HydraPathToken, status)
	ar := r.fosite(r.root, contract.HydraSpanNewAccessRequest)
	ac := r.persist(ar, contract.HydraSpanAuthenticateClient)
	ac.Attributes().PutStr(contract.HydraAttrClientID, g.client)
	r.sql(ac, false, qClient)
	if badSecret {
		fail(ar, contract.HydraErrInvalidClient, "", "crypto/bcrypt: hashedPassword is not the hash of the given password")
		event(r.root, r.root.StartTimestamp(), contract.HydraEventTokenExchangeError)
	} else {
		resp := r.fosite(r.root, contract.HydraSpanNewAccessResponse)
		h.issueTokens(r, resp, g, contract.GrantClientCredentials)
	}
	r.end()
	h.finish(r)
}

// revoke queues a revocation of the grant's refresh token.
func (h *hydraGen) revoke(g *hgrant) {
	r := h.request("POST", contract.HydraPathRevoke, 200)
	rr := r.fosite(r.root, contract.HydraSpanNewRevocationRequest)
	ac := r.persist(rr, contract.HydraSpanAuthenticateClient)
	ac.Attributes().PutStr(contract.HydraAttrClientID, g.client)
	get := r.persist(rr, contract.HydraSpanGetRefreshTokenSession)
	get.Attributes().PutStr(contract.AttrHydraRefreshTokenSignature, g.rt)
	r.position("attribute:" + contract.AttrHydraRefreshTokenSignature)
	r.sql(r.persist(rr, "persistence.sql.RevokeRefreshToken"), true, fmt.Sprintf(qRevoke, "refresh"))
	r.sql(r.persist(rr, "persistence.sql.RevokeAccessToken"), true, fmt.Sprintf(qRevoke, "access"))
	r.end()
	event(r.root, r.root.EndTimestamp(), contract.HydraEventAccessTokenRevoked)
	h.finish(r)
}

// introspect queues a resource server's introspection of the access token.
func (h *hydraGen) introspect(g *hgrant) {
	r := h.request("POST", contract.HydraPathIntrospect, 200)
	ir := r.fosite(r.root, contract.HydraSpanNewIntrospectionRequest)
	get := r.persist(ir, "persistence.sql.GetAccessTokenSession")
	get.Attributes().PutStr(contract.AttrHydraAccessTokenSignature, g.at)
	r.position("attribute:" + contract.AttrHydraAccessTokenSignature)
	r.sql(get, false, fmt.Sprintf(qSession, "access"))
	r.end()
	event(r.root, r.root.EndTimestamp(), contract.HydraEventAccessTokenInspected,
		"OAuth2Subject", subjectHash(g.subject), contract.HydraAttrClientID, g.client)
	h.finish(r)
}

// register queues a dynamic client registration (RFC 7591).
func (h *hydraGen) register(client string, ok bool) {
	status := 201
	if !ok {
		status = 400
	}
	r := h.request("POST", contract.HydraPathRegister, status)
	if ok {
		cc := r.persist(r.root, "persistence.sql.CreateClient")
		r.sql(cc, true, "INSERT INTO hydra_client (id, nid, client_name, client_secret, redirect_uris) VALUES (?, ?, ?, ?, ?)")
	}
	r.end()
	if ok {
		event(r.root, r.root.EndTimestamp(), contract.HydraEventClientCreated, contract.HydraAttrClientID, client)
	}
	h.finish(r)
}

// plain queues a request with no children: discovery, the JWKS, health.
func (h *hydraGen) plain(method, path string, status int, child string) {
	r := h.request(method, path, status)
	if child != "" {
		r.sql(r.persist(r.root, child), false, "SELECT * FROM hydra_jwk WHERE sid = ? AND nid = ?")
	}
	r.end()
	h.finish(r)
}
