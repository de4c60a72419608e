package oauthaudit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadata"
)

const (
	cursorKey       = "pull_cursor"
	auditPath       = "/admin/audit"
	maxPageBytes    = 64 << 20
	maxRetryAfter   = time.Hour
	sinceSafetySkew = time.Second
	// commitSettle keeps the newest seconds out of a poll. AuthPlane stamps
	// created_at before the insert commits (the audit row is written in the
	// request's transaction): a poll between the two would miss the event,
	// and once the cursor moved past its timestamp it would never come.
	commitSettle = 5 * time.Second
)

// cursor marks how far the pull has delivered: every event older than TS,
// and the events at TS whose ids are in IDs, were accepted by the pipeline.
type cursor struct {
	TS  time.Time `json:"ts"`
	IDs []string  `json:"ids,omitempty"`
}

// seen reports whether ev is already delivered according to the cursor.
func (c *cursor) seen(ev *pagedEvent) bool {
	if ev.at.Before(c.TS) {
		return true
	}
	return ev.at.Equal(c.TS) && slices.Contains(c.IDs, ev.id)
}

// advance moves the cursor past ev (events are advanced in (time, id) order).
func (c *cursor) advance(ev *pagedEvent) {
	switch {
	case ev.at.After(c.TS):
		c.TS, c.IDs = ev.at, []string{ev.id}
	case ev.at.Equal(c.TS) && !slices.Contains(c.IDs, ev.id):
		c.IDs = append(c.IDs, ev.id)
	}
}

// puller is the shared pull machinery: it polls an audit API by time
// windows paged by offset (poll: AuthPlane's, Keycloak's) or a cursor-paged
// pageSource (pollPages). It is driven by run on one goroutine.
type puller struct {
	cfg     *PullConfig
	client  *http.Client
	next    consumer.Logs
	logger  *zap.Logger
	tel     *metadata.TelemetryBuilder
	obs     *receiverhelper.ObsReport
	store   storage.Client
	now     func() time.Time
	jitter  func() float64 // in [0,1)
	sleep   func(ctx context.Context, d time.Duration) error
	cur     cursor
	fails   int
	base    *url.URL
	modeSet metric.MeasurementOption

	// source names the pull source (empty: AuthPlane); pages is its paging
	// and mapping when it is cursor-paged (nil: time windows), and pageCur
	// its cursor. window is a time-window source (nil: AuthPlane's).
	source  string
	pages   pageSource
	pageCur pageCursor
	window  windowSource
	// newest is the newest delivered event time, caughtUp the start of the
	// last poll that reached the end of the log (for the poll lag).
	newest, caughtUp time.Time
}

// loadCursor reads the stored cursor, or starts from start_at /
// initial_lookback.
func (p *puller) loadCursor(ctx context.Context) error {
	if p.store != nil {
		b, err := p.store.Get(ctx, p.cursorKey())
		if err != nil {
			return fmt.Errorf("storage: reading the pull cursor: %w", err)
		}
		if b != nil {
			var c cursor
			if err := json.Unmarshal(b, &c); err != nil || c.TS.IsZero() {
				return fmt.Errorf("storage: the stored pull cursor (key %q) is unreadable; delete it to start from pull.start_at / pull.initial_lookback", p.cursorKey())
			}
			c.TS = c.TS.UTC()
			p.cur = c
			p.logger.Info("resuming audit pull from the stored cursor", zap.String("source", p.sourceName()), zap.Time("since", c.TS), zap.Int("ids_at_since", len(c.IDs)))
			return nil
		}
	}
	if !p.cfg.StartAt.IsZero() {
		p.cur = cursor{TS: p.cfg.StartAt.UTC()}
	} else {
		p.cur = cursor{TS: p.now().UTC().Add(-p.cfg.InitialLookback).Truncate(time.Second)}
	}
	return nil
}

// saveCursor persists the cursor. It is called once the pipeline accepted
// the events it covers, so a Shutdown cancelling ctx at that moment must not
// keep it from being written: a restart would deliver them again.
func (p *puller) saveCursor(ctx context.Context) {
	if p.store == nil {
		return
	}
	b, _ := json.Marshal(p.cur)
	if err := p.store.Set(context.WithoutCancel(ctx), p.cursorKey(), b); err != nil {
		p.logger.Warn("storing the pull cursor failed; a restart may repeat events", zap.Error(err))
	}
}

