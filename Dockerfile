# syntax=docker/dockerfile:1
# soclint as a container image (ghcr.io/soclint/soclint): built from source on
# the Rust image, shipped as one static binary on distroless (no shell, no
# package manager), run as a non-root user. Scan the current directory:
#   docker run --rm -v "$PWD:/src" ghcr.io/soclint/soclint check
FROM rust:1.95-slim-bookworm AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /build
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY policies ./policies
# the commit `soclint --version` names (.git is not in the build context)
ARG SOCLINT_BUILD_COMMIT=""
# glibc linked in statically: the slim image has gcc and libc6-dev, and the
# binary then needs nothing from the base image
RUN target="$(rustc -vV | sed -n 's/^host: //p')" \
 && RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --target "$target" \
 && cp "target/$target/release/soclint" /soclint

# soclint:ignore DKR-HEALTH-001 reason="a command-line tool that runs once and exits: there is no service to probe"
FROM gcr.io/distroless/static-debian12:nonroot
LABEL org.opencontainers.image.title="soclint" \
      org.opencontainers.image.description="A fast linter that checks infrastructure-as-code and policy documents against SOC 2 controls" \
      org.opencontainers.image.source="https://github.com/soclint/soclint" \
      org.opencontainers.image.licenses="MIT"
COPY --from=build /soclint /usr/local/bin/soclint
# the distroless image's `nonroot` user
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["soclint"]
CMD ["check"]
