package vocab

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Claimer is a vocabulary's hook into the join buffer of the processor: it
// reports whether span s (res: its resource's attributes) is in the
// vocabulary's shape while what it says belongs on another span of its
// request, the request's root SERVER span (Keycloak 26.3+ writes its event
// on an INTERNAL child; Hydra writes token signatures and verdicts on
// children). The spans of a claimed span's trace are mapped together: at
// once when the request root is in the same batch, otherwise after the
// join buffer held them until it arrives.
//
// A claimer only reads, and is called on every span of every batch: it must
// be cheap on the spans it does not claim (no allocation).
type Claimer func(s ptrace.Span, res pcommon.Map) bool
