package oauthsecurity

import "github.com/otelcol-oauth/otelcol-oauth/internal/contract"

// A mix-up: a callback's issuer differs from the one discovery saw for its
// provider.

// issuerKey is one provider's issuer as one side learned it at discovery.
type issuerKey struct {
	side     uint8
	provider string
}

// providerIssuer returns the record's oauth.iss and oauth.provider; ok is
// false unless both are set. Without a provider there is no "issuer of that
// provider" to compare with: two unlabelled providers are not a mix-up.
func providerIssuer(r *record) (iss, prov string, ok bool) {
	iss = contract.LookupStr(r.attrs, r.res, contract.AttrIss)
	prov = contract.LookupStr(r.attrs, r.res, contract.AttrProvider)
	return iss, prov, iss != "" && prov != ""
}

// discoveryRule learns a provider's issuer from a successful discovery.
func (d *detector) discoveryRule(o *observation) {
	if !o.success {
		return
	}
	if iss, prov, ok := providerIssuer(o.r); ok {
		d.learnIssuer(issuerKey{o.side, prov}, iss)
	}
}

// issuerRule checks a callback's issuer against the provider's.
func (d *detector) issuerRule(o *observation, det []finding) []finding {
	if iss, prov, ok := providerIssuer(o.r); ok {
		if want, known := d.issuerFor(o.side, prov); known && want != iss {
			det = append(det, detectedBy(contract.EventMixUp, ruleIssuerMismatch))
		}
	}
	return det
}

// issuerFor returns the issuer learned for a provider on this side, else on
// any side (issuer metadata is public: it is the same for every party).
func (d *detector) issuerFor(side uint8, provider string) (string, bool) {
	if iss, ok := d.issuers[issuerKey{side, provider}]; ok {
		return iss, true
	}
	for s := uint8(1); s <= 3; s++ {
		if iss, ok := d.issuers[issuerKey{s, provider}]; ok {
			return iss, true
		}
	}
	return "", false
}

// maxIssuers bounds the provider → issuer map (providers are few).
const maxIssuers = 10_000

func (d *detector) learnIssuer(k issuerKey, iss string) {
	if _, ok := d.issuers[k]; !ok && len(d.issuers) >= maxIssuers {
		for old := range d.issuers {
			delete(d.issuers, old)
			break
		}
	}
	if d.issuers[k] != iss {
		d.issuers[k] = iss
		d.dirty = true
	}
}
