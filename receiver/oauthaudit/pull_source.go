package oauthaudit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadata"
)

// Sources (the pull.source setting).
const (
	SourceAuthPlane = "authplane"
	SourceOkta      = "okta"
	SourceAuth0     = "auth0"
	SourceKeycloak  = "keycloak"
)

// pageSource is what a cursor-paged audit API brings to the shared pull
// machinery (puller): how to ask for a page, how to read one, and how its
// events become log records. The machinery does the rest the same way for
// every source: the HTTP call and its errors (get), retries with backoff,
// Retry-After and rate-limit headers (pollOnce), the cursor and the seen-set
// in the storage extension, advanced only once the pipeline accepted a page
// (pollPages), skipping and counting malformed events, and the telemetry.
//
// Time-window APIs paged by offset (AuthPlane's audit, Keycloak's events)
// are a windowSource polled by poll; a cursor- or id-paged one (Okta,
// Auth0's from=<log_id>) fits this one.
type pageSource interface {
	// firstURL is the request of a first start, with no stored cursor:
	// everything since start.
	firstURL(start time.Time) string
	// parsePage splits a 2xx answer into raw events and the URL of the next
	// page ("" when the answer names none).
	parsePage(body []byte, h http.Header) (raws []json.RawMessage, next string, err error)
	// parseEvent reads one raw event: its id (for de-duplication) and time.
	parseEvent(raw json.RawMessage) (pagedEvent, error)
	// appendRecord maps one parsed event onto a new log record of sl.
	appendRecord(sl plog.LogRecordSlice, ev *pagedEvent, observed time.Time)
	// checkNext refuses a next URL the credentials must not be sent to.
	checkNext(next string) error
	// authHint names the setting to check on 401/403.
	authHint() string
}

// pagedEvent is one parsed event of a pageSource; data is the source's own
// decoded form.
type pagedEvent struct {
	id   string
	at   time.Time
	data any
}

// pageCursor is the stored state of a pageSource: the next request and the
// ids delivered lately, to drop what a restart's overlap (or the API) serves
// twice.
type pageCursor struct {
	Next string   `json:"next"`
	Seen *seenSet `json:"seen"`
}

func (p *puller) sourceName() string {
	if p.source == "" {
		return SourceAuthPlane
	}
	return p.source
}

func (p *puller) sourceSet() metric.MeasurementOption {
	return metric.WithAttributeSet(attribute.NewSet(attribute.String("source", p.sourceName())))
}

// cursorKey is the storage key of the cursor: AuthPlane's is the plain key
// (it predates the other sources), every other source's has its name.
func (p *puller) cursorKey() string {
	if p.sourceName() == SourceAuthPlane {
		return cursorKey
	}
	return cursorKey + "_" + p.sourceName()
}

// pollSource runs one poll of the configured source.
func (p *puller) pollSource(ctx context.Context) (bool, error) {
	start := p.now()
	var more bool
	var err error
	if p.pages != nil {
		more, err = p.pollPages(ctx)
	} else {
		more, err = p.poll(ctx)
	}
	if err == nil && !more {
		p.caughtUp = start
	}
	p.recordLag(ctx)
	return more, err
}

// recordLag sets the poll lag: now minus the later of the newest delivered
// event time and the start of the last poll that reached the end.
func (p *puller) recordLag(ctx context.Context) {
	pos := p.caughtUp
	if p.newest.After(pos) {
		pos = p.newest
	}
	if pos.IsZero() {
		return
	}
	p.tel.ReceiverOauthAuditPollLag.Record(ctx, max(p.now().Sub(pos), 0).Seconds(), p.sourceSet())
}

// delivered counts an accepted batch and remembers its newest event time.
func (p *puller) delivered(ctx context.Context, n int, newest time.Time) {
	p.tel.ReceiverOauthAuditEventsDelivered.Add(ctx, int64(n), p.sourceSet())
	if newest.After(p.newest) {
		p.newest = newest
	}
}

// loadPageCursor reads the stored page cursor, or starts from start_at /
// initial_lookback.
func (p *puller) loadPageCursor(ctx context.Context) error {
	key := p.cursorKey()
	if p.store != nil {
		b, err := p.store.Get(ctx, key)
		if err != nil {
			return fmt.Errorf("storage: reading the pull cursor: %w", err)
		}
		if b != nil {
			var c pageCursor
			if err := json.Unmarshal(b, &c); err != nil || c.Next == "" || p.pages.checkNext(c.Next) != nil {
				return fmt.Errorf("storage: the stored pull cursor (key %q) is unreadable or not of pull.endpoint; delete it to start from pull.start_at / pull.initial_lookback", key)
			}
			if c.Seen == nil {
				c.Seen = newSeenSet(seenCapacity)
			}
			p.pageCur = c
			p.logger.Info("resuming audit pull from the stored cursor", zap.String("source", p.sourceName()), zap.Int("seen_ids", c.Seen.Len()))
			return nil
		}
	}
	start := p.cfg.StartAt.UTC()
	if start.IsZero() {
		start = p.now().UTC().Add(-p.cfg.InitialLookback).Truncate(time.Second)
	}
	p.pageCur = pageCursor{Next: p.pages.firstURL(start), Seen: newSeenSet(seenCapacity)}
	return nil
}

