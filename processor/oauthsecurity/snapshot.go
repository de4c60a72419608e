package oauthsecurity

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"
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
	// under a key that is not listed (current or previous) can never match
	// and is dropped.
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

// checkpoint sweeps expired entries and, with a storage, writes a snapshot
// when the state changed since the last one. The snapshot is taken under
// d.mu; the write happens outside it.
func (d *detector) checkpoint(ctx context.Context) error {
	snap, ok := d.takeSnapshot()
	if !ok {
		return nil
	}
	p := snap.p
	const chunkBytes = chunkEntries * 16
	var ops []*storage.Operation
	for off := 0; off < len(snap.buf); off += chunkBytes {
		end := min(off+chunkBytes, len(snap.buf))
		ops = append(ops, storage.SetOperation(chunkPrefix+strconv.Itoa(len(ops)), snap.buf[off:end]))
	}
	snap.meta.Chunks = len(ops)
	for i := snap.meta.Chunks; i < p.lastChunks; i++ {
		ops = append(ops, storage.DeleteOperation(chunkPrefix+strconv.Itoa(i)))
	}
	mb, err := json.Marshal(snap.meta)
	if err != nil {
		return err
	}
	ops = append(ops, storage.SetOperation(metaKey, mb))
	if err := p.client.Batch(ctx, ops...); err != nil {
		d.markDirty()
		return err
	}
	p.lastChunks = snap.meta.Chunks
	p.saved = snap.version
	return nil
}

// snapshot is the state as one checkpoint writes it.
type snapshot struct {
	p       *persister
	meta    snapshotMeta
	buf     []byte
	version uint64
}

// takeSnapshot sweeps the state and, when there is a storage and the state
// changed since the last snapshot, serialises it; ok is false otherwise.
func (d *detector) takeSnapshot() (snap snapshot, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	nowMs := d.now().UnixMilli()
	d.st.sweep(nowMs)
	d.size.Store(int64(d.st.Len()))
	p := d.persist
	if p == nil || p.client == nil || !d.dirty && d.st.version == p.saved {
		return snapshot{}, false
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
	d.dirty = false
	return snapshot{p: p, meta: meta, buf: buf, version: d.st.version}, true
}

// markDirty makes the next checkpoint write even if nothing changes.
func (d *detector) markDirty() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.dirty = true
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
	if !d.listedKeyCheck(meta.KeyCheck) {
		return errors.New("state was saved under a key that is neither the fingerprint key nor one of its previous_keys; dropped")
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

// listedKeyCheck reports whether a snapshot's key check belongs to the
// current key or one of the previous keys (contract section 3: state saved
// under any listed key loads; its entries match through the previous-key
// fingerprints that records carry during the rotation).
func (d *detector) listedKeyCheck(check string) bool {
	if check == d.fp.Fingerprint(keyCheckInput) {
		return true
	}
	for _, f := range d.prev {
		if check == f.Fingerprint(keyCheckInput) {
			return true
		}
	}
	return false
}
