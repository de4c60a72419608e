//go:build faults

package faults

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// The fingerprint key reaches no log line (debug level included), no zpages
// page, no redacted print-config output and no error message.
func TestFingerprintKeyNeverPrinted(t *testing.T) {
	key := randomToken(t, "key_", 40)
	previous := randomToken(t, "old_", 40)
	raw, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "otelcol-config.yaml"))
	require.NoError(t, err)
	// The key extension of the default config, during a rotation: the
	// previous key must stay as unprinted as the current one.
	require.Contains(t, string(raw), "    key: ${env:OAUTH_FINGERPRINT_KEY}\n")
	cfg := strings.Replace(string(raw), "    key: ${env:OAUTH_FINGERPRINT_KEY}\n",
		"    key: ${env:OAUTH_FINGERPRINT_KEY}\n    previous_keys:\n      - ${env:OAUTH_FINGERPRINT_KEY_PREVIOUS}\n", 1)
	cfg = strings.Replace(cfg, "extensions:\n", "extensions:\n  zpages:\n    endpoint: localhost:55679\n", 1)
	cfg = strings.Replace(cfg, "extensions: [health_check,", "extensions: [zpages, health_check,", 1)
	cfg = strings.Replace(cfg, "service:\n", "service:\n  telemetry:\n    logs:\n      level: debug\n    metrics:\n      level: none\n", 1)
	cfg, ports := testutil.OnFreePorts(t, cfg)
	path := testutil.WriteConfig(t, cfg)

	keyEnv := []string{"OAUTH_FINGERPRINT_KEY=" + key, "OAUTH_FINGERPRINT_KEY_PREVIOUS=" + previous}
	col := testutil.Start(t, path, keyEnv...)
	col.WaitHealthy(fmt.Sprintf("http://localhost:%d/", ports["13133"]), 60*time.Second)
	var pages strings.Builder
	for _, p := range []string{"/debug/servicez", "/debug/pipelinez", "/debug/extensionz", "/debug/featurez"} {
		resp, err := http.Get(fmt.Sprintf("http://localhost:%d%s", ports["55679"], p))
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, p)
		pages.Write(b)
	}
	require.NotZero(t, pages.Len())
	require.NoError(t, col.Stop(30*time.Second))

	run := func(env []string, args ...string) string {
		cmd := exec.Command(testutil.BinaryPath(t), args...)
		cmd.Env = append(os.Environ(), env...)
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	printed := run(keyEnv, "print-config", "--mode=redacted", "--config", path)
	require.Contains(t, printed, "oauth_redact", "print-config printed no config: %.300s", printed)
	require.Contains(t, printed, "oauth_fingerprint", "print-config printed no key extension: %.300s", printed)

	// An error in another field of a config that carries the keys.
	broken := strings.Replace(cfg, "oauth_security:\n", "oauth_security:\n    code_ttl: 0s\n", 1)
	invalid := run(keyEnv, "validate", "--config", testutil.WriteConfig(t, broken))
	require.Contains(t, invalid, "code_ttl", "validate should have refused code_ttl: 0s")
	// An error in the key extension itself: a previous key too short, next
	// to a valid one.
	short := randomToken(t, "s_", 12)
	invalidKey := run([]string{"OAUTH_FINGERPRINT_KEY=" + key, "OAUTH_FINGERPRINT_KEY_PREVIOUS=" + short},
		"validate", "--config", path)
	require.Contains(t, invalidKey, "previous_keys[0]", "validate should have refused the short previous key")

	for what, text := range map[string]string{
		"collector log (debug level)":  col.Output(),
		"zpages":                       pages.String(),
		"print-config --mode=redacted": printed,
		"validate error":               invalid,
		"key extension validate error": invalidKey,
	} {
		for _, k := range []string{key, previous, short} {
			assert.NotContains(t, text, k, "a fingerprint key appears in the %s", what)
		}
	}
}

// pprof and zpages, where a shipped config has them, listen on loopback only;
// the container config, which binds 0.0.0.0, has neither.
func TestDebugEndpointsLocalOnly(t *testing.T) {
	root := testutil.RepoRoot(t)
	configs, err := filepath.Glob(filepath.Join(root, "deploy", "*.yaml"))
	require.NoError(t, err)
	configs = append(configs, filepath.Join(root, "otelcol-config.yaml"))
	sawContainer := false
	for _, p := range configs {
		raw, err := os.ReadFile(p)
		require.NoError(t, err)
		var doc struct {
			Extensions map[string]map[string]any `yaml:"extensions"`
			Service    struct {
				Extensions []string `yaml:"extensions"`
			} `yaml:"service"`
		}
		require.NoError(t, yaml.Unmarshal(raw, &doc), p)
		isContainer := filepath.Base(p) == "container-config.yaml"
		sawContainer = sawContainer || isContainer
		for id, ext := range doc.Extensions {
			typ, _, _ := strings.Cut(id, "/")
			if typ != "pprof" && typ != "zpages" {
				continue
			}
			assert.False(t, isContainer, "%s: %s must be off in the container config", p, id)
			endpoint, _ := ext["endpoint"].(string)
			if endpoint == "" {
				endpoint = "localhost:" // both default to localhost (1777, 55679)
			}
			assert.True(t, isLoopbackEndpoint(endpoint), "%s: %s listens on %q", p, id, endpoint)
		}
		if isContainer {
			for _, id := range doc.Service.Extensions {
				assert.NotContains(t, []string{"pprof", "zpages"}, strings.SplitN(id, "/", 2)[0])
			}
		}
	}
	assert.True(t, sawContainer, "deploy/container-config.yaml is missing")
}

// isLoopbackEndpoint accepts localhost / 127.0.0.1 / [::1], directly or as
// the default of an ${env:VAR:-default} reference.
func isLoopbackEndpoint(e string) bool {
	if i := strings.Index(e, ":-"); strings.HasPrefix(e, "${env:") && i > 0 {
		e = e[i+2:]
		e = strings.Replace(e, "}", "", 1)
	}
	for _, p := range []string{"localhost:", "127.0.0.1:", "[::1]:"} {
		if strings.HasPrefix(e, p) {
			return true
		}
	}
	return false
}
