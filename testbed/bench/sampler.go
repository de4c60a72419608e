package bench

import (
	"sync"
	"time"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// Sampler samples a process's RSS periodically.
type Sampler struct {
	stop     chan struct{}
	done     chan struct{}
	mu       sync.Mutex
	max, sum int64
	n        int64
}

// StartSampler samples pid every interval until Stop.
func StartSampler(pid int, interval time.Duration) *Sampler {
	s := &Sampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if p, err := testutil.ReadProc(pid); err == nil {
				s.mu.Lock()
				s.max = max(s.max, p.RSS)
				s.sum += p.RSS
				s.n++
				s.mu.Unlock()
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Stop ends sampling and returns the mean and max RSS in bytes.
func (s *Sampler) Stop() (mean, maxRSS int64) {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == 0 {
		return 0, 0
	}
	return s.sum / s.n, s.max
}
