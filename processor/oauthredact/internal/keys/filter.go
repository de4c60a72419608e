package keys

// Filter is a 4096-bit set over (length, first byte, last byte) of a set
// of names, case-insensitive: most keys are rejected without hashing the
// whole key for a map lookup.
type Filter [64]uint64

// Bit is the bit (and the Index bucket) of a name.
func Bit(s string) uint32 {
	return (uint32(len(s))*131 + uint32(s[0]|0x20)*31 + uint32(s[len(s)-1]|0x20)) & 4095
}

// Add adds a name; the empty name is never in the set.
func (f *Filter) Add(s string) {
	if s != "" {
		b := Bit(s)
		f[b>>6] |= 1 << (b & 63)
	}
}

// May reports whether s may be in the set.
func (f *Filter) May(s string) bool {
	if s == "" {
		return false
	}
	b := Bit(s)
	return f[b>>6]&(1<<(b&63)) != 0
}
