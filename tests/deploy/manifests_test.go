package deploy

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// k8sDoc is the part of a Kubernetes object the checks read.
type k8sDoc struct {
	APIVersion string                `yaml:"apiVersion"`
	Kind       string                `yaml:"kind"`
	Metadata   struct{ Name string } `yaml:"metadata"`
	Data       map[string]string     `yaml:"data"`
	Resources  []string              `yaml:"resources"`
	Spec       struct {
		ClusterIP   string           `yaml:"clusterIP"`
		ServiceName string           `yaml:"serviceName"`
		Selector    map[string]any   `yaml:"selector"`
		Ports       []k8sServicePort `yaml:"ports"`
		Template    *k8sPodTemplate  `yaml:"template"`
		VolumeClaim []map[string]any `yaml:"volumeClaimTemplates"`
		Extra       map[string]any   `yaml:",inline"`
	} `yaml:"spec"`
}

type k8sServicePort struct {
	Name       string `yaml:"name"`
	Port       int    `yaml:"port"`
	TargetPort any    `yaml:"targetPort"`
}

type k8sSecurityContext struct {
	RunAsNonRoot             *bool `yaml:"runAsNonRoot"`
	RunAsUser                *int  `yaml:"runAsUser"`
	AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
	ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
	Capabilities             struct {
		Drop []string `yaml:"drop"`
	} `yaml:"capabilities"`
}

type k8sContainer struct {
	Name  string   `yaml:"name"`
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Env   []struct {
		Name      string         `yaml:"name"`
		Value     string         `yaml:"value"`
		ValueFrom map[string]any `yaml:"valueFrom"`
	} `yaml:"env"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	SecurityContext k8sSecurityContext `yaml:"securityContext"`
	VolumeMounts    []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

type k8sPodTemplate struct {
	Metadata struct {
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec struct {
		SecurityContext k8sSecurityContext `yaml:"securityContext"`
		Containers      []k8sContainer     `yaml:"containers"`
		Volumes         []struct {
			Name      string            `yaml:"name"`
			ConfigMap map[string]string `yaml:"configMap"`
			Secret    map[string]string `yaml:"secret"`
		} `yaml:"volumes"`
	} `yaml:"spec"`
}

func loadManifests(t *testing.T) map[string][]k8sDoc {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot(), "deploy", "kubernetes", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out := map[string][]k8sDoc{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		dec.KnownFields(false)
		for {
			var d k8sDoc
			err := dec.Decode(&d)
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, "%s is not well-formed YAML", f)
			require.NotEmpty(t, d.Kind, "%s: a document without kind", f)
			require.NotEmpty(t, d.APIVersion, "%s: %s without apiVersion", f, d.Kind)
			out[filepath.Base(f)] = append(out[filepath.Base(f)], d)
		}
	}
	return out
}

// The image tag is the distribution's version in builder-config.yaml.
func distVersion(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot(), "builder-config.yaml"))
	require.NoError(t, err)
	var m struct {
		Dist struct{ Version string } `yaml:"dist"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &m))
	require.NotEmpty(t, m.Dist.Version)
	return m.Dist.Version
}

