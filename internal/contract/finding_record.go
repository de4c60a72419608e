package contract

import (
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// A finding on a record (contract section 5) is written by the security
// processor and read by the findings connector and the metrics connector.
// Both directions live here, so the attributes and span events one side
// writes are exactly those the other reads.

// Mark is one finding as a record carries it.
type Mark struct {
	EventType string
	// Source is SourceDetected or SourceReported.
	Source string
	// Rule is the detector or vocabulary rule that fired (security_rule.name).
	Rule string
	// Violation is written to oauth.integrity.violation when the record has
	// none, so that an integrity finding carries its type downstream. It is
	// not read back.
	Violation string
}

// FindingTypes returns the event types in the record's
// oauth.security.findings, in order; nil when there are none.
func FindingTypes(attrs pcommon.Map) []string {
	v, ok := attrs.Get(AttrSecurityFindings)
	if !ok || v.Type() != pcommon.ValueTypeSlice {
		return nil
	}
	sl := v.Slice()
	types := make([]string, 0, sl.Len())
	for i := 0; i < sl.Len(); i++ {
		types = append(types, sl.At(i).AsString())
	}
	return types
}

// AnnotateFindings writes marks onto a record: the event types merge with
// those already in oauth.security.findings (an event type is listed once),
// oauth.security.event_type and severity name the most severe of all, and
// security_rule.name is the rule of the most severe new mark when it is the
// record's most severe finding (or the record had none). It returns the
// marks that were new; nothing is written when none is.
func AnnotateFindings(attrs pcommon.Map, marks []Mark) []Mark {
	types := FindingTypes(attrs)
	existing := len(types)
	var added []Mark
	best, bestRank := -1, 0
	for _, m := range marks {
		if slices.Contains(types, m.EventType) {
			continue
		}
		types = append(types, m.EventType)
		added = append(added, m)
		row, _ := LookupFinding(m.EventType)
		if best < 0 || row.Rank < bestRank {
			best, bestRank = len(added)-1, row.Rank
		}
	}
	if len(added) == 0 {
		return nil
	}
	for _, m := range added {
		if _, ok := attrs.Get(AttrIntegrityViolation); !ok && m.Violation != "" {
			attrs.PutStr(AttrIntegrityViolation, m.Violation)
		}
	}
	sl := attrs.PutEmptySlice(AttrSecurityFindings)
	sl.EnsureCapacity(len(types))
	for _, t := range types {
		sl.AppendEmpty().SetStr(t)
	}
	top, _ := MostSevere(types)
	attrs.PutStr(AttrSecurityEventType, top.EventType)
	attrs.PutStr(AttrSecuritySeverity, top.Severity)
	if top.EventType == added[best].EventType || existing == 0 {
		attrs.PutStr(AttrSecurityRuleName, added[best].Rule)
	}
	return added
}

// AddFindingEvents appends one span event per mark, named after its
// finding, with its own event type, severity, rule and source: a span holds
// several findings, and this is where each keeps its rule and source.
func AddFindingEvents(events ptrace.SpanEventSlice, marks []Mark, ts pcommon.Timestamp) {
	for _, m := range marks {
		row, _ := LookupFinding(m.EventType)
		ev := events.AppendEmpty()
		ev.SetName(row.EventName)
		ev.SetTimestamp(ts)
		ea := ev.Attributes()
		ea.PutStr(AttrSecurityEventType, row.EventType)
		ea.PutStr(AttrSecuritySeverity, row.Severity)
		ea.PutStr(AttrSecurityRuleName, m.Rule)
		ea.PutStr(AttrFindingSource, m.Source)
	}
}

// ReadFindings returns the findings of a span as AnnotateFindings and
// AddFindingEvents wrote them: each known event type of
// oauth.security.findings once, in order, with the source and rule of its
// span event. Without a span event (a record annotated by another writer)
// the source is detected and the rule is the record's security_rule.name
// when the record's event_type is this finding. A finding record is never
// read again. Violation is left empty.
func ReadFindings(attrs pcommon.Map, events ptrace.SpanEventSlice) []Mark {
	if IsFindingRecord(attrs) {
		return nil
	}
	var out []Mark
	for _, et := range FindingTypes(attrs) {
		row, known := LookupFinding(et)
		if !known || slices.ContainsFunc(out, func(m Mark) bool { return m.EventType == row.EventType }) {
			continue
		}
		source, rule := findingOrigin(attrs, events, row)
		out = append(out, Mark{EventType: row.EventType, Source: source, Rule: rule})
	}
	return out
}

// findingOrigin returns the source and rule of one finding of a span.
func findingOrigin(attrs pcommon.Map, events ptrace.SpanEventSlice, row Finding) (source, rule string) {
	source = SourceDetected
	for i := 0; i < events.Len(); i++ {
		ev := events.At(i)
		if ev.Name() != row.EventName {
			continue
		}
		if s, ok := ev.Attributes().Get(AttrFindingSource); ok && (s.Str() == SourceReported || s.Str() == SourceDetected) {
			source = s.Str()
		}
		if r, ok := ev.Attributes().Get(AttrSecurityRuleName); ok {
			rule = r.Str()
		}
	}
	if et, ok := attrs.Get(AttrSecurityEventType); ok && rule == "" && et.AsString() == row.EventType {
		if r, ok := attrs.Get(AttrSecurityRuleName); ok {
			rule = r.AsString()
		}
	}
	return source, rule
}

// RangeFindingTypes calls f with each event type of an
// oauth.security.findings value: a string slice (what oauth_security
// writes) or a single non-empty string (what an app may write). It does not
// allocate, for the metrics connector's hot path.
func RangeFindingTypes(v pcommon.Value, f func(eventType string)) {
	switch v.Type() {
	case pcommon.ValueTypeSlice:
		sl := v.Slice()
		for i := 0; i < sl.Len(); i++ {
			f(sl.At(i).AsString())
		}
	case pcommon.ValueTypeStr:
		if v.Str() != "" {
			f(v.Str())
		}
	}
}
