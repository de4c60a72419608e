package contract

// AttrReportedEventType names the finding a server reports itself (contract
// sections 5 and 6): the finding's event_type, for example token_reuse.
const AttrReportedEventType = "oauth.reported.event_type"
