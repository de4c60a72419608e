package redisstate

import (
	"context"
	"crypto/tls"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Client is the connection to the shared state (standalone or Sentinel).
type Client struct {
	rdb     redis.UniversalClient
	prefix  string
	timeout time.Duration
	keyBuf  []byte
	cmds    []*redis.Cmd
}

// New creates the client; it connects lazily, on the first round trip.
func New(ctx context.Context, cfg *Config) (*Client, error) {
	var tlsCfg *tls.Config
	if cfg.TLS != nil {
		var err error
		if tlsCfg, err = cfg.TLS.LoadTLSConfig(ctx); err != nil {
			return nil, errors.New("shared_state.tls: " + err.Error())
		}
	}
	t := cfg.Timeout
	var rdb redis.UniversalClient
	if s := cfg.Sentinel; s != nil {
		rdb = redis.NewFailoverClient(&redis.FailoverOptions{
			MasterName: s.MasterName, SentinelAddrs: s.Addresses,
			SentinelUsername: s.Username, SentinelPassword: string(s.Password),
			Username: cfg.Username, Password: string(cfg.Password), DB: cfg.DB, TLSConfig: tlsCfg,
			DialTimeout: t, ReadTimeout: t, WriteTimeout: t, PoolTimeout: t,
			ContextTimeoutEnabled: true, MaxRetries: -1, DialerRetries: 1, DisableIdentity: true,
		})
	} else {
		rdb = redis.NewClient(&redis.Options{
			Addr: cfg.Endpoint, Username: cfg.Username, Password: string(cfg.Password), DB: cfg.DB, TLSConfig: tlsCfg,
			DialTimeout: t, ReadTimeout: t, WriteTimeout: t, PoolTimeout: t,
			ContextTimeoutEnabled: true, MaxRetries: -1, DialerRetries: 1, DisableIdentity: true,
		})
	}
	return &Client{rdb: rdb, prefix: cfg.KeyPrefix + ":", timeout: t}, nil
}

// Op is one first use to register: Key gets Val, for TTL, unless it holds a
// value already.
type Op struct {
	Key, Val uint64
	TTL      time.Duration
}

// FirstUse registers ops in order with one pipelined round trip of
// `SET key val NX GET PX ttl` (Redis 7.0: set only when absent, and return
// what was there; atomic per key, so of two gateways registering one key at
// the same instant exactly one finds it absent). prev[i] receives the value
// the key held before ops[i], 0 when it held none. The whole round trip is
// bounded by the configured timeout. Not safe for concurrent use.
func (c *Client) FirstUse(ctx context.Context, ops []Op, prev []uint64) error {
	if len(ops) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	pipe := c.rdb.Pipeline()
	c.cmds = c.cmds[:0]
	for _, op := range ops {
		ttlMs := max(op.TTL.Milliseconds(), 1)
		c.cmds = append(c.cmds, pipe.Do(ctx, "set", c.key(op.Key), strconv.FormatUint(op.Val, 10), "px", ttlMs, "nx", "get"))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	for i, cmd := range c.cmds {
		prev[i] = 0
		s, err := cmd.Text()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return err
		}
		// A value another writer put under our prefix that is not ours
		// reads as none: it cannot be compared.
		prev[i], _ = strconv.ParseUint(s, 10, 64)
	}
	return nil
}

func (c *Client) key(k uint64) string {
	c.keyBuf = append(c.keyBuf[:0], c.prefix...)
	c.keyBuf = strconv.AppendUint(c.keyBuf, k, 16)
	return string(c.keyBuf)
}

// Close closes the connections.
func (c *Client) Close() error { return c.rdb.Close() }
