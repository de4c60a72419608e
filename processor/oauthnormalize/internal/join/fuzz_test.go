package join

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// FuzzBuffer: any sequence of roots, claimed children and leaves of eight
// traces, cut into batches anywhere, with any bounds: every span comes out
// exactly once (in a batch Process returns or a release), nothing stays
// held after Shutdown.
func FuzzBuffer(f *testing.F) {
	f.Add([]byte{3, 2, 0x08, 0x18, 0x00, 0x09, 0x01})
	f.Add([]byte{1, 1, 0x08, 0x09, 0x0a, 0x18, 0x00, 0x01, 0x02})
	f.Add([]byte{0, 0, 0x10, 0x08, 0x18, 0x18, 0x00})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 2 {
			return
		}
		b, k := newTestBuffer(t, func(s *Settings) {
			s.MaxTraces, s.MaxSpans = int(in[0]%4)+1, int(in[1]%8)+1
		})
		var out []string
		cur := newTB("kc")
		flush := func() {
			out = append(out, spanKeys(b.Process(context.Background(), cur.td).Traces)...)
			cur = newTB("kc")
		}
		var sent int
		var root, child [8]bool
		for i, c := range in[2:] {
			n := int(c & 7)
			switch c >> 3 & 3 {
			case 0:
				if root[n] {
					continue
				}
				root[n] = true
				cur.root(n)
			case 1:
				if child[n] {
					continue
				}
				child[n] = true
				cur.child(n)
			case 2:
				cur.leaf(n).SetSpanID(pcommon.SpanID{3, byte(i), byte(i >> 8)})
			case 3:
				flush()
				continue
			}
			sent++
		}
		flush()
		b.Shutdown(context.Background())
		for _, td := range k.emitted {
			out = append(out, spanKeys(td)...)
		}
		seen := map[string]bool{}
		for _, key := range out {
			if seen[key] {
				t.Fatalf("%s came out twice", key)
			}
			seen[key] = true
		}
		if len(out) != sent {
			t.Fatalf("%d spans out of %d", len(out), sent)
		}
		if held, _ := k.snapshot(); held != [2]int64{0, 0} {
			t.Fatalf("still held after shutdown: %v", held)
		}
	})
}
