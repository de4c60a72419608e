// The events API: parameters, order and paging (see the package doc).

package keycloakfake

import (
	"encoding/json"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (s *Server) eventsPage(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeError(w, http.StatusUnauthorized, "HTTP 401 Unauthorized")
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, r.URL.RequestURI())
	var fault func(w http.ResponseWriter) bool
	if len(s.faults) > 0 {
		fault, s.faults = s.faults[0], s.faults[1:]
	}
	s.mu.Unlock()
	if fault != nil && fault(w) {
		return
	}
	q := r.URL.Query()
	from, to := int64(0), int64(1<<62)
	if v := q.Get("dateFrom"); v != "" {
		ms, bad := s.parseDate(v, false)
		if bad != "" {
			writeError(w, http.StatusBadRequest, bad)
			return
		}
		from = ms
	}
	if v := q.Get("dateTo"); v != "" {
		ms, bad := s.parseDate(v, true)
		if bad != "" {
			writeError(w, http.StatusBadRequest, bad)
			return
		}
		to = ms
	}
	asc := false
	if d := q.Get("direction"); d != "" && s.Release == Current {
		switch d {
		case "asc":
			asc = true
		case "desc":
		default:
			writeError(w, http.StatusBadRequest, "Invalid value for sortDirection, expected value is asc or desc")
			return
		}
	}
	first, max := 0, 100
	if v := q.Get("first"); v != "" {
		first, _ = strconv.Atoi(v)
	}
	if v := q.Get("max"); v != "" {
		max, _ = strconv.Atoi(v)
	}
	page := s.query(q, from, to, asc, first, max)
	s.mu.Lock()
	after := s.afterPage
	s.mu.Unlock()
	if after != nil {
		after()
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte("[" + strings.Join(page, ",") + "]"))
}

// query selects, orders and pages the stored events.
func (s *Server) query(q map[string][]string, from, to int64, asc bool, first, max int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	type row struct {
		i  int
		ev Event
	}
	var rows []row
	for i, ev := range s.events {
		if ev.Time < from || ev.Time > to {
			continue
		}
		if _, raw := s.raws[i]; !raw && !matches(q, &ev) {
			continue
		}
		rows = append(rows, row{i, ev})
	}
	// Ordered by time only: equal times in a new order every request.
	mrand.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
	slices.SortStableFunc(rows, func(a, b row) int {
		if asc {
			return int(a.ev.Time - b.ev.Time)
		}
		return int(b.ev.Time - a.ev.Time)
	})
	first = min(max0(first), len(rows))
	rows = rows[first:min(len(rows), first+max0(max))]
	out := make([]string, len(rows))
	for k, rw := range rows {
		if raw, ok := s.raws[rw.i]; ok {
			out[k] = raw
			continue
		}
		ev := rw.ev
		if s.Release == Legacy {
			ev.ID = ""
		}
		b, _ := json.Marshal(ev)
		out[k] = string(b)
	}
	return out
}

func max0(n int) int { return max(n, 0) }

// matches applies the type, client, user and ipAddress filters.
func matches(q map[string][]string, ev *Event) bool {
	if ts := q["type"]; len(ts) > 0 && !slices.Contains(ts, ev.Type) {
		return false
	}
	for k, v := range map[string]string{"client": ev.ClientID, "user": ev.UserID, "ipAddress": ev.IPAddress} {
		if want, ok := q[k]; ok && want[0] != v {
			return false
		}
	}
	return true
}

// parseDate reads dateFrom (end false) or dateTo (end true) as the release
// does, in epoch milliseconds; bad is Keycloak's 400 message when it cannot.
func (s *Server) parseDate(v string, end bool) (ms int64, bad string) {
	if s.Release == Legacy {
		zone := s.Zone
		if zone == nil {
			zone = time.UTC
		}
		d, err := time.ParseInLocation(time.DateOnly, v, zone)
		if err != nil {
			which := "From"
			if end {
				which = "To"
			}
			return 0, "Invalid value for 'Date(" + which + ")', expected format is yyyy-MM-dd"
		}
		return d.UnixMilli(), ""
	}
	if strings.Contains(v, "-") {
		d, err := time.Parse(time.DateOnly, v)
		if err == nil {
			if end {
				return d.Add(24*time.Hour).UnixMilli() - 1, ""
			}
			return d.UnixMilli(), ""
		}
	} else if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, ""
	}
	which := "dateFrom"
	if end {
		which = "dateTo"
	}
	return 0, "Invalid value for '" + which + "', expected format is yyyy-MM-dd or an Epoch timestamp"
}
