package oauthgen

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	scenario "github.com/otelcol-oauth/otelcol-oauth/internal/oauthscenario"
)

// AttackTruth is one injected attack: the finding the collector must raise
// on a record of this trace, once.
type AttackTruth struct {
	TraceID   string `json:"trace_id"`
	EventType string `json:"event_type"`
	Severity  string `json:"severity"`
	Variant   string `json:"variant"`
	Shard     int    `json:"shard"`
}

// Truth is the ground truth of what a generator emitted.
type Truth struct {
	Config     Config `json:"config"`
	Marker     string `json:"secret_marker"`
	Shards     int    `json:"shards"`
	Requests   int    `json:"requests"`
	Spans      int    `json:"spans"`
	Logs       int    `json:"logs"`
	DataPoints int    `json:"data_points"`
	// Secrets counts the raw secrets placed, by position.
	Secrets map[string]int `json:"raw_secrets_by_position"`
	// Attacks lists every attack whose records were emitted.
	Attacks []AttackTruth `json:"expected_findings"`
	// Unflagged lists attacks that raise no finding by the contract, only
	// their counters (Hydra traffic: a PKCE mismatch is a
	// pkce_validations_total failure, invalid_hash).
	Unflagged []AttackTruth `json:"attacks_without_finding,omitempty"`
	// ExpectedMetrics are the contract's counters the emitted records must
	// produce, keyed as name{label="value",...} with labels in contract
	// order. Counters only: gauges depend on TTLs and histograms on timing.
	ExpectedMetrics map[string]float64 `json:"expected_metrics"`

	attackSeen map[string]bool
}

func newTruth(cfg Config) *Truth {
	return &Truth{Config: cfg, Marker: Marker, Secrets: map[string]int{}, ExpectedMetrics: map[string]float64{},
		attackSeen: map[string]bool{}}
}

func (t *Truth) position(p string) { t.Secrets[p]++ }

// Records is every span, log record and data point emitted.
func (t *Truth) Records() int { return t.Spans + t.Logs + t.DataPoints }

// MetricKey formats a metric key as ExpectedMetrics uses it: labels in the
// given order.
func MetricKey(name string, kv ...string) string {
	if len(kv) == 0 {
		return name
	}
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", kv[i], kv[i+1])
	}
	b.WriteByte('}')
	return b.String()
}

func (t *Truth) add(name string, kv ...string) { t.ExpectedMetrics[MetricKey(name, kv...)]++ }

// ScenarioAttacks returns the attacks as the scenario's scorer expects them.
func (t *Truth) ScenarioAttacks() *scenario.Scenario {
	s := &scenario.Scenario{}
	for _, a := range t.Attacks {
		var id pcommon.TraceID
		b, _ := hex.DecodeString(a.TraceID)
		copy(id[:], b)
		s.Attacks = append(s.Attacks, scenario.Attack{TraceID: id, EventType: a.EventType, Variant: a.Variant})
	}
	return s
}

