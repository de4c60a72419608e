package oauthnormalize

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/join"
)

// tracesProcessor is the traces side of oauth_normalize. It is not a
// processorhelper func: the join buffer emits to the next consumer on its
// own (a timeout) and at shutdown, as contrib's groupbytrace does.
type tracesProcessor struct {
	id   component.ID
	n    *normalizer
	next consumer.Traces
	// join is nil when the join is off or no enabled vocabulary claims.
	join     *join.Buffer
	shutdown sync.Once
}

func newTracesProcessor(set processor.Settings, n *normalizer, next consumer.Traces) *tracesProcessor {
	p := &tracesProcessor{id: set.ID, n: n, next: next}
	if j := n.cfg.Join; j.Enabled && len(n.claimers) > 0 {
		p.join = join.New(join.Settings{
			Wait: j.Wait, MaxSpans: j.MaxSpans, MaxTraces: j.MaxTraces,
			Claimers: n.claimers,
			Emit:     p.emit,
			Observer: newJoinObserver(n.tel.tb, set.Logger),
		})
	}
	return p
}

func (*tracesProcessor) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

func (p *tracesProcessor) Start(context.Context, component.Host) error {
	if p.join != nil {
		p.join.Start()
	}
	return nil
}

// Shutdown passes everything held on (the next consumer shuts down after
// this processor), then releases the shared normalizer.
func (p *tracesProcessor) Shutdown(ctx context.Context) error {
	p.shutdown.Do(func() {
		if p.join != nil {
			p.join.Shutdown(ctx)
		}
		release(p.id, p.n)
	})
	return nil
}

// ConsumeTraces maps a batch and passes it on: through the join buffer,
// which may hold some of its traces and add held ones whose root came.
func (p *tracesProcessor) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	if p.join == nil {
		p.n.mapTraces(ctx, td, nil)
		return p.next.ConsumeTraces(ctx, td)
	}
	b := p.join.Process(ctx, td)
	if b.Traces.ResourceSpans().Len() == 0 {
		return nil // all held
	}
	p.n.mapTraces(ctx, b.Traces, b.Index)
	routeWhole(b.Traces, b.Roots)
	return p.next.ConsumeTraces(ctx, b.Traces)
}

// emit passes on traces the buffer released without their root (timeout,
// overflow, shutdown): mapped as they stand, which is what the processor
// did before the join, so the claimed spans count root_not_in_batch and
// their request stays unmapped.
func (p *tracesProcessor) emit(ctx context.Context, td ptrace.Traces) error {
	p.n.mapTraces(ctx, td, nil)
	return p.next.ConsumeTraces(ctx, td)
}
