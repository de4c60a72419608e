// Package pino maps the Pino (pluggedin-style) vocabulary of contract
// section 6: `type: SECURITY_EVENT` with `action` (or a flat `event`) is a
// reported finding; `type: OAUTH_EVENT` with `operation` is a refresh.
// It is the mapping the agent's transform/app_vocabulary and the security
// processor's reported() did, in one place.
package pino

import (
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
)

// Map reads one log record's attributes into m.
func Map(attrs pcommon.Map, m *vocab.Mapping) vocab.Verdict {
	typ, _, _ := vocab.Str(attrs, contract.PinoAttrType)
	switch typ {
	case contract.PinoTypeSecurity:
		// The action, else the flat event, names the finding.
		key := contract.PinoAttrAction
		if _, ok := attrs.Get(key); !ok {
			key = contract.PinoAttrEvent
		}
		return security(attrs, key, m)
	case contract.PinoTypeOAuth:
		return oauthEvent(attrs, m)
	}
	// A flat `event` is read on any record, but claimed only when it is a
	// known security event name: `event` is a common field name.
	if name, ok, _ := vocab.Str(attrs, contract.PinoAttrEvent); ok {
		if _, known := contract.PinoSecurityEvents[name]; known {
			return security(attrs, contract.PinoAttrEvent, m)
		}
	}
	return vocab.Unclaimed
}

func security(attrs pcommon.Map, key string, m *vocab.Mapping) vocab.Verdict {
	name, ok, wrong := vocab.Str(attrs, key)
	if wrong {
		return vocab.NotMappable(vocab.WrongType)
	}
	et, known := contract.PinoSecurityEvents[name]
	if !ok || !known {
		return vocab.NotMappable(vocab.UnknownEvent)
	}
	m.ReportedEventType = et
	if et == contract.EventIntegrityViolation {
		m.IntegrityViolation = contract.ViolationHashMismatch // contract section 6
	}
	identity(attrs, m)
	return vocab.MappedVerdict
}

func oauthEvent(attrs pcommon.Map, m *vocab.Mapping) vocab.Verdict {
	op, ok, wrong := vocab.Str(attrs, contract.PinoAttrOperation)
	if wrong {
		return vocab.NotMappable(vocab.WrongType)
	}
	ev, known := contract.PinoOAuthEvents[op]
	if !ok || !known {
		return vocab.NotMappable(vocab.UnknownEvent)
	}
	m.Operation, m.Status, m.Reason = ev.Operation, ev.Status, ev.Reason
	identity(attrs, m)
	return vocab.MappedVerdict
}

// identity maps Pino's camelCase (and snake_case) identity fields.
func identity(attrs pcommon.Map, m *vocab.Mapping) {
	m.ClientID = first(attrs, contract.PinoAttrClientID, contract.PinoAttrClientIDSnake)
	m.EnduserID = first(attrs, contract.PinoAttrUserID, contract.PinoAttrUserIDSnake)
	m.Provider = first(attrs, contract.PinoAttrProvider)
}

// first returns the first of keys that holds a non-empty string.
func first(attrs pcommon.Map, keys ...string) string {
	for _, k := range keys {
		if s, ok, _ := vocab.Str(attrs, k); ok && s != "" {
			return s
		}
	}
	return ""
}