// run polls until ctx ends.
func (p *puller) run(ctx context.Context) {
	for {
		delay := p.pollOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if err := p.sleep(ctx, delay); err != nil {
			return
		}
	}
}

// pollOnce runs one poll and returns the delay before the next.
func (p *puller) pollOnce(ctx context.Context) time.Duration {
	p.tel.ReceiverOauthAuditPolls.Add(ctx, 1)
	more, err := p.pollSource(ctx)
	if err == nil {
		p.fails = 0
		if more {
			// A narrowed window was delivered: catch up without waiting.
			return 0
		}
		return p.cfg.PollInterval
	}
	if ctx.Err() != nil {
		return 0
	}
	p.tel.ReceiverOauthAuditPollErrors.Add(ctx, 1)
	p.fails++
	delay := p.backoff()
	var se *httpStatusError
	if errors.As(err, &se) && se.retryAfter > delay {
		delay = se.retryAfter
	}
	p.logger.Warn("audit poll failed; retrying", zap.Error(err), zap.Duration("retry_in", delay), zap.Int("consecutive_failures", p.fails))
	return delay
}

// backoff is exponential in the number of consecutive failures, capped, with
// "equal jitter": half fixed, half random.
func (p *puller) backoff() time.Duration {
	b := p.cfg.Backoff
	d := float64(b.InitialInterval) * math.Pow(2, float64(min(p.fails-1, 30)))
	if d > float64(b.MaxInterval) {
		d = float64(b.MaxInterval)
	}
	return time.Duration(d/2 + p.jitter()*d/2)
}

