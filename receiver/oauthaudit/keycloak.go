package oauthaudit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"
)

// Keycloak's login events API, as RealmAdminResource.getEvents serves it
// (services/src/main/java/org/keycloak/services/resources/admin/
// RealmAdminResource.java): GET {base}/admin/realms/{realm}/events with
// type (repeated), dateFrom, dateTo, first and max (default 100,
// Constants.DEFAULT_MAX_RESULTS), answering a JSON array of
// EventRepresentation. Since Keycloak 26.2 (keycloak#36600) dateFrom and
// dateTo also take epoch milliseconds, both inclusive (DateUtil.toStartOfDay
// / toEndOfDay: a number is used as it is), direction=asc|desc orders by
// time (JpaEventQuery.orderByAscTime; newest first when absent), and an
// event carries its id. Before 26.2 the dates are yyyy-MM-dd only (parsed
// by SimpleDateFormat in the server's time zone, anything else answering
// 400), the order is always newest first and there is no id.
// keycloakSource is Keycloak's events API as a windowSource.
type keycloakSource struct {
	base  *url.URL // scheme://host[/context path] of the server
	realm string
	types []string
	// legacy is set once the server refused an epoch-millisecond dateFrom
	// (a release before 26.2): dates are sent as days, the listing is
	// newest first.
	legacy bool
}

func newKeycloakSource(endpoint, realm string, types []string) (*keycloakSource, error) {
	u, err := apiBase(endpoint, "")
	if err != nil {
		return nil, err
	}
	return &keycloakSource{base: u, realm: realm, types: types}, nil
}

// eventsURL is the request of the page of [since, until] at first. A
// 26.2+ server gets the window to the millisecond, oldest first. A legacy
// one gets the day before since's UTC day (its SimpleDateFormat reads the
// day in the server's own time zone, at most 14 hours off) and no dateTo
// (before 26.0 it excluded its whole day): the listing runs newest first
// from now, and collect stops at the first event older than since.
func (s *keycloakSource) eventsURL(since, until time.Time, first, max int) string {
	u := *s.base
	u.Path += "/admin/realms/" + s.realm + "/events"
	u.RawPath = ""
	q := url.Values{}
	for _, t := range s.types {
		q.Add("type", t)
	}
	if s.legacy {
		q.Set("dateFrom", since.UTC().AddDate(0, 0, -1).Format(time.DateOnly))
	} else {
		q.Set("dateFrom", strconv.FormatInt(since.UnixMilli(), 10))
		q.Set("dateTo", strconv.FormatInt(until.UnixMilli(), 10))
		q.Set("direction", "asc")
	}
	q.Set("first", strconv.Itoa(first))
	q.Set("max", strconv.Itoa(max))
	u.RawQuery = q.Encode()
	return u.String()
}

// fetch asks for one page. A 400 to an epoch-millisecond dateFrom may be a
// release before 26.2: the source asks again at once with day dates, and
// switches to them for good only when that answer is a page (a 400 for
// another reason, from a proxy, say, leaves it on milliseconds).
func (s *keycloakSource) fetch(ctx context.Context, p *puller, since, until time.Time, offset, size int) ([]json.RawMessage, error) {
	body, _, err := p.get(ctx, s.eventsURL(since, until, offset, size))
	var se *httpStatusError
	if !s.legacy && errors.As(err, &se) && se.code == http.StatusBadRequest {
		s.legacy = true
		body, _, err = p.get(ctx, s.eventsURL(since, until, offset, size))
		if err != nil {
			s.legacy = false
		} else {
			p.logger.Info("the Keycloak events API does not take epoch-millisecond dates (a release before 26.2): asking by day, newest first",
				zap.String("source", p.sourceName()))
		}
	}
	if err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		return nil, fmt.Errorf("undecodable Keycloak events page: %s", jsonErrText(err))
	}
	return raws, nil
}

// Keycloak's JPA query applies first and max (PaginationUtils): a page of
// known events means events arrived while paging, not that first is
// ignored.
func (s *keycloakSource) offsetTrusted() bool { return true }

func (s *keycloakSource) newestFirst() bool { return s.legacy }

// since is the cursor itself: Keycloak's dateFrom is inclusive, to the
// millisecond (JpaEventQuery.fromDate: time >= dateFrom), and event times
// are milliseconds.
func (s *keycloakSource) since(cursor time.Time) time.Time { return cursor }

// Keycloak orders by time alone (JpaEventQuery: ORDER BY time), and events
// of one millisecond (or, before 26.2 over a day, of one instant) have no
// order between two requests.
func (s *keycloakSource) tiesUnordered() bool { return true }

func (s *keycloakSource) authHint() string {
	return "pull.auth (oauth2client: a confidential client with a service account holding realm-management view-events)"
}

// validRealmName refuses a realm that would change the request's path.
func validRealmName(realm string) bool {
	return realm != "" && realm != "." && realm != ".." && !strings.ContainsAny(realm, "/?#\\")
}
