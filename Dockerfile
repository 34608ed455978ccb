# The tutorhub code location image: the hub, its connectors and the Dagster definitions (assets.definitions),
# for Dagster's Helm chart (a user-code deployment serving `dagster api grpc`, and the K8sRunLauncher's run
# pods, which start from the same image). See deploy/kubernetes/README.md.
#
#   docker build -t registry.example.org/tutorhub:$(git rev-parse --short HEAD) .
#
# A site whose cluster pulls only from its own registry passes its mirror of the same base:
#   docker build --build-arg PYTHON_IMAGE=registry.example.org/mirror/python:3.11-slim-bookworm ...
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TUTORHUB_CONFIG=/etc/tutorhub/hub.yaml \
    TUTORHUB_SECRETS_DIR=/run/secrets/tutorhub \
    TUTORHUB_DATA_DIR=/var/lib/tutorhub \
    DAGSTER_HOME=/opt/dagster/dagster_home

WORKDIR /opt/tutorhub

# Only what the package needs: no tests, bench or virtualenvs (see .dockerignore), and no testkit/ (demo
# and test support, which production never imports; `tutorhub demo` here says so and stops).
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY connectors ./connectors
COPY assets ./assets
COPY cli ./cli

# The `k8s` extra: dagster-k8s, which a run pod needs to read an instance whose run launcher is the
# K8sRunLauncher; dagster-postgres comes with the package. One unprivileged user owns the data dir.
RUN pip install ".[k8s]" \
 && useradd --system --uid 10001 --home-dir /var/lib/tutorhub --create-home tutorhub \
 && mkdir -p /opt/dagster/dagster_home /etc/tutorhub \
 && chown tutorhub /opt/dagster/dagster_home \
 && python -c "import assets.executors, dagster_k8s, dagster_postgres"

USER tutorhub
EXPOSE 3030

# The Helm chart passes its own `dagster api grpc` arguments; this default serves the same code location.
CMD ["dagster", "api", "grpc", "-h", "0.0.0.0", "-p", "3030", "-m", "assets.definitions"]