func TestKubernetesManifests(t *testing.T) {
	files := loadManifests(t)
	image := "ghcr.io/otelcol-oauth/otelcol-oauth:" + distVersion(t)

	kinds := map[string][]string{}
	objects := map[string]k8sDoc{}
	for f, docs := range files {
		for _, d := range docs {
			kinds[f] = append(kinds[f], d.Kind)
			objects[d.Kind+"/"+d.Metadata.Name] = d
		}
	}
	assert.Equal(t, []string{"ConfigMap", "Service", "StatefulSet"}, kinds["gateway.yaml"])
	assert.Equal(t, []string{"ConfigMap", "Service", "Deployment"}, kinds["loadbalancer.yaml"])
	assert.Equal(t, []string{"ConfigMap", "Deployment"}, kinds["agent-sidecar.yaml"])
	require.Equal(t, []string{"Kustomization"}, kinds["kustomization.yaml"])
	// The kustomization lists every other manifest.
	var listed []string
	for f := range files {
		if f != "kustomization.yaml" {
			listed = append(listed, f)
		}
	}
	slices.Sort(listed)
	res := slices.Clone(files["kustomization.yaml"][0].Resources)
	slices.Sort(res)
	assert.Equal(t, listed, res)

	// Each ConfigMap carries its deploy/ config verbatim.
	for cmName, src := range map[string]string{
		"otelcol-oauth-gateway":      "gateway.yaml",
		"otelcol-oauth-loadbalancer": "loadbalancer.yaml",
		"otelcol-oauth-agent":        "agent.yaml",
	} {
		cm, ok := objects["ConfigMap/"+cmName]
		require.True(t, ok, "ConfigMap %s", cmName)
		want, err := os.ReadFile(filepath.Join(repoRoot(), "deploy", src))
		require.NoError(t, err)
		assert.Equal(t, string(want), cm.Data["config.yaml"], "ConfigMap %s differs from deploy/%s", cmName, src)
	}

	// The gateways' headless Service is what the tier's dns resolver names.
	headless := objects["Service/otelcol-oauth-gateway-headless"]
	assert.Equal(t, "None", headless.Spec.ClusterIP)
	require.Len(t, headless.Spec.Ports, 1)
	assert.Equal(t, 4317, headless.Spec.Ports[0].Port)
	assert.Equal(t, "otelcol-oauth-gateway-headless", objects["StatefulSet/otelcol-oauth-gateway"].Spec.ServiceName)
	assert.NotEmpty(t, objects["StatefulSet/otelcol-oauth-gateway"].Spec.VolumeClaim, "gateways keep state on a volume")
	lb := objects["Deployment/otelcol-oauth-loadbalancer"]
	assert.Contains(t, envOf(t, lb, "otelcol-oauth")["OTELCOL_OAUTH_GATEWAYS"], "otelcol-oauth-gateway-headless.")
	agentApp := objects["Deployment/example-oauth-app"]
	assert.Contains(t, envOf(t, agentApp, "otelcol-oauth-agent")["OTELCOL_OAUTH_FORWARD_ENDPOINT"], "otelcol-oauth-loadbalancer.")

	// Every workload: our image, the config mounted where args point, the
	// ports its config listens on, non-root, read-only root, no privileges,
	// and the key from a Secret.
	wantPorts := map[string][]int{
		"StatefulSet/otelcol-oauth-gateway":     {4317, 8889, 8888, 13133},
		"Deployment/otelcol-oauth-loadbalancer": {4317, 8888, 13133},
		"Deployment/example-oauth-app":          {8888, 13133},
	}
	for id, ports := range wantPorts {
		d, ok := objects[id]
		require.True(t, ok, id)
		require.NotNil(t, d.Spec.Template, id)
		pod := d.Spec.Template.Spec
		require.NotNil(t, pod.SecurityContext.RunAsNonRoot, id)
		assert.True(t, *pod.SecurityContext.RunAsNonRoot, id)
		var found bool
		for _, c := range pod.Containers {
			sc := c.SecurityContext
			if assert.NotNil(t, sc.RunAsNonRoot, "%s/%s", id, c.Name) {
				assert.True(t, *sc.RunAsNonRoot, "%s/%s", id, c.Name)
			}
			if assert.NotNil(t, sc.RunAsUser, "%s/%s", id, c.Name) {
				assert.NotZero(t, *sc.RunAsUser, "%s/%s", id, c.Name)
			}
			if assert.NotNil(t, sc.AllowPrivilegeEscalation, "%s/%s", id, c.Name) {
				assert.False(t, *sc.AllowPrivilegeEscalation, "%s/%s", id, c.Name)
			}
			if assert.NotNil(t, sc.ReadOnlyRootFilesystem, "%s/%s", id, c.Name) {
				assert.True(t, *sc.ReadOnlyRootFilesystem, "%s/%s", id, c.Name)
			}
			assert.Equal(t, []string{"ALL"}, sc.Capabilities.Drop, "%s/%s", id, c.Name)
			if c.Image != image {
				continue
			}
			found = true
			assert.Equal(t, []string{"--config=/etc/otelcol-oauth/config.yaml"}, c.Args, id)
			var got []int
			for _, p := range c.Ports {
				got = append(got, p.ContainerPort)
			}
			assert.ElementsMatch(t, ports, got, "%s ports", id)
			var mounts []string
			for _, m := range c.VolumeMounts {
				mounts = append(mounts, m.MountPath)
			}
			assert.Contains(t, mounts, "/etc/otelcol-oauth/config.yaml", id)
			env := map[string]bool{}
			for _, e := range c.Env {
				env[e.Name] = true
				if e.Name == "OAUTH_FINGERPRINT_KEY" {
					assert.Empty(t, e.Value, "%s: the key must come from a Secret", id)
					assert.Contains(t, e.ValueFrom, "secretKeyRef", id)
				}
			}
			assert.True(t, env["OAUTH_FINGERPRINT_KEY"], id)
		}
		assert.True(t, found, "%s runs no container of %s", id, image)
	}
}