// poll delivers the events of one window after the cursor. more reports that
// the window was narrowed (too many events for one poll) and more are due.
func (p *puller) poll(ctx context.Context) (more bool, err error) {
	// The window ends commitSettle before now (whole seconds, as the API
	// speaks RFC 3339): with a fixed upper bound, events arriving while we
	// page do not shift the offsets of a newest-first listing.
	until := p.now().UTC().Add(-commitSettle).Truncate(time.Second)
	// since is at or before the cursor (windowSource.since); what the
	// cursor already covers is dropped below.
	since := p.windowSrc().since(p.cur.TS)

	var fresh []pagedEvent
	for {
		// A window of two seconds or less is taken whole, however big; so
		// is the window of a server that takes no upper bound (Keycloak
		// before 26.2 lists newest first from now): narrowing it would
		// page the same listing again at every step.
		capped := p.cfg.MaxEventsPerPoll > 0 && until.Sub(since) > 2*time.Second && !p.windowSrc().newestFirst()
		var complete bool
		if fresh, complete, err = p.collect(ctx, since, until, capped); err != nil {
			return false, err
		}
		if complete {
			break
		}
		// Too many events for one poll: halve the window, whatever the
		// server's sort order, and deliver the older half first. It keeps at
		// least two seconds, so that it reaches past the cursor's second.
		until = since.Add(max(until.Sub(since)/2, 2*time.Second)).Truncate(time.Second)
		more = true
	}
	// Deliver oldest first so that the cursor can advance batch by batch.
	slices.SortStableFunc(fresh, func(a, b pagedEvent) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	for len(fresh) > 0 {
		n := min(len(fresh), p.cfg.Limit)
		if err := p.deliver(ctx, fresh[:n]); err != nil {
			return false, err
		}
		fresh = fresh[n:]
	}
	if more && p.cur.TS.Before(until) {
		// Everything up to until was fetched and delivered, and nothing at
		// until itself: the next window may start there even if the narrowed
		// one held no new event.
		p.cur = cursor{TS: until}
		p.saveCursor(ctx)
	}
	return more, nil
}

// collect pages through [since, until] and returns the events the cursor does
// not cover yet. With capped, it gives up (complete=false) once the window
// holds more than max_events_per_poll events.
func (p *puller) collect(ctx context.Context, since, until time.Time, capped bool) (fresh []pagedEvent, complete bool, err error) {
	w := p.windowSrc()
	seen := map[string]bool{}
	size := p.cfg.Limit
	for offset := 0; ; {
		raws, err := w.fetch(ctx, p, since, until, offset, size)
		if err != nil {
			return nil, false, err
		}
		if len(raws) == 0 {
			return fresh, true, nil
		}
		added, older := 0, false
		// tail counts the page's last events of one instant (a malformed
		// one, of no known time, counts with its neighbours: starting the
		// next page earlier only repeats events).
		var lastAt time.Time
		tail := 0
		for _, raw := range raws {
			ev, err := w.parseEvent(raw)
			switch {
			case err != nil, tail > 0 && ev.at.Equal(lastAt):
				tail++
			default:
				lastAt, tail = ev.at, 1
			}
			key := ev.id
			if err != nil {
				key = "malformed:" + string(raw)
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			added++
			if err != nil {
				p.tel.ReceiverOauthAuditEventsSkipped.Add(ctx, 1)
				p.logger.Warn("skipping a malformed audit event", zap.String("source", p.sourceName()), zap.Int("offset", offset), zap.Error(err))
				continue
			}
			older = older || ev.at.Before(since)
			// An event dated after the window (a server that ignores
			// until, or whose clock is ahead) waits for a later window:
			// delivered now, it would move the cursor past events that
			// are still to come.
			if !p.cur.seen(&ev) && !ev.at.After(until) {
				fresh = append(fresh, ev)
			}
		}
		if added == 0 && !w.offsetTrusted() {
			// A page of known events only: the server ignores offset.
			return fresh, true, nil
		}
		if older && w.newestFirst() {
			// A newest-first listing reached past since: the rest is older.
			return fresh, true, nil
		}
		if capped && len(seen) > p.cfg.MaxEventsPerPoll {
			return nil, false, nil
		}
		offset, size = nextPage(w, offset, size, len(raws), tail, p.cfg.Limit)
	}
}

// maxTiePages bounds how many pages' worth of events of one instant a
// single request may ask for.
const maxTiePages = 64

// nextPage is the offset and size of the page after one of n events at
// offset whose last tail events share one instant. An API ordered by time
// alone may order the events of one instant differently on every request
// (SQL gives ties no order, and LIMIT/OFFSET then cut them differently), so
// for such a source the next page starts again at the first event of that
// instant, which brings all of them in one answer; a page that is one
// instant only is asked for again, larger.
func nextPage(w windowSource, offset, size, n, tail, limit int) (int, int) {
	if !w.tiesUnordered() {
		return offset + n, size
	}
	switch {
	case tail < n:
		return offset + n - tail, limit
	case n == size && size < maxTiePages*limit:
		return offset, 2 * size
	}
	return offset + n, limit
}

// deliver hands a batch to the pipeline and advances the cursor only once it
// was accepted. A permanent error (the data can never be accepted) is logged
// and passed over, as every collector receiver does.
func (p *puller) deliver(ctx context.Context, batch []pagedEvent) error {
	if err := p.consume(ctx, batch, p.windowSrc().appendRecord); err != nil {
		return err
	}
	for i := range batch {
		p.cur.advance(&batch[i])
	}
	p.saveCursor(ctx)
	return nil
}

// fetch asks AuthPlane's audit API for one page of [since, until].
func (p *puller) fetch(ctx context.Context, since, until time.Time, offset, size int) ([]json.RawMessage, error) {
	q := url.Values{}
	q.Set("since", since.Format(time.RFC3339))
	if !until.Before(since) {
		q.Set("until", until.Format(time.RFC3339))
	}
	q.Set("limit", strconv.Itoa(size))
	q.Set("offset", strconv.Itoa(offset))
	for k, v := range map[string]string{"action": p.cfg.Action, "actor_id": p.cfg.ActorID, "client_id": p.cfg.ClientID} {
		if v != "" {
			q.Set(k, v)
		}
	}
	u := *p.base
	if u.Path = strings.TrimSuffix(u.Path, "/"); !strings.HasSuffix(u.Path, auditPath) {
		u.Path += auditPath
	}
	u.RawQuery = q.Encode()
	body, _, err := p.get(ctx, u.String())
	if err != nil {
		return nil, err
	}
	return parsePage(body)
}

func modeAttr(mode string) metric.MeasurementOption {
	return metric.WithAttributeSet(attribute.NewSet(attribute.String("mode", mode)))
}
