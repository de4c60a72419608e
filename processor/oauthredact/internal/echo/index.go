// Package echo finds, verbatim, the secrets a batch's first pass found by
// name, wherever else in the batch they occur (an exception message
// echoing a token).
package echo

import (
	"math/bits"
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/ascii"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/finding"
)

// Index finds the batch's known secrets in a string. Every secret is at
// least minLen long, so an occurrence covers minLen-7 consecutive 8-byte
// windows, and checking every step-th window of the string (step <=
// minLen-7) lands in each occurrence within its first step windows. The
// sampled windows are checked against a Bloom filter of the first step
// windows of every secret ("grams"); only where one passes are the
// positions that could start a secret checked, each with an 8-byte load
// against a second Bloom filter and a map over the secrets' first 8 bytes.
// With secrets of 15 bytes or more a string costs one filter check per 8
// bytes instead of one per byte.
type Index struct {
	bloom [256]uint64      // 16384 bits over the first 8 bytes
	first map[uint64]int32 // first 8 bytes -> index of a secret in list
	next  []int32          // next secret with the same first 8 bytes, or -1
	list  []string         // the secrets (len >= finding.MinEchoLen)
	grams []uint64         // Bloom filter over each secret's first step windows
	shift uint             // 64 - log2(bits of grams)
	step  int
	// minLen is the length of the shortest secret: a shorter string holds
	// none.
	minLen int
}

// maxEchoStep bounds the sampling step of the echo search.
const maxEchoStep = 8

// maxEchoChain bounds how many secrets sharing their first 8 bytes are
// compared at one position.
const maxEchoChain = 16

func (e *Index) chain(j int32) int {
	n := 0
	for ; j >= 0; j = e.next[j] {
		n++
	}
	return n
}

func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

func bloomBit(w uint64) uint64 { return (w * 0x9E3779B97F4A7C15) >> 50 }

func (e *Index) gramBit(w uint64) uint64 { return (w * 0xC2B2AE3D27D4EB4F) >> e.shift }

func (e *Index) mayHaveGram(w uint64) bool {
	b := e.gramBit(w)
	return e.grams[b>>6]&(1<<(b&63)) != 0
}

// Build indexes list (the secrets found in the first pass), none shorter
// than minLen (>= finding.MinEchoLen).
func (e *Index) Build(list []string, minLen int) {
	e.bloom = [256]uint64{}
	if e.first == nil {
		e.first = map[uint64]int32{}
	}
	clear(e.first)
	e.next = e.next[:0]
	e.list = list
	e.minLen = minLen
	for i, k := range list {
		w := load64(k, 0)
		h := bloomBit(w)
		e.bloom[h>>6] |= 1 << (h & 63)
		j, ok := e.first[w]
		if !ok {
			j = -1
		} else if e.chain(j) >= maxEchoChain {
			// Many secrets share these 8 bytes (crafted input): keep the
			// search linear; the extra ones are still replaced where found
			// by name.
			e.next = append(e.next, -2)
			continue
		}
		e.next = append(e.next, j)
		e.first[w] = int32(i)
	}
	// Sampling every step-th window of the strings, with step up to
	// minLen-7, finds every echo; a step of at most 8 keeps the filter (8
	// leading windows per secret, about 16 bits each) small enough to build
	// and clear per batch and to stay in the L1 cache.
	e.step = min(minLen-7, maxEchoStep)
	nbits := 4096
	for nbits < 16*e.step*len(list) && nbits < 1<<20 {
		nbits <<= 1
	}
	if cap(e.grams) >= nbits/64 {
		e.grams = e.grams[:nbits/64]
		clear(e.grams)
	} else {
		e.grams = make([]uint64, nbits/64)
	}
	e.shift = uint(64 - bits.TrailingZeros(uint(nbits)))
	for _, k := range list {
		for o := 0; o < e.step; o++ {
			b := e.gramBit(load64(k, o))
			e.grams[b>>6] |= 1 << (b & 63)
		}
	}
}

// Forget drops the batch's secrets, and the first 8 bytes of each that the
// index keys by.
func (e *Index) Forget() {
	e.list = nil
	clear(e.first)
}

// Scan finds, verbatim, the secrets already found in this batch:
// leftmost first, then after the end of each match.
func (e *Index) Scan(out *finding.List, s string) {
	if len(s) < e.minLen {
		return
	}
	next := 0 // matches before next were already taken
	for p := e.step - 1; p+8 <= len(s); p += e.step {
		if !e.mayHaveGram(load64(s, p)) {
			continue
		}
		// positions whose secret would cover the window at p
		for i := max(next, p-e.step+1); i <= p; i++ {
			if n := e.knownAt(out, s, i); n > 0 {
				next = i + n
				i = next - 1
			}
		}
	}
}

// knownAt records a known secret starting at s[i:] and returns its length,
// or 0.
func (e *Index) knownAt(out *finding.List, s string, i int) int {
	if i+8 > len(s) {
		return 0
	}
	w := load64(s, i)
	h := bloomBit(w)
	if e.bloom[h>>6]&(1<<(h&63)) == 0 {
		return 0
	}
	j, ok := e.first[w]
	if !ok {
		return 0
	}
	for ; j >= 0; j = e.next[j] {
		if k := e.list[j]; strings.HasPrefix(s[i:], k) && !cutsWord(s, i, i+len(k)) {
			out.Items = append(out.Items, finding.Finding{Start: i, End: i + len(k), Secret: k})
			return len(k)
		}
	}
	return 0
}

// cutsWord reports whether s[start:end] begins or ends inside a word
// (letters, digits, '-' and '_', as in an Authorization scheme). Such a match
// is part of a longer word, not an echo of the secret; replacing it would
// break that word so that a second redaction pass reads it differently.
func cutsWord(s string, start, end int) bool {
	return start > 0 && ascii.IsTokenByte(s[start-1]) && ascii.IsTokenByte(s[start]) ||
		end < len(s) && ascii.IsTokenByte(s[end]) && ascii.IsTokenByte(s[end-1])
}
