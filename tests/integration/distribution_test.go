//go:build integration

package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

const ownModule = "github.com/otelcol-oauth/otelcol-oauth"

type manifestEntry struct {
	GoMod  string `yaml:"gomod"`
	Import string `yaml:"import"`
	Path   string `yaml:"path"`
}

type manifest map[string][]manifestEntry

func readManifest(t *testing.T) manifest {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "builder-config.yaml"))
	require.NoError(t, err)
	var doc map[string]yaml.Node
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	m := manifest{}
	for _, kind := range []string{"receivers", "processors", "exporters", "connectors", "extensions"} {
		node, ok := doc[kind]
		require.True(t, ok, "manifest has no %s", kind)
		var entries []manifestEntry
		require.NoError(t, node.Decode(&entries))
		m[kind] = entries
	}
	return m
}

type builtComponent struct {
	Name   string `yaml:"name"`
	Module string `yaml:"module"`
}

type componentsOutput map[string][]builtComponent

func readComponents(t *testing.T) componentsOutput {
	t.Helper()
	out, err := exec.Command(testutil.BinaryPath(t), "components").Output()
	require.NoError(t, err)
	var doc map[string]yaml.Node
	require.NoError(t, yaml.Unmarshal(out, &doc))
	c := componentsOutput{}
	for _, kind := range []string{"receivers", "processors", "exporters", "connectors", "extensions"} {
		if node, ok := doc[kind]; ok {
			var v []builtComponent
			require.NoError(t, node.Decode(&v))
			c[kind] = v
		}
	}
	return c
}

// ownType reads the component type from the metadata.yaml of one of our
// packages, the same file mdatagen generates the type from.
func ownType(t *testing.T, importPath string) string {
	t.Helper()
	rel := strings.TrimPrefix(strings.TrimPrefix(importPath, ownModule), "/")
	raw, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), rel, "metadata.yaml"))
	require.NoError(t, err)
	var md struct {
		Type string `yaml:"type"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &md))
	require.NotEmpty(t, md.Type)
	return md.Type
}

// The binary must contain exactly the manifest's components: the same module
// multiset per kind, and each of our packages under its metadata.yaml type.
func TestComponentsMatchManifest(t *testing.T) {
	m := readManifest(t)
	c := readComponents(t)
	for kind, entries := range m {
		var want, got []string
		var wantOwn []string
		for _, e := range entries {
			want = append(want, e.GoMod)
			if e.Path != "" {
				require.True(t, strings.HasPrefix(e.GoMod, ownModule+" "), "%s: only our module uses path", e.GoMod)
				wantOwn = append(wantOwn, ownType(t, e.Import))
			}
		}
		var gotNames []string
		for _, comp := range c[kind] {
			got = append(got, comp.Module)
			gotNames = append(gotNames, comp.Name)
		}
		slices.Sort(want)
		slices.Sort(got)
		assert.Equal(t, want, got, "%s: modules in the binary differ from the manifest", kind)
		for _, typ := range wantOwn {
			assert.Contains(t, gotNames, typ, "%s: our component %s missing from the binary", kind, typ)
		}
	}
	for _, typ := range []string{"oauth_redact", "oauth_security"} {
		assert.Contains(t, names(c["processors"]), typ)
	}
	assert.Contains(t, names(c["connectors"]), "oauth_span_metrics")
	assert.Contains(t, names(c["receivers"]), "oauth_audit")
}

func names(list []builtComponent) []string {
	var out []string
	for _, c := range list {
		out = append(out, c.Name)
	}
	return out
}

func TestValidateDefaultConfig(t *testing.T) {
	cmd := exec.Command(testutil.BinaryPath(t), "validate", "--config",
		filepath.Join(testutil.RepoRoot(t), "otelcol-config.yaml"))
	cmd.Env = append(os.Environ(), "OAUTH_FINGERPRINT_KEY="+testutil.TestKey)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "validate failed: %s", out)

	cmd = exec.Command(testutil.BinaryPath(t), "validate", "--config",
		filepath.Join(testutil.RepoRoot(t), "otelcol-config.yaml"))
	cmd.Env = append(os.Environ(), "OAUTH_FINGERPRINT_KEY=")
	out, err = cmd.CombinedOutput()
	require.Error(t, err, "validate must refuse the default config without a key")
	assert.Contains(t, string(out), "oauth_fingerprint")
	assert.Contains(t, string(out), "key is missing")
}

// Every listener of the default config is on localhost.
func TestDefaultConfigBindsLocalhostOnly(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "otelcol-config.yaml"))
	require.NoError(t, err)
	var doc any
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	var endpoints []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				if s, ok := child.(string); ok && k == "endpoint" {
					endpoints = append(endpoints, s)
				}
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(doc)
	require.NotEmpty(t, endpoints)
	for _, e := range endpoints {
		assert.True(t, strings.HasPrefix(e, "localhost:") || strings.HasPrefix(e, "127.0.0.1:"), "endpoint %q is not localhost", e)
	}
}
