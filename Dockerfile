# syntax=docker/dockerfile:1
# campaign-pulse as a container image: one static binary and the CA certificates on an empty
# base image, run as a non-root user (65532). Build it from source:
#
#   docker build -t campaign-pulse .
#   docker run --rm -v "$PWD:/work" -w /work -e GITHUB_TOKEN campaign-pulse \
#     run --config campaign-pulse.yaml
#
# The release workflow builds the `prebuilt` target instead, from the static binaries it has
# just built and checksummed (prebuilt/amd64/campaign-pulse, prebuilt/arm64/campaign-pulse).

FROM --platform=$BUILDPLATFORM alpine:3.22 AS certs
RUN apk add --no-cache ca-certificates

FROM rust:1-alpine AS build
RUN apk add --no-cache musl-dev gcc
WORKDIR /src
COPY . .
RUN cargo build --release --locked && cp target/release/campaign-pulse /campaign-pulse

FROM scratch AS prebuilt
ARG TARGETARCH
COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY prebuilt/${TARGETARCH}/campaign-pulse /campaign-pulse
USER 65532:65532
ENTRYPOINT ["/campaign-pulse"]

FROM scratch
COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /campaign-pulse /campaign-pulse
USER 65532:65532
ENTRYPOINT ["/campaign-pulse"]
