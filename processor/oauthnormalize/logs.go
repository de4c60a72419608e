package oauthnormalize

import (
	"context"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/authplaneaudit"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/authplaneslog"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/pino"
)

// processLogs maps each log record by the first vocabulary that claims it.
// Records of the findings connector are the collector's own and are left
// alone.
func (n *normalizer) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	var c counts
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		res := rls.At(i).Resource().Attributes()
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				n.mapLog(lrs.At(k), res, &c)
			}
		}
	}
	n.tel.record(ctx, &c)
	return ld, nil
}

func (n *normalizer) mapLog(lr plog.LogRecord, res pcommon.Map, c *counts) {
	attrs := lr.Attributes()
	if contract.IsFindingRecord(attrs) {
		return
	}
	v := &n.cfg.Vocabularies
	if v.Keycloak.Enabled && n.mapKeycloakLog(lr, res, c) {
		return
	}
	var m vocab.Mapping
	var verdict vocab.Verdict
	which := 0
	switch {
	case v.Pino.Enabled && claim(&verdict, pino.Map(attrs, &m)):
		which = vocab.Pino
	case v.AuthPlaneAudit.Enabled && claim(&verdict, authplaneaudit.Map(attrs, res, &m)):
		which = vocab.AuthPlaneAudit
	case v.AuthPlaneSlog.Enabled && claim(&verdict, authplaneslog.Map(lr, n.counted, v.AuthPlaneSlog.Provider, &m)):
		which = vocab.AuthPlaneSlog
	default:
		return
	}
	if verdict.Reason == vocab.Mapped {
		m.Write(attrs, res)
	}
	c.add(which, verdict)
}

// claim keeps a vocabulary's verdict and reports whether it claimed the
// record.
func claim(dst *vocab.Verdict, v vocab.Verdict) bool {
	*dst = v
	return v.Claimed
}
