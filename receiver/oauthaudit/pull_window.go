package oauthaudit

import (
	"context"
	"encoding/json"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
)

// windowSource is what a time-window audit API paged by offset brings to
// the shared pull machinery (poll, collect, deliver): how to ask for one
// page of the events of [since, until], how to read an event and map it.
// The machinery keeps the cursor (a time and the ids delivered at exactly
// that time), de-duplicates by id within a window and delivers oldest
// first, whatever order the API answers in.
type windowSource interface {
	// fetch asks for the page of [since, until] of size events that starts
	// at offset.
	fetch(ctx context.Context, p *puller, since, until time.Time, offset, size int) ([]json.RawMessage, error)
	// parseEvent reads one raw event: its id (for de-duplication) and time.
	parseEvent(raw json.RawMessage) (pagedEvent, error)
	// appendRecord maps one parsed event onto a new log record of sl.
	appendRecord(sl plog.LogRecordSlice, ev *pagedEvent, observed time.Time)
	// offsetTrusted: the API is known to honour offset, so a page holding
	// only known events (a newest-first listing shifted by events that
	// arrived while paging) does not end the window.
	offsetTrusted() bool
	// newestFirst: the listing runs newest first and may reach before
	// since, so a page holding an event older than since ends the window.
	newestFirst() bool
	// since is where a window after cursor starts: at or before it, so
	// that the events at the cursor's own instant are asked for again
	// (those not delivered yet are then delivered).
	since(cursor time.Time) time.Time
	// tiesUnordered: the API orders by time alone, so events of one
	// instant may come in another order on every request (nextPage).
	tiesUnordered() bool
}

func (p *puller) windowSrc() windowSource {
	if p.window == nil {
		return authPlaneWindow{}
	}
	return p.window
}

// authHint names the setting to check on 401/403 ("" for AuthPlane's
// bearer_token).
func (p *puller) authHint() string {
	if p.pages != nil {
		return p.pages.authHint()
	}
	if h, ok := p.window.(interface{ authHint() string }); ok {
		return h.authHint()
	}
	return ""
}

// authPlaneWindow is AuthPlane's GET /admin/audit as a windowSource.
type authPlaneWindow struct{}

func (authPlaneWindow) fetch(ctx context.Context, p *puller, since, until time.Time, offset, size int) ([]json.RawMessage, error) {
	return p.fetch(ctx, since, until, offset, size)
}

func (authPlaneWindow) parseEvent(raw json.RawMessage) (pagedEvent, error) {
	ev, err := parseEvent(raw, true)
	if err != nil {
		return pagedEvent{}, err
	}
	return pagedEvent{id: ev.ID, at: ev.CreatedAt, data: &ev}, nil
}

func (authPlaneWindow) appendRecord(sl plog.LogRecordSlice, ev *pagedEvent, observed time.Time) {
	appendRecord(sl, ev.data.(*Event), observed)
}

// AuthPlane's sort order is not known, nor whether it honours offset.
func (authPlaneWindow) offsetTrusted() bool { return false }

func (authPlaneWindow) newestFirst() bool { return false }

func (authPlaneWindow) tiesUnordered() bool { return false }

// since is one second early: it works whether AuthPlane compares with > or
// >=, and with created_at values that carry fractions.
func (authPlaneWindow) since(cursor time.Time) time.Time {
	return cursor.Truncate(time.Second).Add(-sinceSafetySkew)
}
