package contract

import "go.opentelemetry.io/collector/pdata/pcommon"

// Security events that apps report by name (contract section 6), as an
// agent's file_log leaves them: Pino's type/action (or type/event), or a flat
// event field.
const (
	AttrAppEventType   = "type"
	AttrAppEventAction = "action"
	AttrAppEvent       = "event"
	AppSecurityEvent   = "SECURITY_EVENT"
)

// appEventAliases are the app event names that are not the contract's own
// finding event names.
var appEventAliases = map[string]string{
	"pkce_state_user_mismatch":            EventCodeInjection,
	"pkce_state_integrity_violation":      EventIntegrityViolation,
	"oauth_integrity_verification_failed": EventIntegrityViolation,
}

// reportedEvents maps every app event name onto its finding's event type:
// each finding's own event name, and the aliases.
var reportedEvents = func() map[string]string {
	m := make(map[string]string, len(Findings)+len(appEventAliases))
	for _, f := range Findings {
		m[f.EventName] = f.EventType
	}
	for name, et := range appEventAliases {
		m[name] = et
	}
	return m
}()

// ReportedEvent returns the finding an app's security event on the record
// reports, and its violation type for an integrity finding (an app event
// reports a hash mismatch, section 6); ok is false when the record reports
// none.
func ReportedEvent(attrs pcommon.Map) (eventType, violation string, ok bool) {
	name := ""
	if t, found := attrs.Get(AttrAppEventType); found && t.Str() == AppSecurityEvent {
		if a, found := attrs.Get(AttrAppEventAction); found {
			name = a.Str()
		} else if e, found := attrs.Get(AttrAppEvent); found {
			name = e.Str()
		}
	} else if e, found := attrs.Get(AttrAppEvent); found {
		name = e.Str()
	}
	eventType, ok = reportedEvents[name]
	if ok && eventType == EventIntegrityViolation {
		violation = ViolationHashMismatch
	}
	return eventType, violation, ok
}
