# syntax=docker/dockerfile:1
# campaign-pulse as a container image: one static binary and the CA certificates on an empty
# base image. It runs as a non-root user (65532) by default and needs no particular user: run
# it as yourself so that it can write to the folder you mount. Build it from source:
#
#   docker build -t campaign-pulse .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" -w /work -e GITHUB_TOKEN \
#     campaign-pulse run --config campaign-pulse.yaml
#
# The release workflow builds the `prebuilt` target instead, from the static binaries it has
# just built and checksummed and the runner's CA bundle, with nothing pulled:
# prebuilt/amd64/campaign-pulse, prebuilt/arm64/campaign-pulse, prebuilt/ca-certificates.crt.

FROM --platform=$BUILDPLATFORM alpine:3.22 AS certs
RUN apk add --no-cache ca-certificates

FROM rust:1-alpine AS build
RUN apk add --no-cache musl-dev gcc
WORKDIR /src
COPY . .
RUN cargo build --release --locked && cp target/release/campaign-pulse /campaign-pulse

FROM scratch AS prebuilt
ARG TARGETARCH
ARG VERSION=unknown
LABEL org.opencontainers.image.title="campaign-pulse" \
      org.opencontainers.image.description="Weekly progress reports for GitHub secret-scanning remediation campaigns" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
COPY prebuilt/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY prebuilt/${TARGETARCH}/campaign-pulse /campaign-pulse
USER 65532:65532
ENTRYPOINT ["/campaign-pulse"]

FROM scratch
LABEL org.opencontainers.image.title="campaign-pulse" \
      org.opencontainers.image.description="Weekly progress reports for GitHub secret-scanning remediation campaigns" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"
COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /campaign-pulse /campaign-pulse
USER 65532:65532
ENTRYPOINT ["/campaign-pulse"]
