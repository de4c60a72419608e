package contract

// ViolationType returns the violation type of an integrity_violation finding
// (contract sections 4 and 5), decided here once for the detector and the
// metrics connector. recorded is the record's oauth.integrity.violation ("" when
// absent) and op its oauth.operation:
//   - invalid_hash (the pkce.validate reason an app may report) counts as
//     hash_mismatch;
//   - without a recorded type, a finding on a callback is a reused state, the
//     one integrity rule that is detected rather than reported;
//   - otherwise the recorded type, "" when there is none. Callers bound it to
//     IntegrityViolations.
func ViolationType(recorded, op string) string {
	switch {
	case recorded == ReasonInvalidHash:
		return ViolationHashMismatch
	case recorded == "" && op == OpCallback:
		return ViolationStateReuse
	}
	return recorded
}
