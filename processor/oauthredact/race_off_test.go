//go:build !race

package oauthredact

const raceEnabled = false
