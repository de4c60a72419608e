package contract

// Metric names exactly as the prometheus exporter prints them (contract
// section 4). The OTel names are the same strings: the exporter adds a unit or
// "_total" suffix only when the name does not already end in it.
const (
	MetricFlowsTotal                 = "oauth_flows_total"
	MetricFlowDuration               = "oauth_flow_duration_seconds"
	MetricTokenRefreshTotal          = "oauth_token_refresh_total"
	MetricTokenRefreshDuration       = "oauth_token_refresh_duration_seconds"
	MetricTokenRevocationsTotal      = "oauth_token_revocations_total"
	MetricActiveTokens               = "oauth_active_tokens"
	MetricPKCEValidationsTotal       = "oauth_pkce_validations_total"
	MetricPKCEStatesCreatedTotal     = "oauth_pkce_states_created_total"
	MetricPKCEStatesCleanedTotal     = "oauth_pkce_states_cleaned_total"
	MetricActivePKCEStates           = "oauth_active_pkce_states"
	MetricSecurityEventsTotal        = "oauth_security_events_total"
	MetricIntegrityViolationsTotal   = "oauth_integrity_violations_total"
	MetricCodeInjectionAttemptsTotal = "oauth_code_injection_attempts_total"
	MetricDiscoveryAttemptsTotal     = "oauth_discovery_attempts_total"
	MetricDiscoveryDuration          = "oauth_discovery_duration_seconds"
	MetricClientRegistrationsTotal   = "oauth_client_registrations_total"
	MetricClientRegistrationDuration = "oauth_client_registration_duration_seconds"
	MetricAuthorizationRequestsTotal = "oauth_authorization_requests_total"
	MetricTokenExchangesTotal        = "oauth_token_exchanges_total"
	MetricTokenExchangeDuration      = "oauth_token_exchange_duration_seconds"
)

// Metric labels.
const (
	LabelProvider      = "provider"
	LabelStatus        = "status"
	LabelReason        = "reason"
	LabelEventType     = "event_type"
	LabelSeverity      = "severity"
	LabelViolationType = "violation_type"
	LabelMethod        = "method"
	LabelResult        = "result"
	LabelGrantType     = "grant_type"
)

// MetricKind is the Prometheus type of a contract metric.
type MetricKind int

const (
	Counter MetricKind = iota
	Gauge
	Histogram
)

// MetricSpec is one row of the metrics table.
type MetricSpec struct {
	Name     string
	Kind     MetricKind
	Labels   []string
	Buckets  []float64
	Extended bool
}

// Bucket bounds in seconds.
var (
	FlowBuckets          = []float64{0.5, 1, 2, 5, 10, 30, 60}
	RefreshBuckets       = []float64{0.1, 0.5, 1, 2, 5, 10}
	DiscoveryBuckets     = []float64{0.5, 1, 2, 5, 10}
	RegistrationBuckets  = []float64{0.5, 1, 2, 5, 10}
	TokenExchangeBuckets = []float64{0.1, 0.5, 1, 2, 5}
)

// Metrics lists the 17 core metrics, then the 3 extended ones.
var Metrics = []MetricSpec{
	{Name: MetricFlowsTotal, Kind: Counter, Labels: []string{LabelProvider, LabelStatus}},
	{Name: MetricFlowDuration, Kind: Histogram, Labels: []string{LabelProvider, LabelStatus}, Buckets: FlowBuckets},
	{Name: MetricTokenRefreshTotal, Kind: Counter, Labels: []string{LabelStatus, LabelReason}},
	{Name: MetricTokenRefreshDuration, Kind: Histogram, Labels: []string{LabelStatus}, Buckets: RefreshBuckets},
	{Name: MetricTokenRevocationsTotal, Kind: Counter, Labels: []string{LabelReason}},
	{Name: MetricActiveTokens, Kind: Gauge},
	{Name: MetricPKCEValidationsTotal, Kind: Counter, Labels: []string{LabelStatus, LabelReason}},
	{Name: MetricPKCEStatesCreatedTotal, Kind: Counter},
	{Name: MetricPKCEStatesCleanedTotal, Kind: Counter, Labels: []string{LabelReason}},
	{Name: MetricActivePKCEStates, Kind: Gauge},
	{Name: MetricSecurityEventsTotal, Kind: Counter, Labels: []string{LabelEventType, LabelSeverity}},
	{Name: MetricIntegrityViolationsTotal, Kind: Counter, Labels: []string{LabelViolationType}},
	{Name: MetricCodeInjectionAttemptsTotal, Kind: Counter},
	{Name: MetricDiscoveryAttemptsTotal, Kind: Counter, Labels: []string{LabelMethod, LabelStatus}},
	{Name: MetricDiscoveryDuration, Kind: Histogram, Labels: []string{LabelMethod, LabelStatus}, Buckets: DiscoveryBuckets},
	{Name: MetricClientRegistrationsTotal, Kind: Counter, Labels: []string{LabelStatus}},
	{Name: MetricClientRegistrationDuration, Kind: Histogram, Labels: []string{LabelStatus}, Buckets: RegistrationBuckets},
	{Name: MetricAuthorizationRequestsTotal, Kind: Counter, Labels: []string{LabelResult}, Extended: true},
	{Name: MetricTokenExchangesTotal, Kind: Counter, Labels: []string{LabelGrantType, LabelResult}, Extended: true},
	{Name: MetricTokenExchangeDuration, Kind: Histogram, Labels: []string{LabelGrantType}, Buckets: TokenExchangeBuckets, Extended: true},
}
