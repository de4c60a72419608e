package bench

import (
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/otelcol-oauth/otelcol-oauth/testbed/oauthgen"
)

// CountRecords counts spans, log records or data points in an OTLP export
// request without decoding it into pdata: resource → scope → item, and for
// metrics metric → data points.
func CountRecords(sig oauthgen.Signal, body []byte) int {
	n := 0
	eachField(body, 1, func(res []byte) { // resource_spans / resource_logs / resource_metrics
		eachField(res, 2, func(scope []byte) { // scope_spans / scope_logs / scope_metrics
			if sig != oauthgen.Metrics {
				eachField(scope, 2, func([]byte) { n++ }) // spans / log_records
				return
			}
			eachField(scope, 2, func(metric []byte) {
				// gauge 5, sum 7, histogram 9, exponential_histogram 10, summary 11;
				// each holds its data_points in field 1.
				for _, f := range []protowire.Number{5, 7, 9, 10, 11} {
					eachField(metric, f, func(data []byte) {
						eachField(data, 1, func([]byte) { n++ })
					})
				}
			})
		})
	})
	return n
}

// eachField calls f with the bytes of every length-delimited field num.
func eachField(b []byte, num protowire.Number, f func([]byte)) {
	for len(b) > 0 {
		n, t, l := protowire.ConsumeTag(b)
		if l < 0 {
			return
		}
		b = b[l:]
		if t == protowire.BytesType {
			v, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return
			}
			if n == num {
				f(v)
			}
			b = b[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(n, t, b)
		if m < 0 {
			return
		}
		b = b[m:]
	}
}
