package oauthsecurity

import (
	"context"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
)

// detector will find attacks (issue 4); until then it passes data through.
type detector struct {
	cfg *Config
}

func newDetector(cfg *Config, _ processor.Settings) *detector {
	return &detector{cfg: cfg}
}

func (d *detector) processTraces(_ context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	return td, nil
}

func (d *detector) processLogs(_ context.Context, ld plog.Logs) (plog.Logs, error) {
	return ld, nil
}