func envOf(t *testing.T, d k8sDoc, container string) map[string]string {
	t.Helper()
	require.NotNil(t, d.Spec.Template)
	for _, c := range d.Spec.Template.Spec.Containers {
		if c.Name == container {
			m := map[string]string{}
			for _, e := range c.Env {
				m[e.Name] = e.Value
			}
			return m
		}
	}
	t.Fatalf("no container %s", container)
	return nil
}

// No Docker engine runs here: the Dockerfile is checked for what matters.
func TestDockerfile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot(), "Dockerfile"))
	require.NoError(t, err)
	var stages [][]string
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "FROM ") {
			stages = append(stages, nil)
		}
		require.NotEmpty(t, stages, "instruction before FROM: %s", line)
		stages[len(stages)-1] = append(stages[len(stages)-1], line)
	}
	require.Len(t, stages, 2, "a build stage and a run stage")
	build, run := strings.Join(stages[0], "\n"), strings.Join(stages[1], "\n")

	assert.Regexp(t, `(?m)^FROM golang:1\.26\S* AS build$`, build)
	assert.Contains(t, build, "CGO_ENABLED=0", "static binary")
	assert.Contains(t, build, "go.opentelemetry.io/collector/cmd/builder@v0.161.0 --config builder-config.yaml",
		"built from the ocb manifest at the Makefile's version")

	assert.Regexp(t, `(?m)^FROM gcr\.io/distroless/static-debian12:nonroot$`, run, "distroless static base")
	assert.Regexp(t, `(?m)^USER 65532:65532$`, run, "non-root")
	assert.Regexp(t, `(?m)^COPY deploy/container-config\.yaml /etc/otelcol-oauth/config\.yaml$`, run)
	assert.Regexp(t, `(?m)^ENTRYPOINT \["/otelcol-oauth"\]$`, run)
	assert.Regexp(t, `(?m)^CMD \["--config=/etc/otelcol-oauth/config\.yaml"\]$`, run)
	assert.NotContains(t, run, "RUN ", "the run stage has no shell")

	// The container config binds every listener on 0.0.0.0 and reads the key
	// from the mounted secret.
	cc, err := os.ReadFile(filepath.Join(repoRoot(), "deploy", "container-config.yaml"))
	require.NoError(t, err)
	for _, m := range regexp.MustCompile(`(?m)^\s+(?:endpoint|host): (\S+)`).FindAllStringSubmatch(string(cc), -1) {
		assert.True(t, strings.HasPrefix(m[1], "0.0.0.0"), "container config listens on %s", m[1])
	}
	assert.Contains(t, string(cc), "key: ${file:/etc/otelcol-oauth/secrets/fingerprint-key}")
	for _, p := range []string{"4317", "4318", "8889", "13133", "8888"} {
		assert.Regexp(t, `(?m)^EXPOSE .*\b`+p+`\b`, run)
	}
}