func (p *puller) savePageCursor(ctx context.Context) {
	if p.store == nil {
		return
	}
	b, _ := json.Marshal(p.pageCur)
	if err := p.store.Set(context.WithoutCancel(ctx), p.cursorKey(), b); err != nil {
		p.logger.Warn("storing the pull cursor failed; a restart may repeat events", zap.Error(err))
	}
}

// pollPages follows the next links from the stored cursor until a page holds
// no event (caught up), or max_events_per_poll events were read (more: the
// next poll follows at once). Each page is delivered whole before the next is
// asked for, so one poll holds one page in memory.
func (p *puller) pollPages(ctx context.Context) (more bool, err error) {
	read := 0
	for {
		if err := p.pages.checkNext(p.pageCur.Next); err != nil {
			return false, err
		}
		body, h, err := p.get(ctx, p.pageCur.Next)
		if err != nil {
			return false, err
		}
		raws, next, err := p.pages.parsePage(body, h)
		if err != nil {
			return false, err
		}
		if next != "" {
			if err := p.pages.checkNext(next); err != nil {
				return false, err
			}
		}
		fresh, ids := p.freshEvents(ctx, raws)
		err = p.deliverPage(ctx, fresh)
		p.pageCur.Seen.Settle(ids, err == nil)
		if err != nil {
			return false, err
		}
		advanced := next != "" && next != p.pageCur.Next
		if next != "" {
			p.pageCur.Next = next
		}
		if len(raws) > 0 || advanced {
			p.savePageCursor(ctx)
		}
		read += len(raws)
		if len(raws) == 0 || !advanced {
			// Caught up: an empty page (whose next link is where new
			// events will appear), or an API that names no further page.
			return false, nil
		}
		if p.cfg.MaxEventsPerPoll > 0 && read >= p.cfg.MaxEventsPerPoll {
			return true, nil
		}
	}
}

// freshEvents parses a page: malformed events are skipped and counted,
// events already delivered (or being delivered by a push) are dropped. ids
// are the claimed ids of fresh (to be settled once the page is delivered).
func (p *puller) freshEvents(ctx context.Context, raws []json.RawMessage) (fresh []pagedEvent, ids []string) {
	for i, raw := range raws {
		ev, err := p.pages.parseEvent(raw)
		if err != nil {
			p.tel.ReceiverOauthAuditEventsSkipped.Add(ctx, 1)
			p.logger.Warn("skipping a malformed audit event", zap.String("source", p.sourceName()), zap.Int("index", i), zap.Error(err))
			continue
		}
		if !p.pageCur.Seen.Claim(ev.id) {
			continue
		}
		ids = append(ids, ev.id)
		fresh = append(fresh, ev)
	}
	return fresh, ids
}

// deliverPage hands one page's events to the pipeline; an error leaves the
// cursor where it was, so the page is asked for again.
func (p *puller) deliverPage(ctx context.Context, events []pagedEvent) error {
	if len(events) == 0 {
		return nil
	}
	return p.consume(ctx, events, p.pages.appendRecord)
}

// consume hands events to the pipeline as one batch of records made by
// add: the delivery every source shares. A refusal is an error (the caller
// keeps its cursor, the events are asked for again); a permanent rejection
// is logged and passed over, as in every collector receiver.
func (p *puller) consume(ctx context.Context, events []pagedEvent, add func(plog.LogRecordSlice, *pagedEvent, time.Time)) error {
	observed := p.now()
	ld := plog.NewLogs()
	sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	sl.Scope().SetName(metadata.ScopeName)
	recs := sl.LogRecords()
	recs.EnsureCapacity(len(events))
	var newest time.Time
	for i := range events {
		add(recs, &events[i], observed)
		if events[i].at.After(newest) {
			newest = events[i].at
		}
	}
	octx := p.obs.StartLogsOp(ctx)
	err := p.next.ConsumeLogs(octx, ld)
	p.obs.EndLogsOp(octx, "json", len(events), err)
	if err != nil {
		if !consumererror.IsPermanent(err) {
			return fmt.Errorf("the pipeline refused %d audit events: %w", len(events), err)
		}
		p.logger.Error("the pipeline permanently rejected audit events; they are dropped", zap.Int("events", len(events)), zap.Error(err))
		return nil
	}
	p.tel.ReceiverOauthAuditEventsReceived.Add(ctx, int64(len(events)), p.modeSet)
	p.delivered(ctx, len(events), newest)
	return nil
}

// apiBase is the scheme://host[/prefix] of an audit API endpoint, with
// apiPath (and a trailing slash, query and fragment) taken off: what a
// cursor-paged source builds its URLs on and checks its next URLs against.
func apiBase(endpoint, apiPath string) (*url.URL, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, errors.New("pull.endpoint: must be an absolute http(s) URL")
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), apiPath)
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// onAPI reports whether next is a URL of base's apiPath (same scheme, host,
// path, no user info): the credentials go with it.
func onAPI(base *url.URL, apiPath, next string) bool {
	u, err := url.Parse(next)
	return err == nil && u.Scheme == base.Scheme && u.Host == base.Host && u.Path == base.Path+apiPath && u.User == nil
}
