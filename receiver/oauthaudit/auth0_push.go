package oauthaudit

import (
	"encoding/json"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadata"
)

// decodeAuth0Stream reads the body of an Auth0 custom-webhook log stream
// (auth0.com/docs/customize/log-streams/custom-log-streams), in any of its
// content formats: JSON lines, a JSON array, or one JSON object; each
// record is {"log_id": ..., "data": {<the log>}}. A malformed record fails
// the whole body (400 naming its line). Auth0 delivers at least once: a
// log_id delivered already, by a push or by the pull, or being delivered
// right now, is left out, and the others are claimed until the pipeline
// answers.
func decodeAuth0Stream(seen *seenSet) func(body []byte, observed time.Time) (pushBatch, error) {
	return func(body []byte, observed time.Time) (pushBatch, error) {
		var logs []pagedEvent
		err := splitBody(body, func(raw json.RawMessage) error {
			ev, err := parseAuth0StreamRecord(raw)
			if err == nil {
				logs = append(logs, ev)
			}
			return err
		})
		if err != nil {
			return pushBatch{}, err
		}
		ld := plog.NewLogs()
		sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
		sl.Scope().SetName(metadata.ScopeName)
		var claimed []string
		b := pushBatch{logs: ld}
		for i := range logs {
			if !seen.Claim(logs[i].id) {
				b.dups++
				continue
			}
			claimed = append(claimed, logs[i].id)
			appendAuth0Record(sl.LogRecords(), &logs[i], observed)
		}
		b.n = len(claimed)
		b.settle = func(accepted bool) { seen.Settle(claimed, accepted) }
		return b, nil
	}
}

// sharedSeen is the one de-duplication window of the receiver: the pull
// cursor's (stored with it) when the receiver also pulls, else its own, in
// memory.
func (r *auditReceiver) sharedSeen() *seenSet {
	if r.puller != nil && r.puller.pageCur.Seen != nil {
		return r.puller.pageCur.Seen
	}
	return newSeenSet(seenCapacity)
}
