package oauthsecurity

// An entry's value packs when a secret was used, by which request (tag),
// the entry's kind and a flag into one uint64.

// kind is what an entry tracks; it selects the TTL.
type kind uint8

const (
	kindNone kind = iota
	kindRefresh
	kindCode
	kindState
	kindVerifier
	kindTracePKCEFail // a pkce.validate failed in this trace
	kindTraceRedeemed // a code was redeemed in this trace
	kindIncident      // a finding was annotated in this trace (per event type)
	numKinds
)

// Packed entry value: | at (40 bits, ms since timeBase) | tag (20) | kind (3) | flag (1) |.
const (
	timeBits  = 40
	tagBits   = 20
	kindBits  = 3
	tagMask   = 1<<tagBits - 1
	kindMask  = 1<<kindBits - 1
	timeMask  = 1<<timeBits - 1
	tagShift  = kindBits + 1
	timeShift = tagBits + kindBits + 1
	// timeBase is 2024-01-01T00:00:00Z in Unix ms; 40 bits of ms reach 2058.
	timeBase = int64(1704067200000)
)

// Every kind must fit in kindBits: a value packed with a kind that does not
// would lose its high bits and read back as another kind with another TTL
// (and load drops kinds >= numKinds). All 8 values of 3 bits are used, so a
// ninth kind must widen kindBits (taking a bit from tagBits). This constant
// is negative, and fails to compile, as soon as numKinds exceeds 1<<kindBits.
const _ = uint(1<<kindBits - int(numKinds))

func packVal(atMs int64, tag uint32, k kind, flag bool) uint64 {
	t := atMs - timeBase
	if t < 0 {
		t = 0
	}
	if t > timeMask {
		t = timeMask
	}
	v := uint64(t)<<timeShift | uint64(tag&tagMask)<<tagShift | uint64(k&kindMask)<<1
	if flag {
		v |= 1
	}
	return v
}

func valTime(v uint64) int64 { return int64(v>>timeShift) + timeBase }
func valTag(v uint64) uint32 { return uint32(v>>tagShift) & tagMask }
func valKind(v uint64) kind  { return kind(v>>1) & kindMask }
func valFlag(v uint64) bool  { return v&1 == 1 }