// record accounts one emitted OAuth-scenario record.
func (t *Truth) record(r *scenario.Record, attrs map[string]string, isSpan, errStatus bool, attacks []scenario.Attack) {
	reuse := false
	for _, a := range attacks {
		if a.EventType == contract.EventTokenReuse {
			reuse = true
		}
		id := hex.EncodeToString(a.TraceID[:])
		k := id + "/" + a.EventType
		if t.attackSeen[k] {
			continue
		}
		t.attackSeen[k] = true
		f, _ := contract.LookupFinding(a.EventType)
		t.Attacks = append(t.Attacks, AttackTruth{TraceID: id, EventType: a.EventType, Severity: f.Severity, Variant: a.Variant, Shard: t.Shards - 1})
		t.add(contract.MetricSecurityEventsTotal, contract.LabelEventType, a.EventType, contract.LabelSeverity, f.Severity)
		switch a.EventType {
		case contract.EventCodeInjection:
			t.add(contract.MetricCodeInjectionAttemptsTotal)
		case contract.EventIntegrityViolation:
			v := contract.ViolationHashMismatch
			if a.Variant == "state_replay" {
				v = contract.ViolationStateReuse
			}
			t.add(contract.MetricIntegrityViolationsTotal, contract.LabelViolationType, v)
		}
	}
	op := attrs[contract.AttrOperation]
	if op == "" {
		return
	}
	rec, none := pcommon.NewMap(), pcommon.NewMap()
	for _, k := range []string{contract.AttrStatus, contract.AttrReason} {
		if v, ok := attrs[k]; ok {
			rec.PutStr(k, v)
		}
	}
	code := ptrace.StatusCodeUnset
	if errStatus {
		code = ptrace.StatusCodeError
	}
	status := contract.Status(rec, none, op, code)
	reason := contract.Reason(rec, none, op, status)
	if op == contract.OpRefresh && reuse && status == contract.StatusSuccess && (reason == contract.ReasonNormal) {
		status, reason = contract.StatusReuseDetected, contract.ReasonReuseDetected
	}
	status = contract.Bound(status, contract.Statuses)
	bReason := func() string { return contract.Bound(reason, contract.ReasonsByOperation[op]) }
	prov := attrs[contract.AttrProvider]
	if prov == "" {
		prov = contract.Other
	}
	switch op {
	case contract.OpAuthorize, contract.OpCallback:
		t.add(contract.MetricFlowsTotal, contract.LabelProvider, prov, contract.LabelStatus, status)
	case contract.OpRefresh:
		t.add(contract.MetricTokenRefreshTotal, contract.LabelStatus, status, contract.LabelReason, bReason())
	case contract.OpRevoke:
		t.add(contract.MetricTokenRevocationsTotal, contract.LabelReason, bReason())
	case contract.OpPKCEValidate:
		t.add(contract.MetricPKCEValidationsTotal, contract.LabelStatus, status, contract.LabelReason, bReason())
	case contract.OpPKCECreate:
		t.add(contract.MetricPKCEStatesCreatedTotal)
	case contract.OpRegister:
		t.add(contract.MetricClientRegistrationsTotal, contract.LabelStatus, status)
	case contract.OpPKCECleanup:
		n, err := strconv.Atoi(attrs[contract.AttrPKCECleanedCount])
		if err != nil {
			n = 1
		}
		t.ExpectedMetrics[MetricKey(contract.MetricPKCEStatesCleanedTotal, contract.LabelReason, bReason())] += float64(n)
	case contract.OpDiscovery:
		t.add(contract.MetricDiscoveryAttemptsTotal, contract.LabelMethod, contract.Bound(attrs[contract.AttrDiscoveryMethod], contract.DiscoveryMethods), contract.LabelStatus, status)
	}
	_ = isSpan
}

// SortedPositions lists the secret positions covered, sorted.
func (t *Truth) SortedPositions() []string {
	var out []string
	for p := range t.Secrets {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// WriteFile writes the ground truth as indented JSON.
func (t *Truth) WriteFile(path string) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Clone returns a deep copy (a snapshot of the truth at this point).
func (t *Truth) Clone() *Truth {
	c := *t
	c.Secrets = make(map[string]int, len(t.Secrets))
	for k, v := range t.Secrets {
		c.Secrets[k] = v
	}
	c.ExpectedMetrics = make(map[string]float64, len(t.ExpectedMetrics))
	for k, v := range t.ExpectedMetrics {
		c.ExpectedMetrics[k] = v
	}
	c.Attacks = append([]AttackTruth(nil), t.Attacks...)
	c.Unflagged = append([]AttackTruth(nil), t.Unflagged...)
	c.attackSeen = make(map[string]bool, len(t.attackSeen))
	for k, v := range t.attackSeen {
		c.attackSeen[k] = v
	}
	return &c
}
