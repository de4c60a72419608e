package hydra

import (
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
)

// Result is what one Hydra request says in contract terms. Record is false
// for a request that is no OAuth record: the return visits of a flow to the
// authorization endpoint, and every request to an endpoint that is not an
// OAuth operation. RefreshToken is the presented refresh token's
// signature; FlowID stays empty (nothing joins a Hydra flow).
type Result = vocab.ServerResult

// Map reads the request whose root SERVER span is root and whose spans in
// the batch r observed. provider is written as oauth.provider (empty:
// none). A request to no OAuth endpoint is Unclaimed (the caller still
// keeps it from generic HTTP: it is Hydra's).
func Map(r *Request, root ptrace.Span, provider string) (Result, vocab.Verdict) {
	ep := endpointOf(root)
	if ep == none {
		return Result{}, vocab.Unclaimed
	}
	if r.wrongType {
		return Result{}, vocab.NotMappable(vocab.WrongType)
	}
	code, hasCode := vocab.HTTPStatus(root.Attributes())
	failed := r.failed || r.exchangeError || (hasCode && code >= 400) ||
		root.Status().Code() == ptrace.StatusCodeError
	res := Result{Record: true}
	res.Side, res.Provider = contract.SideServer, provider
	res.ClientID = r.clientID
	if res.ClientID == "" {
		res.ClientID = r.spanClientID
	}
	res.Status = contract.StatusSuccess
	if failed {
		res.Status = contract.StatusFailure
	}
	switch ep {
	case authorize:
		return r.authorize(res, failed)
	case token:
		r.token(&res, failed)
	case revoke:
		res.Operation, res.Reason = contract.OpRevoke, contract.ReasonManual
	case introspect:
		res.Operation = contract.OpIntrospect
	case register:
		res.Operation = contract.OpRegister
	case discovery:
		res.Operation = contract.OpDiscovery
	}
	return res, vocab.MappedVerdict
}

// authorize: a refused request (at any visit) is a failure; the first
// visit of a flow is its one initiated; the returns from login and consent
// are no record. Without the consent strategy's span (not in the batch)
// the visit is not known: nothing is written.
func (r *Request) authorize(res Result, failed bool) (Result, vocab.Verdict) {
	res.Operation = contract.OpAuthorize
	switch {
	case failed:
		if r.errName == contract.HydraErrInvalidClient {
			res.Reason = contract.ReasonInvalidClient
		}
	case r.visits&visitRequest != 0:
		res.Status = contract.StatusInitiated
	case r.visits != 0:
		return Result{}, vocab.MappedVerdict
	default:
		return Result{}, vocab.NotMappable(vocab.ChildrenNotInBatch)
	}
	return res, vocab.MappedVerdict
}

// token: the grant from OAuth2AccessTokenIssued, else from the storage
// lookup the request made (a failed request has no such event); a refresh
// grant is a refresh. Failures carry fosite's verdict; a code exchange that
// passed a PKCE check carries oauth.pkce.reason=valid.
func (r *Request) token(res *Result, failed bool) {
	grant := r.grant
	if grant == "" {
		switch {
		case r.refreshLookup:
			grant = contract.GrantRefreshToken
		case r.codeLookup:
			grant = contract.GrantAuthorizationCode
		}
	}
	res.Operation, res.GrantType = contract.OpToken, grant
	switch grant {
	case contract.GrantRefreshToken:
		res.Operation, res.RefreshToken = contract.OpRefresh, r.presented
		r.refreshVerdict(res, failed)
	case contract.GrantAuthorizationCode:
		switch {
		case failed:
			r.exchangeVerdict(res)
		case r.pkceChecked:
			res.PKCEReason = contract.ReasonValid
		}
	}
}
