package redisstate

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// Client is the connection to the shared state (standalone or Sentinel).
type Client struct {
	rdb     redis.UniversalClient
	prefix  string
	timeout time.Duration
	blob    []byte
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

// firstUseScript registers the ops packed in ARGV[1], 24 bytes each (key,
// value, TTL in ms; big endian), under the key prefix ARGV[2]: a key takes
// its value with its TTL only when it holds none (SET ... NX GET, Redis 7.0). It returns, 8 bytes per op,
// what each key held before (zeros for none, and for a value that is not 8
// bytes, which no gateway writes). A script runs atomically: of two gateways
// registering one key at the same instant exactly one finds it absent. The
// keys are built inside the script (not passed in KEYS), which standalone
// and Sentinel setups allow and Redis Cluster does not.
var firstUseScript = redis.NewScript(`
local blob, prefix = ARGV[1], ARGV[2]
local none = '\0\0\0\0\0\0\0\0'
local out = {}
for i = 0, #blob / 24 - 1 do
  local o = i * 24
  local ms = 0
  for j = o + 17, o + 24 do ms = ms * 256 + string.byte(blob, j) end
  local v = redis.call('SET', prefix .. string.sub(blob, o + 1, o + 8), string.sub(blob, o + 9, o + 16), 'PX', ms, 'NX', 'GET')
  if v and #v == 8 then out[i + 1] = v else out[i + 1] = none end
end
return table.concat(out)`)

// maxScriptOps bounds one script call, so that Redis is never busy with one
// batch for long; a batch with more ops sends several calls in the same
// round trip.
const maxScriptOps = 2000

// opBytes is one op in the script's argument: key, value, TTL.
const opBytes = 24

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
	c.blob = c.blob[:0]
	for _, op := range ops {
		c.blob = binary.BigEndian.AppendUint64(c.blob, op.Key)
		c.blob = binary.BigEndian.AppendUint64(c.blob, op.Val)
		c.blob = binary.BigEndian.AppendUint64(c.blob, uint64(max(op.TTL.Milliseconds(), 1)))
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
		s, err := cmd.Text()
		if err != nil {
			return err
		}
		for ; len(s) >= 8 && i < len(ops); s = s[8:] {
			prev[i] = binary.BigEndian.Uint64([]byte(s[:8]))
			i++
		}
	}
	if i != len(ops) {
		return errors.New("shared state: fewer replies than ops")
	}
	return nil
}

// run sends the script calls in one pipeline, by hash or (eval) whole.
func (c *Client) run(ctx context.Context, eval bool) ([]*redis.Cmd, error) {
	pipe := c.rdb.Pipeline()
	c.cmds = c.cmds[:0]
	for lo := 0; lo < len(c.blob); lo += maxScriptOps * opBytes {
		chunk := c.blob[lo:min(lo+maxScriptOps*opBytes, len(c.blob))]
		if eval {
			c.cmds = append(c.cmds, firstUseScript.Eval(ctx, pipe, nil, chunk, c.prefix))
		} else {
			c.cmds = append(c.cmds, firstUseScript.EvalSha(ctx, pipe, nil, chunk, c.prefix))
		}
	}
	_, err := pipe.Exec(ctx)
	return c.cmds, err
}

// Close closes the connections.
func (c *Client) Close() error { return c.rdb.Close() }
