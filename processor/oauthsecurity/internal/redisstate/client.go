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
	keys    []string
	args    []any
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

// firstUseScript registers KEYS in order: a key takes its value ARGV[2i-1]
// with TTL ARGV[2i] ms only when it holds none; the reply lists what each key
// held before, "" for none. A script runs atomically: of two gateways
// registering one key at the same instant exactly one finds it absent.
var firstUseScript = redis.NewScript(`
local out = {}
for i, k in ipairs(KEYS) do
  local v = redis.call('GET', k)
  if v then
    out[i] = v
  else
    redis.call('SET', k, ARGV[2*i-1], 'PX', ARGV[2*i])
    out[i] = ''
  end
end
return out`)

// maxScriptKeys bounds one script call, so that Redis is never busy with one
// batch for long; a batch with more ops sends several calls in the same
// round trip.
const maxScriptKeys = 2000

// FirstUse registers ops in order with one pipelined round trip of EVALSHA
// calls of firstUseScript (EVAL when Redis does not know the script, after a
// restart). prev[i] receives the value the key held before ops[i], 0 when it
// held none. The whole round trip is bounded by the configured timeout. Not
// safe for concurrent use.
func (c *Client) FirstUse(ctx context.Context, ops []Op, prev []uint64) error {
	if len(ops) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	c.keys, c.args = c.keys[:0], c.args[:0]
	for _, op := range ops {
		c.keys = append(c.keys, c.key(op.Key))
		c.args = append(c.args, strconv.FormatUint(op.Val, 10), max(op.TTL.Milliseconds(), 1))
	}
	cmds, err := c.run(ctx, false)
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		cmds, err = c.run(ctx, true)
	}
	if err != nil {
		return err
	}
	i := 0
	for _, cmd := range cmds {
		vals, err := cmd.Slice()
		if err != nil {
			return err
		}
		for _, v := range vals {
			if i == len(ops) {
				return errors.New("shared state: more replies than keys")
			}
			s, _ := v.(string)
			// "" is none; a value under our prefix that another writer put
			// there and is not ours reads as none: it cannot be compared.
			prev[i], _ = strconv.ParseUint(s, 10, 64)
			i++
		}
	}
	if i != len(ops) {
		return errors.New("shared state: fewer replies than keys")
	}
	return nil
}

// run sends the script calls in one pipeline, by hash or (eval) whole.
func (c *Client) run(ctx context.Context, eval bool) ([]*redis.Cmd, error) {
	pipe := c.rdb.Pipeline()
	var cmds []*redis.Cmd
	for lo := 0; lo < len(c.keys); lo += maxScriptKeys {
		hi := min(lo+maxScriptKeys, len(c.keys))
		keys, args := c.keys[lo:hi], c.args[2*lo:2*hi]
		if eval {
			cmds = append(cmds, firstUseScript.Eval(ctx, pipe, keys, args...))
		} else {
			cmds = append(cmds, firstUseScript.EvalSha(ctx, pipe, keys, args...))
		}
	}
	_, err := pipe.Exec(ctx)
	return cmds, err
}

func (c *Client) key(k uint64) string {
	c.keyBuf = append(c.keyBuf[:0], c.prefix...)
	c.keyBuf = strconv.AppendUint(c.keyBuf, k, 16)
	return string(c.keyBuf)
}

// Close closes the connections.
func (c *Client) Close() error { return c.rdb.Close() }
