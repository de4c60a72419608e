package oauthaudit

import (
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
)

// auditReceiver will pull and accept audit events (issue 6); until then it
// starts and stops without producing data.
type auditReceiver struct {
	component.StartFunc
	component.ShutdownFunc
	cfg  *Config
	next consumer.Logs
}

func newAuditReceiver(cfg *Config, _ receiver.Settings, next consumer.Logs) *auditReceiver {
	return &auditReceiver{cfg: cfg, next: next}
}
