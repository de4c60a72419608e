//go:build deploy

package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// tool returns the path of an external program. Missing, the test is skipped,
// unless OTELCOL_OAUTH_REQUIRE_TOOLS is set (the Makefile sets it after
// installing the tools), when it fails.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("OTELCOL_OAUTH_REQUIRE_TOOLS") != "" {
			t.Fatalf("%s not found on PATH; `make tools-prometheus` installs it", name)
		}
		t.Skipf("%s not found on PATH; `make tools-prometheus` installs it", name)
	}
	return p
}

func ruleFiles(t *testing.T, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot(), "deploy", "prometheus", pattern))
	require.NoError(t, err)
	require.NotEmpty(t, files, pattern)
	return files
}

func TestPromtoolCheckRules(t *testing.T) {
	promtool := tool(t, "promtool")
	for _, f := range ruleFiles(t, "*-rules.yaml") {
		out, err := exec.Command(promtool, "check", "rules", f).CombinedOutput()
		require.NoError(t, err, "promtool check rules %s:\n%s", f, out)
		require.Contains(t, string(out), "SUCCESS", f)
	}
}

func TestPromtoolTestRules(t *testing.T) {
	promtool := tool(t, "promtool")
	tests := ruleFiles(t, "tests/*.test.yaml")
	// Every rule file has its unit tests.
	for _, f := range ruleFiles(t, "*-rules.yaml") {
		want := filepath.Join(filepath.Dir(f), "tests", strings.TrimSuffix(filepath.Base(f), ".yaml")+".test.yaml")
		require.Contains(t, tests, want, "no promtool unit tests for %s", f)
	}
	for _, f := range tests {
		cmd := exec.Command(promtool, "test", "rules", filepath.Base(f))
		cmd.Dir = filepath.Dir(f)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "promtool test rules %s:\n%s", f, out)
		require.Contains(t, string(out), "SUCCESS", f)
	}
}

func TestPromtoolCheckConfig(t *testing.T) {
	promtool := tool(t, "promtool")
	f := filepath.Join(repoRoot(), "deploy", "prometheus", "prometheus.yaml")
	out, err := exec.Command(promtool, "check", "config", f).CombinedOutput()
	require.NoError(t, err, "promtool check config %s:\n%s", f, out)
	require.Contains(t, string(out), "is valid prometheus config file syntax")
}
