package hydra

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
)

// visit is which of the three visits of one flow an authorization
// endpoint request is, by the consent strategy span it ran.
type visit uint8

const (
	visitRequest visit = 1 << iota // requestAuthentication: a new flow
	visitLogin                     // verifyAuthentication: back from login
	visitConsent                   // verifyConsent: back from consent
)

// Request is what the spans of one Hydra request in a batch say. The
// zero value has seen nothing; Observe adds one span.
type Request struct {
	// Evident: a span showed the request is Hydra's (see Evident; the
	// caller sets it for a root of Hydra's scope).
	Evident bool
	visits  visit

	// failed: an outcome span (a fosite step, the consent strategy)
	// ended with an error; errName and hint are the first one's error
	// and error.reason.
	failed        bool
	errName, hint string

	exchangeError, issued, revoked, inspected, created bool
	grant, clientID, spanClientID                      string

	// presented is the signature of the refresh token the request
	// presented (GetRefreshTokenSession).
	presented                    string
	refreshLookup, codeLookup    bool
	refreshInactive, refreshGone bool
	codeSpent, rotateFailed      bool
	// pkceChecked: the code's PKCE data was found, so the verifier was
	// checked.
	pkceChecked bool
	wrongType   bool
}

// Observe adds what one span of the request says.
func (r *Request) Observe(s ptrace.Span) {
	if Evident(s) {
		r.Evident = true
	}
	switch name := s.Name(); name {
	case contract.HydraSpanRequestAuthentication:
		r.visits |= visitRequest
	case contract.HydraSpanVerifyAuthentication:
		r.visits |= visitLogin
	case contract.HydraSpanVerifyConsent:
		r.visits |= visitConsent
	case contract.HydraSpanNewAccessRequest, contract.HydraSpanNewAccessResponse,
		contract.HydraSpanNewAuthorizeRequest, contract.HydraSpanNewAuthorizeResponse,
		contract.HydraSpanNewRevocationRequest, contract.HydraSpanIntrospectToken,
		contract.HydraSpanHandleAuthorization:
		r.outcome(s)
	case contract.HydraSpanGetRefreshTokenSession:
		r.refreshLookup = true
		r.presented = r.str(s.Attributes(), contract.AttrHydraRefreshTokenSignature)
		switch failed, errName, _ := r.errorOf(s); {
		case !failed:
		case errName == contract.HydraErrTokenInactive:
			// fosite's refresh handler takes exactly this error as reuse.
			r.refreshInactive = true
		case errName == contract.HydraErrNotFound:
			r.refreshGone = true
		}
	case contract.HydraSpanGetAuthorizeCodeSession:
		r.codeLookup = true
		if failed, errName, _ := r.errorOf(s); failed && errName == contract.HydraErrCodeInvalidated {
			r.codeSpent = true
		}
	case contract.HydraSpanGetPKCERequestSession:
		if failed, _, _ := r.errorOf(s); !failed {
			r.pkceChecked = true
		}
	case contract.HydraSpanRotateRefreshToken:
		if failed, _, _ := r.errorOf(s); failed {
			r.rotateFailed = true
		}
	case contract.HydraSpanGetConcreteClient, contract.HydraSpanAuthenticateClient:
		if id := r.str(s.Attributes(), contract.HydraAttrClientID); id != "" && r.spanClientID == "" {
			r.spanClientID = id
		}
	}
	r.observeEvents(s.Events())
}

// observeEvents reads Hydra's events: the issued token's grant type, the
// client, and the outcome each event stands for.
func (r *Request) observeEvents(evs ptrace.SpanEventSlice) {
	for i := 0; i < evs.Len(); i++ {
		ev := evs.At(i)
		switch ev.Name() {
		case contract.HydraEventAccessTokenIssued:
			r.issued = true
			if g := r.str(ev.Attributes(), contract.HydraAttrGrantType); g != "" {
				r.grant = g
			}
		case contract.HydraEventTokenExchangeError:
			r.exchangeError = true
		case contract.HydraEventAccessTokenRevoked:
			r.revoked = true
		case contract.HydraEventAccessTokenInspected:
			r.inspected = true
		case contract.HydraEventClientCreated:
			r.created = true
		case contract.HydraEventRefreshTokenIssued, contract.HydraEventIdentityTokenIssued:
		default:
			continue
		}
		if id := r.str(ev.Attributes(), contract.HydraAttrClientID); id != "" && r.clientID == "" {
			r.clientID = id
		}
	}
}

// outcome records the first outcome span that failed. The consent
// strategy ends its span with consent.ErrAbortOAuth2Request when it
// redirects the user to login or consent: no failure.
func (r *Request) outcome(s ptrace.Span) {
	failed, errName, hint := r.errorOf(s)
	if !failed || r.failed {
		return
	}
	if s.Name() == contract.HydraSpanHandleAuthorization && isAbort(s, errName) {
		return
	}
	r.failed, r.errName, r.hint = true, errName, hint
}

// errorOf reads how a span ended: ERROR status, its error (otelx's error
// attribute, else the status message, both the error's text: a fosite
// error's name) and its hint (error.reason).
func (r *Request) errorOf(s ptrace.Span) (failed bool, errName, hint string) {
	if s.Status().Code() != ptrace.StatusCodeError {
		return false, "", ""
	}
	attrs := s.Attributes()
	errName = r.str(attrs, contract.HydraAttrError)
	if errName == "" {
		errName = s.Status().Message()
	}
	return true, errName, r.str(attrs, contract.HydraAttrErrorReason)
}

// isAbort: the abort is a plain Go error (no error.reason, which every
// fosite and herodot error carries) with the sentinel's text.
func isAbort(s ptrace.Span, errName string) bool {
	_, hasReason := s.Attributes().Get(contract.HydraAttrErrorReason)
	return !hasReason && errName == contract.HydraErrAbort
}

// str reads a string attribute; another type marks the request wrongType.
func (r *Request) str(m pcommon.Map, key string) string {
	s, _, wrong := vocab.Str(m, key)
	if wrong {
		r.wrongType = true
	}
	return s
}
