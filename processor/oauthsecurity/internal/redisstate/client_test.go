package redisstate

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

func newClient(t *testing.T, addr, prefix string) *Client {
	t.Helper()
	cfg := Default()
	cfg.Endpoint, cfg.KeyPrefix = addr, prefix
	cfg.Timeout = 2 * time.Second // a shared, loaded test machine
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := New(context.Background(), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestFirstUseKeepsTheFirstValue(t *testing.T) {
	r := testutil.StartRedis(t)
	c := newClient(t, r.Addr, "test")
	prev := make([]uint64, 3)
	ops := []Op{{Key: 1, Val: 10, TTL: time.Minute}, {Key: 1, Val: 11, TTL: time.Minute}, {Key: 2, Val: 20, TTL: time.Minute}}
	if err := c.FirstUse(context.Background(), ops, prev); err != nil {
		t.Fatal(err)
	}
	if prev[0] != 0 || prev[1] != 10 || prev[2] != 0 {
		t.Fatalf("prev = %v, want [0 10 0]", prev)
	}
	// Another deployment's prefix is another namespace.
	other := newClient(t, r.Addr, "other")
	if err := other.FirstUse(context.Background(), ops[:1], prev); err != nil || prev[0] != 0 {
		t.Fatalf("other namespace saw %d (err %v), want 0", prev[0], err)
	}
}

// Of many clients registering the same keys at the same instant, exactly one
// finds each key absent.
func TestFirstUseOneWinnerPerKey(t *testing.T) {
	r := testutil.StartRedis(t)
	const clients, keys = 8, 500
	var wg sync.WaitGroup
	wins := make([]int, keys)
	var mu sync.Mutex
	for g := 0; g < clients; g++ {
		c := newClient(t, r.Addr, "race")
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			ops := make([]Op, keys)
			for k := range ops {
				ops[k] = Op{Key: uint64(k + 1), Val: uint64(g + 1), TTL: time.Minute}
			}
			prev := make([]uint64, keys)
			if err := c.FirstUse(context.Background(), ops, prev); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for k, p := range prev {
				if p == 0 {
					wins[k]++
				}
			}
		}(g)
	}
	wg.Wait()
	for k, w := range wins {
		if w != 1 {
			t.Fatalf("key %d: %d clients found it absent, want 1", k+1, w)
		}
	}
}

// Redis down: the round trip fails within the timeout, and works again
// once Redis is back (a restart without persistence forgets the keys).
func TestFirstUseOutageBoundedAndRecovers(t *testing.T) {
	r := testutil.StartRedis(t)
	c := newClient(t, r.Addr, "outage")
	prev := make([]uint64, 1)
	ops := []Op{{Key: 7, Val: 70, TTL: time.Minute}}
	if err := c.FirstUse(context.Background(), ops, prev); err != nil {
		t.Fatal(err)
	}
	r.Stop()
	start := time.Now()
	err := c.FirstUse(context.Background(), ops, prev)
	if err == nil {
		t.Fatal("round trip to a stopped Redis succeeded")
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Fatalf("failed round trip took %s, timeout is 2s", d)
	}
	if strings.Contains(err.Error(), "70") {
		t.Fatalf("error carries a value: %v", err)
	}
	r.Start()
	if err := c.FirstUse(context.Background(), ops, prev); err != nil || prev[0] != 0 {
		t.Fatalf("after restart: prev %d err %v, want 0 and nil (nothing persisted)", prev[0], err)
	}
}

func TestValidateNamesTheField(t *testing.T) {
	cfg := Default()
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "one of endpoint and sentinel") || !strings.Contains(err.Error(), "key_prefix") {
		t.Fatalf("err = %v", err)
	}
	cfg.Sentinel = &SentinelConfig{}
	cfg.KeyPrefix = "p"
	err = cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "sentinel.master_name") || !strings.Contains(err.Error(), "sentinel.addresses") {
		t.Fatalf("err = %v", err)
	}
	cfg.Sentinel = &SentinelConfig{MasterName: "m", Addresses: []string{"127.0.0.1:26379"}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
}
