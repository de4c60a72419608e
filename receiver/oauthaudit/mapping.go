package oauthaudit

import (
	"encoding/hex"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// maxDetailAttrs bounds the attributes one detail string can add.
const maxDetailAttrs = 32

// contractMapping is what an audit action means in contract terms.
type contractMapping struct {
	op, status, reason, grant string
	severity                  plog.SeverityNumber
}

// actionMappings maps AuthPlane actions onto contract operations. family.revoked
// is decided in mapAction (it depends on the detail).
var actionMappings = map[string]contractMapping{
	contract.AuditTokenIssued:             {op: contract.OpToken, status: contract.StatusSuccess},
	contract.AuditTokenRefreshed:          {op: contract.OpRefresh, status: contract.StatusSuccess, reason: contract.ReasonNormal, grant: contract.GrantRefreshToken},
	contract.AuditTokenRevoked:            {op: contract.OpRevoke, status: contract.StatusSuccess, reason: contract.ReasonManual},
	contract.AuditClientRegistered:        {op: contract.OpRegister, status: contract.StatusSuccess},
	contract.AuditClientCredentialsIssued: {op: contract.OpToken, status: contract.StatusSuccess, grant: contract.GrantClientCredentials},
	contract.AuditClientCredentialsDenied: {op: contract.OpToken, status: contract.StatusFailure, grant: contract.GrantClientCredentials, severity: plog.SeverityNumberWarn},
	contract.AuditJWTBearerIssued:         {op: contract.OpToken, status: contract.StatusSuccess, grant: contract.GrantJWTBearer},
	contract.AuditJWTBearerDenied:         {op: contract.OpToken, status: contract.StatusFailure, grant: contract.GrantJWTBearer, severity: plog.SeverityNumberWarn},
	contract.AuditTokenExchanged:          {op: contract.OpToken, status: contract.StatusSuccess, grant: contract.GrantTokenExchange},
	contract.AuditTokenExchangeDenied:     {op: contract.OpToken, status: contract.StatusFailure, grant: contract.GrantTokenExchange, severity: plog.SeverityNumberWarn},
}

// mapAction returns the contract meaning of an event. Unknown actions get no
// operation; denials and failures (…denied, …failed, …locked_out) are WARN.
func mapAction(action string, flags map[string]bool) contractMapping {
	if action == contract.AuditFamilyRevoked {
		if flags[contract.AuditFlagReuseDetection] {
			// Reported token_reuse: the contract's app-reported signal is
			// oauth.status=reuse_detected (section 5).
			return contractMapping{op: contract.OpRevoke, status: contract.StatusReuseDetected,
				reason: contract.ReasonReuseDetected, severity: plog.SeverityNumberError}
		}
		return contractMapping{op: contract.OpRevoke, status: contract.StatusSuccess,
			reason: contract.ReasonSecurity, severity: plog.SeverityNumberWarn}
	}
	m := actionMappings[action]
	if m.severity == 0 {
		m.severity = plog.SeverityNumberInfo
		if contract.IsAuditDenial(action) {
			m.severity = plog.SeverityNumberWarn
		}
	}
	return m
}

// detailEntry is one parsed detail token. secret names the contract
// attribute that carries a credential value; start:end is where the value
// sits in the detail string.
type detailEntry struct {
	key, value string
	flag       bool
	secret     string
	start, end int
}

// parseDetail splits AuthPlane's canonical detail ("key=value key=value",
// bare words as flags; double-quoted values may hold spaces). Tokens whose
// key is not a plain identifier are skipped (free text stays in the raw
// detail attribute). Plain entries stop at maxDetailAttrs; credentials are
// looked for in the whole string, so that none stays in the raw detail.
func parseDetail(detail string) []detailEntry {
	var out []detailEntry
	plain := 0
	i := 0
	for i < len(detail) {
		for i < len(detail) && isSpace(detail[i]) {
			i++
		}
		if i >= len(detail) {
			break
		}
		start := i
		for i < len(detail) && !isSpace(detail[i]) && detail[i] != '=' {
			i++
		}
		key := detail[start:i]
		e := detailEntry{key: key, flag: true}
		if i < len(detail) && detail[i] == '=' {
			i++
			e.flag, e.start = false, i
			if i < len(detail) && detail[i] == '"' {
				j := i + 1
				for j < len(detail) && detail[j] != '"' {
					if detail[j] == '\\' && j+1 < len(detail) {
						j++
					}
					j++
				}
				e.value = strings.ReplaceAll(detail[i+1:min(j, len(detail))], `\"`, `"`)
				i = min(j+1, len(detail))
			} else {
				for i < len(detail) && !isSpace(detail[i]) {
					i++
				}
				e.value = detail[e.start:i]
			}
			e.end = i
			e.secret = contract.SecretParamAttr(key)
		}
		switch {
		case !validKey(key):
		case e.secret == "" && !plainWord(key):
			// A key or bare word becomes part of an attribute name, where
			// no redaction looks: only plain words (reuse_detection,
			// family), never one that may be a token (digits, capitals; a
			// padded base64 token reads as "key=").
		case e.secret != "":
			out = append(out, e)
		case plain < maxDetailAttrs:
			out = append(out, e)
			plain++
		}
	}
	return out
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func validKey(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// plainWord reports whether a valid key is a plain lowercase word.
func plainWord(k string) bool {
	for i := 0; i < len(k); i++ {
		if c := k[i]; !(c >= 'a' && c <= 'z' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// appendRecord maps one event onto a new log record of sl.
func appendRecord(sl plog.LogRecordSlice, ev *Event, observed time.Time) {
	lr := sl.AppendEmpty()
	entries := parseDetail(ev.Detail)
	flags := map[string]bool{}
	for _, e := range entries {
		if e.flag {
			flags[e.key] = true
		}
	}
	m := mapAction(ev.Action, flags)

	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(observed))
	if ev.HasTime {
		lr.SetTimestamp(pcommon.NewTimestampFromTime(ev.CreatedAt))
	}
	lr.SetSeverityNumber(m.severity)
	lr.SetSeverityText(severityText(m.severity))
	lr.Body().SetStr(ev.Action)
	if ev.TraceID != "" {
		var tid pcommon.TraceID
		if _, err := hex.Decode(tid[:], []byte(ev.TraceID)); err == nil && !tid.IsEmpty() {
			lr.SetTraceID(tid)
		}
	}

	a := lr.Attributes()
	a.EnsureCapacity(10 + len(entries))
	a.PutStr(contract.AttrAuditAction, ev.Action)
	a.PutStr(contract.AttrSide, contract.SideServer)
	m.putContract(a)
	if ev.ClientID != "" {
		a.PutStr(contract.AttrClientID, ev.ClientID)
	}
	a.PutStr(contract.AttrAuditID, ev.ID)
	if ev.ActorID != "" {
		a.PutStr(contract.AttrAuditActorID, ev.ActorID)
	}
	if ev.IP != "" {
		a.PutStr(contract.AttrClientAddress, ev.IP)
	}
	hasSecret := false
	for _, e := range entries {
		switch {
		case e.flag:
			a.PutBool(contract.AttrAuditDetailPrefix+e.key, true)
		case e.secret != "":
			// A credential in the detail goes to its contract attribute
			// (oauth.code, oauth.refresh_token, ...), where oauth_redact
			// fingerprints it and oauth_security correlates it.
			a.PutStr(e.secret, e.value)
			hasSecret = true
		default:
			a.PutStr(contract.AttrAuditDetailPrefix+e.key, e.value)
		}
	}
	detail := ev.Detail
	if hasSecret {
		detail = redactDetail(detail, entries)
	}
	if detail != "" {
		a.PutStr(contract.AttrAuditDetail, detail)
	}
}

// putContract writes the contract attributes of the mapping (none when it
// has no operation): every source's records carry them the same way.
func (m contractMapping) putContract(a pcommon.Map) {
	if m.op == "" {
		return
	}
	a.PutStr(contract.AttrOperation, m.op)
	a.PutStr(contract.AttrStatus, m.status)
	if m.reason != "" {
		a.PutStr(contract.AttrReason, m.reason)
	}
	if m.grant != "" {
		a.PutStr(contract.AttrGrantType, m.grant)
	}
}

// redactDetail returns the detail with each credential value replaced by the
// name of the attribute that carries it and everything else as it was, so
// that the raw detail attribute never holds a credential.
func redactDetail(detail string, entries []detailEntry) string {
	var b strings.Builder
	last := 0
	for _, e := range entries {
		if e.secret == "" {
			continue
		}
		b.WriteString(detail[last:e.start])
		b.WriteString("<" + e.secret + ">")
		last = e.end
	}
	b.WriteString(detail[last:])
	return b.String()
}

func severityText(s plog.SeverityNumber) string {
	switch s {
	case plog.SeverityNumberWarn:
		return "WARN"
	case plog.SeverityNumberError:
		return "ERROR"
	default:
		return "INFO"
	}
}

// toLogs builds one plog.Logs holding the events, in order.
func toLogs(events []Event, scope string, observed time.Time) plog.Logs {
	ld := plog.NewLogs()
	sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	sl.Scope().SetName(scope)
	recs := sl.LogRecords()
	recs.EnsureCapacity(len(events))
	for i := range events {
		appendRecord(recs, &events[i], observed)
	}
	return ld
}
