package oauthnormalize

import (
	"errors"
	"fmt"
	"time"
)

// Join configures the join buffer (internal/join): the spans of a trace a
// vocabulary claims (Keycloak 26.3+, whose event sits on a child of the
// request's root) are held until the root arrives, at most Wait, within
// MaxSpans and MaxTraces; what leaves without its root passes on as it is.
type Join struct {
	Enabled bool `mapstructure:"enabled"`
	// Wait is how long a trace is held at most. Keycloak's and Hydra's
	// span processors export every 5 s: two rounds.
	Wait time.Duration `mapstructure:"wait"`
	// MaxSpans and MaxTraces bound what is held; past either the oldest
	// traces pass on unmapped.
	MaxSpans  int `mapstructure:"max_spans"`
	MaxTraces int `mapstructure:"max_traces"`

	_ struct{}
}

// Defaults: Wait covers two export rounds of a 5 s span processor; the
// bounds keep the buffer to tens of megabytes (a span is about 1 KiB).
const (
	defaultJoinWait      = 10 * time.Second
	defaultJoinMaxSpans  = 50000
	defaultJoinMaxTraces = 5000
	// maxJoinWait: holding spans longer delays every derived metric of a
	// request and ties up memory for a root that is not coming.
	maxJoinWait = 5 * time.Minute
)

func defaultJoin() Join {
	return Join{Enabled: true, Wait: defaultJoinWait, MaxSpans: defaultJoinMaxSpans, MaxTraces: defaultJoinMaxTraces}
}

// validate checks the join section; each error names its field.
func (j *Join) validate() error {
	if !j.Enabled {
		return nil
	}
	var errs []error
	if j.Wait <= 0 || j.Wait > maxJoinWait {
		errs = append(errs, fmt.Errorf("join.wait: must be more than 0s and at most %s, got %s", maxJoinWait, j.Wait))
	}
	if j.MaxSpans < 1 {
		errs = append(errs, fmt.Errorf("join.max_spans: must be at least 1, got %d", j.MaxSpans))
	}
	if j.MaxTraces < 1 {
		errs = append(errs, fmt.Errorf("join.max_traces: must be at least 1, got %d", j.MaxTraces))
	}
	return errors.Join(errs...)
}
