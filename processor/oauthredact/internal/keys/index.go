package keys

import "strings"

// Index finds a name in a fixed set, ASCII case-insensitively, without
// lower-casing a copy or hashing it for a map: names are bucketed by Bit
// (length, first and last byte), a bit set rejects most keys with one
// load, and a hit costs a comparison with the bucket's names.
type Index struct {
	filter Filter
	head   [4096]uint32 // bucket -> 1 + index of its first name, or 0
	next   []uint32     // 1 + index of the next name in the bucket, or 0
	names  []string     // lower case
	kinds  []Kind
}

// Add adds a lower-case name with its kind.
func (x *Index) Add(lowerName string, k Kind) {
	if lowerName == "" {
		return
	}
	b := Bit(lowerName)
	x.filter.Add(lowerName)
	x.names = append(x.names, lowerName)
	x.kinds = append(x.kinds, k)
	x.next = append(x.next, x.head[b])
	x.head[b] = uint32(len(x.names))
}

// Get returns the kind of s, in any case.
func (x *Index) Get(s string) (Kind, bool) {
	if !isASCII(s) {
		s = strings.ToLower(s) // as the names were lowered
	}
	if !x.filter.May(s) {
		return 0, false
	}
	for j := x.head[Bit(s)]; j != 0; j = x.next[j-1] {
		if equalLower(s, x.names[j-1]) {
			return x.kinds[j-1], true
		}
	}
	return 0, false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// equalLower reports whether s, lower-cased, equals lowerName.
func equalLower(s, lowerName string) bool {
	if len(s) != len(lowerName) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lowerName[i] {
			return false
		}
	}
	return true
}
