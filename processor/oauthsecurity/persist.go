package oauthsecurity

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"

	"github.com/otelcol-oauth/otelcol-oauth/internal/storageclient"
)

// Storage layout: "state.meta" (JSON) and "state.<i>" chunks of up to
// chunkEntries packed entries (16 bytes each, little endian key then value),
// in insertion order. One Batch writes them all, so a snapshot is replaced
// atomically by storages that apply a batch in one transaction (file_storage).
const (
	metaKey       = "state.meta"
	chunkPrefix   = "state."
	chunkEntries  = 1 << 16
	stateVersion  = 1
	keyCheckInput = "oauth_security state key check"
)

type snapshotMeta struct {
	Version int `json:"version"`
	Chunks  int `json:"chunks"`
	Entries int `json:"entries"`
	// KeyCheck is the fingerprint of a fixed, non-secret string: state saved
	// under another fingerprint_key can never match and is dropped.
	KeyCheck string         `json:"key_check"`
	Issuers  []issuerRecord `json:"issuers,omitempty"`
	SavedAt  int64          `json:"saved_at_ms"`
}

type issuerRecord struct {
	Side     uint8  `json:"side"`
	Provider string `json:"provider"`
	Issuer   string `json:"issuer"`
}

// persister snapshots the state to a storage client.
type persister struct {
	client     storage.Client
	lastChunks int
	stop       chan struct{}
	wg         sync.WaitGroup
	buf        []byte
	saved      uint64 // store version of the last snapshot written
}

// shared detectors: every pipeline of one configured component uses one.
var (
	sharedMu sync.Mutex
	shared   = map[*Config]*detector{}
)

func acquireDetector(cfg *Config, set processor.Settings) (*detector, error) {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	d, ok := shared[cfg]
	if !ok {
		var err error
		if d, err = newDetector(cfg, set); err != nil {
			return nil, err
		}
		shared[cfg] = d
	}
	d.refs++
	return d, nil
}

// lifecycle is one pipeline's hold on the shared detector: each instance
// starts it at most once and releases it at most once, so a repeated
// Shutdown (or one without Start) never releases another pipeline's hold.
type lifecycle struct {
	d                 *detector
	mu                sync.Mutex
	started, released bool
}

func (l *lifecycle) start(ctx context.Context, host component.Host) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started || l.released {
		return nil
	}
	if err := l.d.start(ctx, host); err != nil {
		return err
	}
	l.started = true
	return nil
}

func (l *lifecycle) shutdown(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return nil
	}
	l.released = true
	return l.d.shutdown(ctx)
}

func (d *detector) start(ctx context.Context, host component.Host) error {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	d.started++
	if d.started > 1 {
		return nil
	}
	p := &persister{stop: make(chan struct{})}
	if d.cfg.Storage != nil {
		client, err := storageclient.Get(ctx, host, *d.cfg.Storage, component.KindProcessor, d.id, "")
		if err != nil {
			d.started--
			return err
		}
		p.client = client
		if err := d.load(ctx, p); err != nil {
			d.logger.Warn("oauth_security: could not restore state, starting empty", zap.Error(err))
		}
	}
	d.persist = p
	p.wg.Add(1)
	go d.loop(p)
	return nil
}

func (d *detector) loop(p *persister) {
	defer p.wg.Done()
	t := time.NewTicker(d.cfg.CheckpointInterval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			if err := d.checkpoint(context.Background()); err != nil {
				d.logger.Warn("oauth_security: checkpoint failed", zap.Error(err))
			}
		}
	}
}

func (d *detector) shutdown(ctx context.Context) error {
	sharedMu.Lock()
	d.refs--
	last := d.refs <= 0
	if last {
		delete(shared, d.cfg)
	}
	sharedMu.Unlock()
	if !last {
		return nil
	}
	var err error
	if p := d.persist; p != nil {
		close(p.stop)
		p.wg.Wait()
		if p.client != nil {
			err = d.checkpoint(ctx)
			err = errors.Join(err, p.client.Close(ctx))
		}
	}
	d.tb.Shutdown()
	return err
}

// checkpoint sweeps expired entries and, with a storage, writes a snapshot
// when the state changed since the last one.
func (d *detector) checkpoint(ctx context.Context) error {
	d.mu.Lock()
	nowMs := d.now().UnixMilli()
	d.st.sweep(nowMs)
	d.size.Store(int64(d.st.Len()))
	p := d.persist
	if p == nil || p.client == nil || !d.dirty && d.st.version == p.saved {
		d.mu.Unlock()
		return nil
	}
	meta := snapshotMeta{Version: stateVersion, Entries: d.st.Len(), KeyCheck: d.fp.Fingerprint(keyCheckInput), SavedAt: nowMs}
	for k, iss := range d.issuers {
		meta.Issuers = append(meta.Issuers, issuerRecord{Side: k.side, Provider: k.provider, Issuer: iss})
	}
	buf := p.buf[:0]
	d.st.each(func(e entry) {
		buf = binary.LittleEndian.AppendUint64(buf, e.key)
		buf = binary.LittleEndian.AppendUint64(buf, e.val)
	})
	p.buf = buf
	version := d.st.version
	d.dirty = false
	d.mu.Unlock()

	const chunkBytes = chunkEntries * 16
	var ops []*storage.Operation
	for off := 0; off < len(buf); off += chunkBytes {
		end := min(off+chunkBytes, len(buf))
		ops = append(ops, storage.SetOperation(chunkPrefix+strconv.Itoa(len(ops)), buf[off:end]))
	}
	meta.Chunks = len(ops)
	for i := meta.Chunks; i < p.lastChunks; i++ {
		ops = append(ops, storage.DeleteOperation(chunkPrefix+strconv.Itoa(i)))
	}
	mb, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	ops = append(ops, storage.SetOperation(metaKey, mb))
	if err := p.client.Batch(ctx, ops...); err != nil {
		d.mu.Lock()
		d.dirty = true
		d.mu.Unlock()
		return err
	}
	p.lastChunks = meta.Chunks
	p.saved = version
	return nil
}

// load restores a snapshot, dropping what expired while the collector was down.
func (d *detector) load(ctx context.Context, p *persister) error {
	mb, err := p.client.Get(ctx, metaKey)
	if err != nil || mb == nil {
		return err
	}
	var meta snapshotMeta
	if err := json.Unmarshal(mb, &meta); err != nil {
		return fmt.Errorf("state.meta: %w", err)
	}
	if meta.Version != stateVersion {
		return fmt.Errorf("state version %d not supported", meta.Version)
	}
	p.lastChunks = meta.Chunks
	d.mu.Lock()
	defer d.mu.Unlock()
	if meta.KeyCheck != d.fp.Fingerprint(keyCheckInput) {
		return errors.New("state was saved with another fingerprint_key; dropped")
	}
	nowMs := d.now().UnixMilli()
	for i := 0; i < meta.Chunks; i++ {
		b, err := p.client.Get(ctx, chunkPrefix+strconv.Itoa(i))
		if err != nil {
			return err
		}
		for ; len(b) >= 16; b = b[16:] {
			key, val := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
			if key == 0 || valKind(val) == kindNone || valKind(val) >= numKinds || d.st.expired(val, nowMs) {
				continue
			}
			d.st.put(key, val)
		}
	}
	for _, ir := range meta.Issuers {
		d.issuers[issuerKey{ir.Side, ir.Provider}] = ir.Issuer
	}
	d.size.Store(int64(d.st.Len()))
	p.saved = d.st.version
	d.logger.Info("oauth_security: state restored", zap.Int("entries", d.st.Len()), zap.Int("issuers", len(d.issuers)))
	return nil
}
