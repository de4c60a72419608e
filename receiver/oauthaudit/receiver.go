package oauthaudit

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.uber.org/zap"

	"github.com/otelcol-oauth/otelcol-oauth/internal/storageclient"
	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadata"
)

// auditReceiver runs the pull loop and/or the push server.
type auditReceiver struct {
	cfg  *Config
	set  receiver.Settings
	next consumer.Logs
	tel  *metadata.TelemetryBuilder

	pullObs *receiverhelper.ObsReport
	pushObs *receiverhelper.ObsReport

	// now and sleep are replaced by tests.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	cancel  context.CancelFunc
	wg      sync.WaitGroup
	server  *http.Server
	store   storage.Client
	puller  *puller
	handler *pushHandler
	addr    net.Addr
}

func newAuditReceiver(cfg *Config, set receiver.Settings, next consumer.Logs) (*auditReceiver, error) {
	tel, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	r := &auditReceiver{cfg: cfg, set: set, next: next, tel: tel, now: time.Now, sleep: sleepCtx}
	if r.pullObs, err = newObs(set); err != nil {
		return nil, err
	}
	if r.pushObs, err = newObs(set); err != nil {
		return nil, err
	}
	return r, nil
}

func newObs(set receiver.Settings) (*receiverhelper.ObsReport, error) {
	return receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID: set.ID, Transport: "http", ReceiverCreateSettings: set,
	})
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Start opens the storage client, loads the cursor, starts the poll loop and
// the push server.
func (r *auditReceiver) Start(ctx context.Context, host component.Host) error {
	runCtx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	if p := r.cfg.Pull.Get(); p != nil {
		if err := r.startPull(ctx, runCtx, host, p); err != nil {
			return err
		}
	}
	if p := r.cfg.Push.Get(); p != nil {
		if err := r.startPush(ctx, host, p); err != nil {
			return err
		}
	}
	return nil
}

func (r *auditReceiver) startPull(ctx, runCtx context.Context, host component.Host, p *PullConfig) error {
	base, err := url.Parse(p.Endpoint)
	if err != nil {
		return errors.New("pull.endpoint: must be an absolute http(s) URL")
	}
	client, err := p.ToClient(ctx, host.GetExtensions(), r.set.TelemetrySettings)
	if err != nil {
		return fmt.Errorf("pull: %w", err)
	}
	if r.cfg.Storage != nil {
		if r.store, err = storageclient.Get(ctx, host, *r.cfg.Storage, component.KindReceiver, r.set.ID, "pull"); err != nil {
			return err
		}
	}
	r.puller = &puller{
		cfg: p, client: client, next: r.next, logger: r.set.Logger, tel: r.tel, obs: r.pullObs,
		store: r.store, now: r.now, jitter: rand.Float64, sleep: r.sleep, base: base, modeSet: modeAttr("pull"),
	}
	if r.cfg.Source == SourceOkta {
		src, err := newOktaSource(p.Endpoint, p.Limit)
		if err != nil {
			return err
		}
		r.puller.source, r.puller.pages = SourceOkta, src
		err = r.puller.loadPageCursor(ctx)
		if err != nil {
			return err
		}
	} else if r.cfg.Source == SourceAuth0 {
		src, err := newAuth0Source(p.Endpoint, p.Limit, p.StartLogID)
		if err != nil {
			return err
		}
		r.puller.source, r.puller.pages = SourceAuth0, src
		if err := r.puller.loadPageCursor(ctx); err != nil {
			return err
		}
	} else {
		if r.cfg.Source == SourceKeycloak {
			src, err := newKeycloakSource(p.Endpoint, p.Realm, p.EventTypes)
			if err != nil {
				return err
			}
			r.puller.source, r.puller.window = SourceKeycloak, src
		}
		if err := r.puller.loadCursor(ctx); err != nil {
			return err
		}
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.puller.run(runCtx)
	}()
	return nil
}

func (r *auditReceiver) startPush(ctx context.Context, host component.Host, p *PushConfig) error {
	r.handler = &pushHandler{
		cfg: p, next: r.next, logger: r.set.Logger, tel: r.tel, obs: r.pushObs, now: r.now, modeSet: modeAttr("push"),
	}
	if r.cfg.Source == SourceAuth0 {
		r.handler.decode = decodeAuth0Stream(r.sharedSeen())
	}
	mux := http.NewServeMux()
	mux.Handle(p.Path, r.handler)
	ln, err := p.ToListener(ctx)
	if err != nil {
		return fmt.Errorf("push: listening on %s: %w", p.NetAddr.Endpoint, err)
	}
	r.addr = ln.Addr()
	srv, err := p.ToServer(ctx, host.GetExtensions(), r.set.TelemetrySettings, mux)
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("push: %w", err)
	}
	r.set.Logger.Info("oauth_audit push endpoint listening", zap.String("endpoint", r.addr.String()), zap.String("path", p.Path))
	r.server = srv
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(err))
		}
	}()
	return nil
}

// Shutdown stops polling (an in-flight delivery completes or is cancelled
// before the cursor moves), drains the push server and closes the storage.
// It may be called without Start, and more than once.
func (r *auditReceiver) Shutdown(ctx context.Context) error {
	var errs []error
	if r.cancel != nil {
		r.cancel()
	}
	if r.server != nil {
		errs = append(errs, r.server.Shutdown(ctx))
		r.server = nil
	}
	r.wg.Wait()
	if r.puller != nil {
		// Keep-alive connections to the audit API would outlive the receiver.
		r.puller.client.CloseIdleConnections()
	}
	if r.store != nil {
		errs = append(errs, r.store.Close(ctx))
		r.store = nil
	}
	r.tel.Shutdown()
	return errors.Join(errs...)
}
