package oauthsecurity

import "encoding/binary"

// mix64 is the splitmix64 finalizer.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// makeKey folds 16 bytes with a kind and side into a non-zero key.
func makeKey(b *[16]byte, k kind, side uint8) uint64 {
	lo := binary.LittleEndian.Uint64(b[0:8])
	hi := binary.LittleEndian.Uint64(b[8:16])
	x := mix64(lo^uint64(k)<<56^uint64(side)<<48) ^ mix64(hi+0x9e3779b97f4a7c15)
	if x == 0 {
		x = 1
	}
	return x
}
