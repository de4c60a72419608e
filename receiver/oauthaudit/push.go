package oauthaudit

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadata"
)

// Rejection reasons (attribute reason of otelcol_receiver_oauth_audit_pushes_rejected).
const (
	rejectMethod       = "method"
	rejectUnauthorized = "unauthorized"
	rejectTooLarge     = "too_large"
	rejectMalformed    = "malformed"
	rejectRefused      = "refused"
)

// pushHandler accepts audit events over HTTP. It answers 2xx only once the
// next consumer accepted the whole batch.
type pushHandler struct {
	cfg     *PushConfig
	next    consumer.Logs
	logger  *zap.Logger
	tel     *metadata.TelemetryBuilder
	obs     *receiverhelper.ObsReport
	now     func() time.Time
	modeSet metric.MeasurementOption
	// decode reads a body of the source's push format (nil: AuthPlane's).
	decode func(body []byte, observed time.Time) (pushBatch, error)
}

// pushBatch is a push body decoded for the pipeline: n records, and dups
// records left out as already delivered. settle, when set, is told whether
// the pipeline accepted the batch.
type pushBatch struct {
	logs   plog.Logs
	n      int
	dups   int
	settle func(accepted bool)
}

// decodeAuthPlane reads an AuthPlane push body.
func decodeAuthPlane(body []byte, observed time.Time) (pushBatch, error) {
	events, err := parseBody(body)
	if err != nil {
		return pushBatch{}, err
	}
	return pushBatch{logs: toLogs(events, metadata.ScopeName, observed), n: len(events)}, nil
}

// authorized compares the Authorization header with push.authorization in
// constant time (of the digests: the lengths do not leak either).
func (h *pushHandler) authorized(r *http.Request) bool {
	want := sha256.Sum256([]byte(h.cfg.Authorization))
	got := sha256.Sum256([]byte(r.Header.Get("Authorization")))
	return subtle.ConstantTimeCompare(want[:], got[:]) == 1
}

func (h *pushHandler) reject(w http.ResponseWriter, r *http.Request, code int, reason, msg string) {
	h.tel.ReceiverOauthAuditPushesRejected.Add(r.Context(), 1, metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", reason))))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = fmt.Fprintf(w, "{\"error\":%s}\n", strconv.Quote(msg))
}

func (h *pushHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.reject(w, r, http.StatusMethodNotAllowed, rejectMethod, "use POST")
		return
	}
	if h.cfg.Authorization != "" && !h.authorized(r) {
		h.reject(w, r, http.StatusUnauthorized, rejectUnauthorized, "missing or wrong Authorization header")
		return
	}
	limit := h.cfg.MaxRequestBodySize
	if r.ContentLength > limit {
		h.reject(w, r, http.StatusRequestEntityTooLarge, rejectTooLarge, fmt.Sprintf("body larger than %d bytes", limit))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.reject(w, r, http.StatusRequestEntityTooLarge, rejectTooLarge, fmt.Sprintf("body larger than %d bytes", limit))
			return
		}
		h.reject(w, r, http.StatusBadRequest, rejectMalformed, "reading the body failed")
		return
	}
	if h.cfg.HMAC.Secret != "" {
		if msg := h.verifySignature(r, body); msg != "" {
			h.reject(w, r, http.StatusUnauthorized, rejectUnauthorized, msg)
			return
		}
	}
	decode := h.decode
	if decode == nil {
		decode = decodeAuthPlane
	}
	b, err := decode(body, h.now())
	if err != nil {
		h.reject(w, r, http.StatusBadRequest, rejectMalformed, err.Error())
		return
	}
	if b.n > 0 {
		ctx := h.obs.StartLogsOp(r.Context())
		err = h.next.ConsumeLogs(ctx, b.logs)
		h.obs.EndLogsOp(ctx, "json", b.n, err)
	}
	if b.settle != nil {
		b.settle(err == nil)
	}
	if err != nil {
		if consumererror.IsPermanent(err) {
			h.logger.Error("the pipeline permanently rejected pushed audit events", zap.Int("events", b.n), zap.Error(err))
			h.reject(w, r, http.StatusBadRequest, rejectRefused, "the pipeline rejected the events permanently")
			return
		}
		w.Header().Set("Retry-After", strconv.Itoa(int(h.cfg.RetryAfter/time.Second)))
		h.reject(w, r, http.StatusServiceUnavailable, rejectRefused, "the pipeline is busy; retry later")
		return
	}
	h.tel.ReceiverOauthAuditEventsReceived.Add(r.Context(), int64(b.n), h.modeSet)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if b.dups > 0 {
		_, _ = fmt.Fprintf(w, "{\"accepted\":%d,\"duplicates\":%d}\n", b.n, b.dups)
		return
	}
	_, _ = fmt.Fprintf(w, "{\"accepted\":%d}\n", b.n)
}

// verifySignature checks "sha256=<hex>" = HMAC-SHA256(secret, body), or of
// "<timestamp>.<body>" when a timestamp header is configured. It returns ""
// when the request is authentic, else why not (never the secret or a digest).
func (h *pushHandler) verifySignature(r *http.Request, body []byte) string {
	hc := h.cfg.HMAC
	sig := strings.TrimSpace(r.Header.Get(hc.SignatureHeader))
	if sig == "" {
		return "missing " + hc.SignatureHeader + " header"
	}
	hexSig, ok := strings.CutPrefix(sig, "sha256=")
	if !ok {
		return hc.SignatureHeader + " must be sha256=<hex>"
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return hc.SignatureHeader + " must be sha256=<hex>"
	}
	mac := hmac.New(sha256.New, []byte(hc.Secret))
	if hc.TimestampHeader != "" {
		ts := strings.TrimSpace(r.Header.Get(hc.TimestampHeader))
		if ts == "" {
			return "missing " + hc.TimestampHeader + " header"
		}
		secs, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return hc.TimestampHeader + " must be Unix seconds"
		}
		age := h.now().Sub(time.Unix(secs, 0))
		if age > hc.ReplayWindow || age < -hc.ReplayWindow {
			return hc.TimestampHeader + " is outside the replay window"
		}
		mac.Write([]byte(ts))
		mac.Write([]byte{'.'})
	}
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil), got) {
		return "bad signature"
	}
	return ""
}
