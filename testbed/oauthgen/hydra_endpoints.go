package oauthgen

import (
	"fmt"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// The requests of Hydra's endpoints, span by span, as the capture shows
// them (hydra_layout.go). Each builder queues its request; the caller
// accounts it. sql-* spans are left out where the capture has many.

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

// lookupClient adds GetConcreteClient (with the client id) and its query.
func (r *hreq) lookupClient(parent ptrace.Span, client string) ptrace.Span {
	gc := r.persist(parent, contract.HydraSpanGetConcreteClient)
	gc.Attributes().PutStr(contract.HydraAttrClientID, client)
	r.sql(gc, false, qClient)
	return gc
}

// authenticate adds the client lookup and the secret comparison of a
// confidential client at the token, revocation endpoints.
func (r *hreq) authenticate(parent ptrace.Span, client string) {
	r.lookupClient(parent, client)
	r.child(parent, scopeHasher, "x.hasher.Compare").Attributes().PutStr("algorithm", "pbkdf2")
}

// strategy adds a consent strategy span (the SDK's empty-name scope).
func (r *hreq) strategy(parent ptrace.Span, name string) ptrace.Span {
	return r.child(parent, scopeSDK, name)
}

// authorize queues one /oauth2/auth request; refused ends it with fosite's
// invalid_client (an unknown client), Hydra redirecting to its error page.
func (h *hydraGen) authorize(v authVisit, client string, refused, pkce bool) *hreq {
	status := 302
	if v == visitFromConsent {
		status = 303
	}
	r := h.request("GET", contract.HydraPathAuth, status)
	ar := r.fosite(r.root, contract.HydraSpanNewAuthorizeRequest)
	gc := r.lookupClient(ar, client)
	if refused {
		fail(gc, contract.HydraErrNotFound, "", "sql: no rows in result set")
		fail(ar, contract.HydraErrInvalidClient, "The requested OAuth 2.0 Client does not exist.", "")
		r.end()
		h.finish(r)
		return r
	}
	hs := r.strategy(r.root, contract.HydraSpanHandleAuthorization)
	switch v {
	case visitNew:
		ra := r.strategy(hs, contract.HydraSpanRequestAuthentication)
		r.sql(r.persist(ra, "persistence.sql.CreateLoginRequest"), true, qInsert)
		failPlain(ra, contract.HydraErrAbort)
		failPlain(hs, contract.HydraErrAbort)
	case visitFromLogin:
		va := r.strategy(hs, contract.HydraSpanVerifyAuthentication)
		r.sql(r.persist(va, "persistence.sql.VerifyAndInvalidateLoginRequest"), false, qFlow)
		r.persist(va, "persistence.sql.ConfirmLoginSession")
		rc := r.strategy(hs, "DefaultStrategy.requestConsent")
		// no remembered consent: an error span that is no failure
		failPlain(r.persist(rc, "persistence.sql.FindGrantedAndRememberedConsentRequests"),
			"no previous OAuth 2.0 Consent could be found for this access request")
		r.persist(rc, "persistence.sql.CreateConsentRequest")
		failPlain(rc, contract.HydraErrAbort)
		failPlain(hs, contract.HydraErrAbort)
	case visitFromConsent:
		vc := r.strategy(hs, contract.HydraSpanVerifyConsent)
		r.sql(r.persist(vc, "persistence.sql.VerifyAndInvalidateConsentRequest"), false, qFlow)
		r.persist(r.root, "persistence.sql.GetKeySet")
		resp := r.fosite(r.root, contract.HydraSpanNewAuthorizeResponse)
		r.sql(r.child(resp, scopeSDK, "persistence.sql.CreateAuthorizeCodeSession"), true, fmt.Sprintf(qCreate, "code"))
		oidc := r.persist(resp, "persistence.sql.CreateOpenIDConnectSession")
		event(oidc, oidc.StartTimestamp(), contract.HydraEventIdentityTokenIssued, contract.HydraAttrGrantType, "",
			"OAuth2Subject", subjectHash(client), contract.HydraAttrClientID, client, "OAuth2Subject", client, contract.HydraAttrClientID, client)
		if pkce {
			r.sql(r.persist(resp, "persistence.sql.CreatePKCERequestSession"), true, fmt.Sprintf(qCreate, "pkce"))
		}
	}
	r.end()
	h.finish(r)
	return r
}

// admin queues the login and consent app's calls to Hydra's admin API for
// one challenge: GET the request, PUT its acceptance (no OAuth record:
// claimed, left alone).
func (h *hydraGen) admin(consent bool, g *hgrant) {
	path, get, ev, sub := "/admin/oauth2/auth/requests/login", "persistence.sql.GetLoginRequest", contract.HydraEventLoginAccepted, ""
	if consent {
		path, get, ev, sub = "/admin/oauth2/auth/requests/consent", "persistence.sql.GetConsentRequest", contract.HydraEventConsentAccepted, g.subject
	}
	r := h.request("GET", path, 200)
	r.sql(r.persist(r.root, get), false, qFlow)
	r.end()
	h.finish(r)
	r = h.request("PUT", path+"/accept", 200)
	r.sql(r.persist(r.root, get), false, qFlow)
	r.end()
	event(r.root, r.root.EndTimestamp(), ev, contract.HydraAttrClientID, g.client, "OAuth2Subject", sub)
	h.finish(r)
}

// tokenRequest starts a token endpoint request (200, else failStatus)
// with fosite's NewAccessRequest and the client's authentication under it.
func (h *hydraGen) tokenRequest(ok bool, failStatus int, client string) (*hreq, ptrace.Span) {
	status := 200
	if !ok {
		status = failStatus
	}
	r := h.request("POST", contract.HydraPathToken, status)
	ar := r.fosite(r.root, contract.HydraSpanNewAccessRequest)
	r.authenticate(ar, client)
	return r, ar
}

// endToken ends a token endpoint request; a failed one carries the
// handler's OAuth2TokenExchangeError (ClientIP only) on its root.
func (h *hydraGen) endToken(r *hreq, failed bool) {
	if failed {
		event(r.root, r.root.StartTimestamp(), contract.HydraEventTokenExchangeError)
	}
	r.end()
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
// refresh token.
func (h *hydraGen) exchange(g *hgrant, out exchangeOutcome) *hreq {
	r, ar := h.tokenRequest(out == exchangeOK, 400, g.client)
	code := r.persist(ar, contract.HydraSpanGetAuthorizeCodeSession)
	r.sql(code, false, fmt.Sprintf(qSession, "code"))
	switch out {
	case exchangeReplay:
		// the code was invalidated: fosite revokes what it issued, refuses
		failPlain(code, contract.HydraErrCodeInvalidated)
		r.persist(ar, "persistence.sql.RevokeAccessToken").Attributes().PutStr("OAuth2ConsentRequestID", g.consent)
		r.persist(ar, "persistence.sql.RevokeRefreshToken").Attributes().PutStr("OAuth2ConsentRequestID", g.consent)
		fail(ar, contract.HydraErrInvalidGrant, contract.HydraHintCodeReuse, "")
	case exchangePKCEMismatch:
		r.sql(r.persist(ar, contract.HydraSpanGetPKCERequestSession), false, fmt.Sprintf(qSession, "pkce"))
		r.persist(ar, "persistence.sql.DeletePKCERequestSession")
		fail(ar, contract.HydraErrInvalidGrant, contract.HydraHintPKCEMismatch, "")
	default:
		pkce := r.persist(ar, contract.HydraSpanGetPKCERequestSession)
		r.sql(pkce, false, fmt.Sprintf(qSession, "pkce"))
		if g.pkce {
			r.persist(ar, "persistence.sql.DeletePKCERequestSession")
		} else {
			// a code issued without a challenge: no PKCE data, no check
			fail(pkce, contract.HydraErrNotFound, "", "")
		}
		resp := r.fosite(r.root, contract.HydraSpanNewAccessResponse)
		r.persist(resp, contract.HydraSpanGetAuthorizeCodeSession)
		tx := r.persist(resp, "persistence.sql.BeginTX")
		r.sql(r.persist(tx, "persistence.sql.InvalidateAuthorizeCodeSession"), true, "UPDATE hydra_oauth2_code SET active = false WHERE signature = ? AND nid = ?")
		h.issueTokens(r, tx, g, contract.GrantAuthorizationCode)
		r.persist(tx, "persistence.sql.Commit")
		r.persist(resp, "persistence.sql.GetOpenIDConnectSession")
		r.persist(resp, "persistence.sql.DeleteOpenIDConnectSession")
		r.persist(resp, "persistence.sql.GetKeySet")
	}
	h.endToken(r, out != exchangeOK)
	return r
}

// issueTokens creates the access token session, and but for client
// credentials the refresh token session, each with a new signature and its
// issue event, under parent.
func (h *hydraGen) issueTokens(r *hreq, parent ptrace.Span, g *hgrant, grant string) {
	g.at = h.signature("at")
	subject := g.subject
	if grant == contract.GrantClientCredentials {
		subject = g.client
	}
	at := r.persist(parent, "persistence.sql.CreateAccessTokenSession")
	at.Attributes().PutStr(contract.AttrHydraAccessTokenSignature, g.at)
	r.position("attribute:" + contract.AttrHydraAccessTokenSignature)
	r.issued(at, contract.HydraEventAccessTokenIssued, grant, g.client, subject)
	r.sql(at, true, fmt.Sprintf(qCreate, "access"))
	if grant == contract.GrantClientCredentials {
		g.rt = ""
		return
	}
	g.rt = h.signature("rt")
	rt := r.persist(parent, "persistence.sql.CreateRefreshTokenSession")
	rt.Attributes().PutStr(contract.AttrHydraRefreshTokenSignature, g.rt)
	r.position("attribute:" + contract.AttrHydraRefreshTokenSignature)
	r.issued(rt, contract.HydraEventRefreshTokenIssued, grant, g.client, subject)
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
	r, ar := h.tokenRequest(out == refreshOK, 400, g.client)
	get := r.persist(ar, contract.HydraSpanGetRefreshTokenSession)
	get.Attributes().PutStr(contract.AttrHydraRefreshTokenSignature, presented)
	r.position("attribute:" + contract.AttrHydraRefreshTokenSignature)
	r.sql(get, false, fmt.Sprintf(qSession, "refresh"))
	switch out {
	case refreshReuse:
		// The persister finds the token inactive; fosite's refresh handler
		// takes that as reuse, revokes the family and refuses.
		fail(get, contract.HydraErrTokenInactive, "Token validation failed.", "")
		tx := r.persist(ar, "persistence.sql.BeginTX")
		del := r.persist(tx, "persistence.sql.DeleteRefreshTokenSession")
		del.Attributes().PutStr(contract.AttrHydraRefreshTokenSignature, presented)
		r.position("attribute:" + contract.AttrHydraRefreshTokenSignature)
		r.persist(tx, "persistence.sql.RevokeRefreshToken").Attributes().PutStr("OAuth2ConsentRequestID", g.consent)
		r.persist(tx, "persistence.sql.RevokeAccessToken").Attributes().PutStr("OAuth2ConsentRequestID", g.consent)
		r.persist(tx, "persistence.sql.Commit")
		fail(ar, contract.HydraErrInvalidGrant, contract.HydraHintRefreshReuse,
			"Refresh token re-use was detected. All related tokens have been revoked.")
	case refreshUnknown:
		fail(get, contract.HydraErrNotFound, "", "")
		fail(ar, contract.HydraErrInvalidGrant, "The refresh token is malformed or not valid.", "")
	default:
		resp := r.fosite(r.root, contract.HydraSpanNewAccessResponse)
		tx := r.persist(resp, "persistence.sql.BeginTX")
		rot := r.persist(tx, contract.HydraSpanRotateRefreshToken)
		strict := r.persist(rot, "persistence.sql.strictRefreshRotation")
		strict.Attributes().PutStr("request_id", g.consent)
		strict.Attributes().PutStr("network_id", "96f2077c-0a30-4298-b49f-9815dbf50aa8")
		r.sql(r.persist(strict, "persistence.sql.deleteSessionByRequestID"), true, "DELETE FROM hydra_oauth2_access AS hydra_oauth2_access WHERE request_id = ? AND nid = ?")
		h.issueTokens(r, tx, g, contract.GrantRefreshToken)
		r.persist(tx, "persistence.sql.Commit")
	}
	h.endToken(r, out != refreshOK)
	return r
}

// clientCredentials queues a client_credentials grant; badSecret fails
// the client's authentication (fosite's invalid_client, HTTP 401).
func (h *hydraGen) clientCredentials(g *hgrant, badSecret bool) {
	r, ar := h.tokenRequest(!badSecret, 401, g.client)
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
	r.authenticate(rr, g.client)
	get := r.persist(rr, contract.HydraSpanGetRefreshTokenSession)
	get.Attributes().PutStr(contract.AttrHydraRefreshTokenSignature, g.rt)
	r.position("attribute:" + contract.AttrHydraRefreshTokenSignature)
	r.persist(rr, "persistence.sql.RevokeRefreshToken").Attributes().PutStr("OAuth2ConsentRequestID", g.consent)
	r.persist(rr, "persistence.sql.RevokeAccessToken").Attributes().PutStr("OAuth2ConsentRequestID", g.consent)
	r.end()
	event(r.root, r.root.EndTimestamp(), contract.HydraEventAccessTokenRevoked)
	h.finish(r)
}

// introspect queues a resource server's introspection of the access token
// (Hydra's admin port; fosite's span is Fosite.IntrospectToken).
func (h *hydraGen) introspect(g *hgrant) {
	r := h.request("POST", contract.HydraPathIntrospect, 200)
	ir := r.fosite(r.root, contract.HydraSpanIntrospectToken)
	get := r.persist(ir, "persistence.sql.GetAccessTokenSession")
	get.Attributes().PutStr(contract.AttrHydraAccessTokenSignature, g.at)
	r.position("attribute:" + contract.AttrHydraAccessTokenSignature)
	r.sql(get, false, fmt.Sprintf(qSession, "access"))
	r.lookupClient(r.persist(get, "persistence.sql.toRequest"), g.client)
	r.end()
	subject := g.subject
	if subject == "" {
		subject = g.client
	}
	event(r.root, r.root.EndTimestamp(), contract.HydraEventAccessTokenInspected, "OAuth2Subject", subject, contract.HydraAttrClientID, g.client)
	h.finish(r)
}

// register queues a dynamic client registration (RFC 7591); a refused one
// (invalid metadata) is the root alone with a 400.
func (h *hydraGen) register(client string, ok bool) {
	status := 201
	if !ok {
		status = 400
	}
	r := h.request("POST", contract.HydraPathRegister, status)
	if ok {
		cc := r.persist(r.root, "persistence.sql.CreateClient")
		event(cc, cc.StartTimestamp(), contract.HydraEventClientCreated, contract.HydraAttrClientID, client, "OAuth2ClientName", "app-"+client[:8])
		hash := r.child(cc, scopeHasher, "x.hasher.Hash")
		hash.Attributes().PutStr("algorithm", "pbkdf2")
		r.child(hash, scopeSDK, "hash.PBKDF2.Generate")
		r.sql(cc, true, "INSERT INTO \"hydra_client\" (\"access_token_strategy\", \"id\", \"nid\", \"client_name\") VALUES (?, ?, ?, ?)")
	}
	r.end()
	h.finish(r)
}

// plain queues a request with at most one persister child: discovery, the
// JWKS, the admin API's client list.
func (h *hydraGen) plain(method, path string, status int, child string) {
	r := h.request(method, path, status)
	if child != "" {
		r.sql(r.persist(r.root, child), false, "SELECT * FROM hydra_jwk WHERE sid = ? AND nid = ?")
	}
	r.end()
	h.finish(r)
}
