package vocab

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// W3C span flags carried by OTLP: whether the parent is known to be
// remote (bit 8), and whether it is (bit 9).
const (
	flagHasIsRemote = 0x100
	flagIsRemote    = 0x200
)

// IsRequestRoot reports whether a span is the root of a request to a
// server (contract section 6: the request's record): a SERVER span without
// a parent, or whose parent is remote or not known to be local. A SERVER
// span under a local parent (a framework span under a middleware's) is not.
func IsRequestRoot(s ptrace.Span) bool {
	if s.Kind() != ptrace.SpanKindServer {
		return false
	}
	if s.ParentSpanID().IsEmpty() {
		return true
	}
	f := s.Flags()
	return f&flagHasIsRemote == 0 || f&flagIsRemote != 0
}

// HTTPStatus reads the response status code (current name, then the old
// one), as an int or a numeric string. ok is false when there is none.
func HTTPStatus(attrs pcommon.Map) (code int64, ok bool) {
	for _, k := range [...]string{contract.AttrHTTPResponseStatusCode, contract.AttrHTTPStatusCode} {
		v, found := attrs.Get(k)
		if !found {
			continue
		}
		switch v.Type() {
		case pcommon.ValueTypeInt:
			return v.Int(), true
		case pcommon.ValueTypeDouble:
			if d := v.Double(); d >= 100 && d < 1000 {
				return int64(d), true
			}
		case pcommon.ValueTypeStr:
			if c, ok := parseStatus(v.Str()); ok {
				return c, true
			}
		}
		return 0, false
	}
	return 0, false
}

// parseStatus parses a three-digit status code without allocating.
func parseStatus(s string) (int64, bool) {
	if len(s) != 3 {
		return 0, false
	}
	var c int64
	for i := 0; i < 3; i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		c = c*10 + int64(s[i]-'0')
	}
	return c, true
}

// EachSpan calls f with every span of td and its resource's attributes.
func EachSpan(td ptrace.Traces, f func(s ptrace.Span, res pcommon.Map)) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		res := rss.At(i).Resource().Attributes()
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				f(spans.At(k), res)
			}
		}
	}
}
