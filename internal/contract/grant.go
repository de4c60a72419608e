package contract

// Grant types (oauth.grant_type, the RFC 6749 grant_type parameter and its
// extensions): the audit receiver and the vocabularies write them, the
// detectors read them.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
	GrantPassword          = "password"
	GrantImplicit          = "implicit"
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	GrantTokenExchange     = "urn:ietf:params:oauth:grant-type:token-exchange"
	GrantJWTBearer         = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	GrantSAML2Bearer       = "urn:ietf:params:oauth:grant-type:saml2-bearer"
	GrantCIBA              = "urn:openid:params:grant-type:ciba"
)

// GrantTypes are the registered grant types: the values of the grant_type
// label; anything else counts as other.
var GrantTypes = []string{
	GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials, GrantPassword, GrantImplicit,
	GrantDeviceCode, GrantTokenExchange, GrantJWTBearer, GrantSAML2Bearer, GrantCIBA,
}
