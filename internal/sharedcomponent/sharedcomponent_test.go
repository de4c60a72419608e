package sharedcomponent

import (
	"errors"
	"testing"
)

func TestAcquireSharesAndReleaseCounts(t *testing.T) {
	var r Registry[string, *int]
	created := 0
	mk := func() (*int, error) { created++; v := created; return &v, nil }
	a, _ := r.Acquire("x", mk)
	b, _ := r.Acquire("x", mk)
	if a != b || created != 1 {
		t.Fatalf("two acquires of one key gave %p and %p after %d creations", a, b, created)
	}
	c, _ := r.Acquire("y", mk)
	if c == a {
		t.Fatal("another key shared the value")
	}
	if r.Release("x") {
		t.Fatal("first release of two said last")
	}
	if !r.Release("x") {
		t.Fatal("second release of two did not say last")
	}
	if r.Release("x") {
		t.Fatal("release of a key no longer held said last")
	}
	d, _ := r.Acquire("x", mk)
	if d == a {
		t.Fatal("a released key kept its value")
	}
}

func TestAcquireErrorHoldsNothing(t *testing.T) {
	var r Registry[int, string]
	if _, err := r.Acquire(1, func() (string, error) { return "", errors.New("no") }); err == nil {
		t.Fatal("the create error was lost")
	}
	if r.Release(1) {
		t.Fatal("a failed acquire left a reference")
	}
}
