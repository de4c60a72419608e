package bench

import (
	"bytes"
	"sort"
	"strconv"
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// selfTelemetryPrefix selects the collector's own metrics the report keeps
// for the Hydra traffic: oauth_normalize's mapped and unmapped records by
// vocabulary and reason, and its join buffer (held spans and traces,
// releases by reason, refused releases).
const selfTelemetryPrefix = "otelcol_processor_oauth_normalize_"

// selfTelemetry sums the selected series of a scrape of the collector's
// own metrics by name and their own labels (the collector's service and
// scope labels left out).
func selfTelemetry(scrape []byte) map[string]float64 {
	fams, _ := testutil.ParseMetrics(bytes.NewReader(scrape))
	out := map[string]float64{}
	for _, s := range testutil.Samples(fams) {
		if !strings.HasPrefix(s.Name, selfTelemetryPrefix) {
			continue
		}
		var kv []string
		for k, v := range s.Labels {
			if k == "vocabulary" || k == "reason" {
				kv = append(kv, k+"="+v)
			}
		}
		sort.Strings(kv)
		key := s.Name
		if len(kv) > 0 {
			key += "{" + strings.Join(kv, ",") + "}"
		}
		out[key] += s.Value
	}
	return out
}

// writeSelfTelemetry renders the runs' self-telemetry.
func writeSelfTelemetry(w func(string, ...any), runs []RunResult) {
	header := false
	for _, r := range runs {
		if len(r.SelfTelemetry) == 0 {
			continue
		}
		if !header {
			w("\n## oauth_normalize self-telemetry (full OAuth pipeline, end of run)\n\n")
			header = true
		}
		keys := make([]string, 0, len(r.SelfTelemetry))
		for k := range r.SelfTelemetry {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, strings.TrimPrefix(k, selfTelemetryPrefix)+" "+fmtValue(r.SelfTelemetry[k]))
		}
		w("- %s, round %d: %s\n", r.Mode, r.Round, strings.Join(parts, "; "))
	}
}

func fmtValue(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}
