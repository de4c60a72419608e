// Package join is the bounded join buffer of the oauth_normalize processor.
// A vocabulary maps a request onto its root SERVER span, but some servers
// write what the request means on a child (Keycloak 26.3+, Hydra), and the
// SDKs export a child before its root, often in another batch. The buffer
// holds the spans of a trace a vocabulary claims (vocab.Claimer) whose
// request root is not in the batch, until the root arrives (then they go on
// with that batch, to be mapped together), or until a bounded wait passes,
// the buffer overflows or the processor shuts down: then they are passed on
// as they are (a timeout or shutdown on their own; an overflow with the
// batch that caused it). It never drops a span itself and never emits one
// twice; held spans are lost only when the next consumer refuses them
// after their sender was answered, and that is counted (Observer.EmitFailed).
//
// Unlike contrib's groupbytrace (which discards on eviction and shutdown)
// it holds only claimed traces, and only while their root is missing: a
// batch whose claimed spans have their roots in it passes at once.
package join

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
)

// Reason is why held spans left the buffer: the `reason` attribute of the
// releases metric.
type Reason int

const (
	// Root: the request root arrived; the spans went on with its batch.
	Root Reason = iota
	// Timeout: the wait passed without the root.
	Timeout
	// Overflow: the buffer was full; the oldest trace left.
	Overflow
	// Shutdown: the processor stopped.
	Shutdown
	NumReasons
)

// ReasonNames are the reason names by index.
var ReasonNames = [NumReasons]string{"root", "timeout", "overflow", "shutdown"}

// Settings configure a Buffer.
type Settings struct {
	// Wait is how long a trace is held at most (from its first held span).
	Wait time.Duration
	// MaxSpans and MaxTraces bound what is held; past either, the oldest
	// traces are released (Overflow).
	MaxSpans, MaxTraces int
	// Claimers are the enabled vocabularies' hooks: a span is claimed when
	// one of them claims it.
	Claimers []vocab.Claimer
	// Emit passes traces released outside a batch (Timeout, Overflow,
	// Shutdown) on; its error is reported to Observer.EmitFailed.
	Emit func(context.Context, ptrace.Traces) error
	// Observer is told what is held and released.
	Observer Observer
}

// Observer is told what the buffer does (the processor's self-telemetry).
type Observer interface {
	// Held: the held spans and traces changed by these amounts.
	Held(ctx context.Context, spans, traces int64)
	// Released: traces left the buffer for reason.
	Released(ctx context.Context, reason Reason, traces int64)
	// EmitFailed: the next consumer refused spans released for reason.
	EmitFailed(ctx context.Context, reason Reason, spans int, err error)
}
