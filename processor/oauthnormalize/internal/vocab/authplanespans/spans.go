// Package authplanespans maps AuthPlane's native OTLP spans (contract
// section 6): a service-layer span (AuthorizeService.StartAuthorization,
// TokenService.ExchangeCode, ...) names the operation of its request, and
// the request's record is its root SERVER span, found in the same batch by
// trace id and parent chain. A service span whose root is in another batch
// is not mapped (RootNotInBatch).
package authplanespans

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Match returns the service span a span name is, if any.
func Match(name string) (contract.AuthPlaneServiceSpan, bool) {
	for _, s := range contract.AuthPlaneServiceSpans {
		if strings.HasPrefix(name, s.NamePrefix) {
			return s, true
		}
	}
	return contract.AuthPlaneServiceSpan{}, false
}

// Status of the request whose service span is svc and root SERVER span is
// root: failure when either says so (span status ERROR, HTTP status 4xx or
// 5xx on the root), else initiated for authorize and success otherwise.
func Status(op string, svc, root ptrace.Span, httpStatus int64) string {
	if svc.Status().Code() == ptrace.StatusCodeError || root.Status().Code() == ptrace.StatusCodeError || httpStatus >= 400 {
		return contract.StatusFailure
	}
	if op == contract.OpAuthorize {
		return contract.StatusInitiated
	}
	return contract.StatusSuccess
}
