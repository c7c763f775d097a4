# source-aha: the Aha! Ideas source as an Airbyte Docker connector.
#
#   docker build -t airbyte/source-aha:dev .
#   docker run --rm airbyte/source-aha:dev spec
#
# Where no registry is reachable, build on a local Debian/Python 3.11 base instead:
#   docker build --network host --build-arg BASE_IMAGE=local/python:3.11-bookworm -t airbyte/source-aha:dev .
#
# Two stages: the builder installs the locked runtime dependencies (uv.lock, hashes checked) and
# the connector's wheel into the virtualenv /opt/venv; the final image holds the base, that
# virtualenv and a non-root user, with no build tools, no test dependencies and no caches.

# Airbyte's Python connector base: this image runs the package (`source-aha`). metadata.yaml
# names source-declarative-manifest instead, the image Airbyte runs a manifest-only connector in.
ARG BASE_IMAGE=docker.io/airbyte/python-connector-base:4.0.2@sha256:9fdb1888c4264cf6fee473649ecb593f56f58e5d0096a87ee0b231777e2e3e73

# ------------------------------------------------------------------------------------- builder
FROM ${BASE_IMAGE} AS builder
# A uv that reads uv.lock's format.
ARG UV_VERSION=0.13.9
# 1: ship compiled bytecode (each command starts about 0.8 s sooner, since the non-root user
# cannot write __pycache__); 0: an image about 90 MB smaller.
ARG COMPILE_BYTECODE=1
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=${COMPILE_BYTECODE}
# uv lives in its own throwaway virtualenv, so the base's Python stays untouched.
RUN python -m venv /opt/uv \
 && /opt/uv/bin/pip install --no-cache-dir "uv==${UV_VERSION}" \
 && python -m venv --without-pip /opt/venv
WORKDIR /build

# 1. Runtime dependencies, pinned with hashes by uv.lock (this layer is reused until the lock or
#    the project's dependency list changes). No dev or notebook extras.
COPY pyproject.toml uv.lock ./
RUN /opt/uv/bin/uv export --frozen --no-dev --no-emit-project --format requirements-txt \
        --output-file requirements.txt \
 && /opt/uv/bin/uv pip install --python /opt/venv/bin/python --no-deps --require-hashes \
        -r requirements.txt

# 2. The connector itself, as a wheel (hatchling bundles manifest.yaml into source_aha/).
COPY README.md manifest.yaml components.py ./
COPY source_aha ./source_aha
RUN /opt/uv/bin/uv build --wheel --out-dir /build/dist . \
 && /opt/uv/bin/uv pip install --python /opt/venv/bin/python --no-deps /build/dist/*.whl \
 && /opt/uv/bin/uv pip check --python /opt/venv/bin/python

# ------------------------------------------------------------------------------- manifest-only
# Not the connector's image: the layout of Airbyte's `source-declarative-manifest` image with a
# manifest-only connector's two files added (as Airbyte's build adds them), for the test that runs
# them in the launcher's local mode (integration_tests/test_manifest_only_image.py; built with
# `--target manifest-only`). The CDK comes from the locked virtualenv. The launcher module is
# copied into `source_declarative_manifest/`, as that image does, so the CDK finds the manifest
# beside it.
FROM ${BASE_IMAGE} AS manifest-only
COPY --from=builder /opt/venv /opt/venv
ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1
WORKDIR /airbyte/integration_code
RUN cli=/opt/venv/lib/python3.11/site-packages/airbyte_cdk/cli/source_declarative_manifest \
 && mkdir source_declarative_manifest \
 && touch source_declarative_manifest/__init__.py \
 && cp "$cli/_run.py" source_declarative_manifest/run.py \
 && cp "$cli/spec.json" source_declarative_manifest/ \
 && printf 'from source_declarative_manifest.run import run\n\nif __name__ == "__main__":\n    run()\n' > main.py
COPY manifest.yaml components.py source_declarative_manifest/
ENTRYPOINT ["python", "/airbyte/integration_code/main.py"]

# --------------------------------------------------------------------------------------- final
FROM ${BASE_IMAGE}
# The Airbyte base already has the user `airbyte` (uid 1000); other bases (such as a plain Debian
# Python image) get it here.
RUN if ! id -u airbyte >/dev/null 2>&1; then \
        if getent passwd 1000 >/dev/null; then useradd --create-home airbyte; \
        else useradd --create-home --uid 1000 airbyte; fi; \
    fi \
 && mkdir -p /airbyte/integration_code \
 && chown airbyte /airbyte/integration_code
COPY --from=builder /opt/venv /opt/venv
# MALLOC_ARENA_MAX=2: glibc keeps 2 malloc arenas instead of 8 per CPU for the worker threads;
# measured by `make bench`, peak RSS about 10% lower at 2,000 and at 20,000 ideas, same CPU time.
ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    MALLOC_ARENA_MAX=2
WORKDIR /airbyte/integration_code
USER airbyte

ENV AIRBYTE_ENTRYPOINT="source-aha"
ENTRYPOINT ["source-aha"]
LABEL io.airbyte.name=airbyte/source-aha \
      io.airbyte.version=0.1.0
