package contract

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// What the security processor writes is what the connectors read back.
func TestFindingsRoundTrip(t *testing.T) {
	sp := ptrace.NewSpan()
	added := AnnotateFindings(sp.Attributes(), []Mark{
		{EventType: EventIntegrityViolation, Source: SourceReported, Rule: "reported_integrity_violation", Violation: ViolationHashMismatch},
		{EventType: EventTokenReuse, Source: SourceDetected, Rule: "refresh_token_reuse"},
		{EventType: EventTokenReuse, Source: SourceReported, Rule: "reported_status_reuse_detected"},
	})
	assert.Len(t, added, 2, "an event type is annotated once")
	AddFindingEvents(sp.Events(), added, 42)

	a := sp.Attributes()
	assert.Equal(t, []string{EventIntegrityViolation, EventTokenReuse}, FindingTypes(a))
	assert.Equal(t, EventTokenReuse, LookupStr(a, a, AttrSecurityEventType))
	assert.Equal(t, SeverityCritical, LookupStr(a, a, AttrSecuritySeverity))
	assert.Equal(t, "refresh_token_reuse", LookupStr(a, a, AttrSecurityRuleName))
	assert.Equal(t, ViolationHashMismatch, LookupStr(a, a, AttrIntegrityViolation))
	assert.Equal(t, 2, sp.Events().Len())

	assert.Equal(t, []Mark{
		{EventType: EventIntegrityViolation, Source: SourceReported, Rule: "reported_integrity_violation"},
		{EventType: EventTokenReuse, Source: SourceDetected, Rule: "refresh_token_reuse"},
	}, ReadFindings(a, sp.Events()))
}

// A later, less severe finding joins the list but does not take over the
// rule name of the record's most severe one.
func TestAnnotateFindingsMergesWithExisting(t *testing.T) {
	sp := ptrace.NewSpan()
	AnnotateFindings(sp.Attributes(), []Mark{{EventType: EventTokenReuse, Source: SourceDetected, Rule: "first"}})
	added := AnnotateFindings(sp.Attributes(), []Mark{
		{EventType: EventTokenReuse, Source: SourceReported, Rule: "again"},
		{EventType: EventMixUp, Source: SourceDetected, Rule: "second"},
	})
	assert.Equal(t, []Mark{{EventType: EventMixUp, Source: SourceDetected, Rule: "second"}}, added)
	a := sp.Attributes()
	assert.Equal(t, []string{EventTokenReuse, EventMixUp}, FindingTypes(a))
	assert.Equal(t, "first", LookupStr(a, a, AttrSecurityRuleName))
	assert.Nil(t, AnnotateFindings(a, []Mark{{EventType: EventMixUp}}), "nothing new")
}

// Without span events the rule comes from the record when its event type
// is the finding's, and the source defaults to detected.
func TestReadFindingsWithoutEvents(t *testing.T) {
	sp := ptrace.NewSpan()
	a := sp.Attributes()
	sl := a.PutEmptySlice(AttrSecurityFindings)
	for _, et := range []string{EventMixUp, "unknown", EventCodeInjection, EventMixUp} {
		sl.AppendEmpty().SetStr(et)
	}
	a.PutStr(AttrSecurityEventType, EventCodeInjection)
	a.PutStr(AttrSecurityRuleName, "rule")
	assert.Equal(t, []Mark{
		{EventType: EventMixUp, Source: SourceDetected},
		{EventType: EventCodeInjection, Source: SourceDetected, Rule: "rule"},
	}, ReadFindings(a, sp.Events()))

	a.PutStr(AttrFindingSource, SourceDetected)
	assert.Nil(t, ReadFindings(a, sp.Events()), "a finding record is not read again")
}
