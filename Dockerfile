# syntax=docker/dockerfile:1

# pmsync container image: a static binary on distroless, non-root, no shell.
#
#   docker build --build-arg VERSION=v0.1.0 -t pmsync:v0.1.0 .
#
# Base images are pinned by tag, not digest: the digests could not be
# resolved when this file was written (no registry access), so pin them with
# `docker buildx imagetools inspect` (or let Renovate/Dependabot do it)
# before relying on reproducible builds.

FROM --platform=$BUILDPLATFORM golang:1.26 AS build
ARG TARGETOS
ARG TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /pmsync ./cmd/pmsync

# distroless/static: CA certificates, tzdata and /etc/passwd, nothing else
# (no shell, no package manager). The :nonroot tag runs as 65532 already;
# USER repeats it numerically so Kubernetes' runAsNonRoot can verify it.
FROM gcr.io/distroless/static-debian12:nonroot
LABEL org.opencontainers.image.title="pmsync" \
      org.opencontainers.image.description="Syncs postmortem action items to GitHub and Jira" \
      org.opencontainers.image.source="https://github.com/pmsync/pmsync"
COPY --from=build /pmsync /pmsync
USER 65532:65532
ENV TMPDIR=/tmp
ENTRYPOINT ["/pmsync"]
CMD ["sync", "--config", "/etc/pmsync/pmsync.yaml"]
