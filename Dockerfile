# otelcol-oauth container image: a static binary on a distroless base, run as
# a non-root user. Build from the repository root:
#
#   docker build -t otelcol-oauth:0.1.0 .
#
# The image starts on deploy/container-config.yaml (binds 0.0.0.0, reads the
# fingerprint key from /etc/otelcol-oauth/secrets/fingerprint-key). Mount
# deploy/agent.yaml, gateway.yaml or loadbalancer.yaml over
# /etc/otelcol-oauth/config.yaml for the other roles (deploy/kubernetes/).
# No Docker engine runs in this project's CI: tests/deploy checks this file and
# validates every config it ships with the binary the Makefile builds.

# --- build: the ocb manifest, as `make build` runs it, without cgo ----------
FROM golang:1.26-bookworm AS build
WORKDIR /src
# Module downloads first, so that source edits keep this layer cached.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false
RUN go run go.opentelemetry.io/collector/cmd/builder@v0.161.0 --config builder-config.yaml \
 && install -D -m 0755 _build/otelcol-oauth /out/otelcol-oauth \
 && install -d -m 0750 /out/var/lib/otelcol-oauth

# --- run: no shell, no package manager, uid/gid 65532 ------------------------
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/otelcol-oauth /otelcol-oauth
COPY --from=build --chown=65532:65532 /out/var/lib/otelcol-oauth /var/lib/otelcol-oauth
COPY deploy/container-config.yaml /etc/otelcol-oauth/config.yaml
USER 65532:65532
# 4317 OTLP gRPC, 4318 OTLP HTTP, 8889 OAuth metrics, 13133 health, 8888 own metrics
EXPOSE 4317 4318 8889 13133 8888
VOLUME ["/var/lib/otelcol-oauth"]
ENTRYPOINT ["/otelcol-oauth"]
CMD ["--config=/etc/otelcol-oauth/config.yaml"]
