# syntax=docker/dockerfile:1
# The slawatch agent. Build:  docker build -t slawatch .
# Run:  docker run -d -p 9115:9115 -v slawatch-data:/var/lib/slawatch \
#         -v "$PWD/etc:/etc/slawatch:ro" slawatch     # etc/slawatch.yaml is the config
# The config must listen on 0.0.0.0:9115 (see config/agent.example.yaml).

# Dependencies first, from pyproject.toml alone: an edit of the source reuses this
# layer (and its wheels) from the cache; only a change of pyproject.toml rebuilds it.
# The project's dependencies only: no extras, so no "reports" (matplotlib, openpyxl,
# fpdf2, Jinja2): the agent and the JSON/CSV reports need none of them.
FROM python:3.11-slim-bookworm AS deps
WORKDIR /src
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > requirements.txt \
    && pip wheel --no-cache-dir --disable-pip-version-check --wheel-dir /wheels -r requirements.txt

# Then the slawatch wheel alone, from the source, so the final stage installs
# offline and carries no source tree or build tools.
FROM python:3.11-slim-bookworm AS builder
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN pip wheel --no-cache-dir --disable-pip-version-check --no-deps --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
# docker build --build-arg VERSION=$(git describe --tags) --build-arg REVISION=$(git rev-parse HEAD)
#   --build-arg CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ) -t slawatch .
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="slawatch" \
      org.opencontainers.image.description="Availability monitoring and SLA credit agent" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.url="https://slawatch.example/" \
      org.opencontainers.image.source="https://slawatch.example/source/" \
      org.opencontainers.image.documentation="https://slawatch.example/docs/"

# A fixed numeric uid, so that volume ownership is predictable and Kubernetes'
# runAsNonRoot can check it. The agent writes only to /var/lib/slawatch; the
# config stays root-owned and read-only to it.
RUN groupadd --system --gid 10001 slawatch \
    && useradd --system --uid 10001 --gid slawatch --no-create-home \
        --home-dir /var/lib/slawatch --shell /usr/sbin/nologin slawatch \
    && install -d -o slawatch -g slawatch -m 0750 /var/lib/slawatch \
    && install -d -m 0755 /etc/slawatch

# The wheels are bind-mounted from their stages, not copied: no layer keeps them.
# Dependencies first (cached while pyproject.toml is unchanged), then slawatch.
RUN --mount=type=bind,from=deps,source=/wheels,target=/deps \
    pip install --no-cache-dir --disable-pip-version-check --root-user-action=ignore \
        --no-index /deps/*.whl
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --disable-pip-version-check --root-user-action=ignore \
        --no-index --no-deps /wheels/slawatch-*.whl
COPY config/agent.example.yaml /etc/slawatch/slawatch.yaml

# SLAWATCH_DB wins over the config's database.url: pass -e SLAWATCH_DB=postgresql+psycopg://...
# to use PostgreSQL instead of SQLite on the volume.
ENV SLAWATCH_DB=sqlite:////var/lib/slawatch/slawatch.db \
    PYTHONUNBUFFERED=1
VOLUME ["/etc/slawatch", "/var/lib/slawatch"]
WORKDIR /var/lib/slawatch
USER 10001:10001
EXPOSE 9115

# No curl in a slim image: the interpreter that runs the agent asks /healthz.
# Any answer but 200, or none within the timeout, exits non-zero (unhealthy).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:9115/healthz', timeout=4).status != 200)"]

ENTRYPOINT ["slawatch"]
CMD ["run", "-c", "/etc/slawatch/slawatch.yaml"]
