# syntax=docker/dockerfile:1
# The Rasa server image (Rasa 3.6, the project's NLU components, channels, tracker and lock stores,
# and a trained model). Build from the repository root after `make train`:
#   docker build -f deploy/docker/server.Dockerfile -t REGISTRY/g5care/server:VERSION .
# Python packages exactly as requirements/server.lock pins them (the same lock as `make run`).

FROM python:3.10.13-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv && /opt/venv/bin/pip install "pip==24.2"
COPY requirements/server.lock /tmp/server.lock
RUN /opt/venv/bin/pip install --no-deps -r /tmp/server.lock && /opt/venv/bin/pip check

FROM python:3.10.13-slim-bookworm
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /tmp --no-create-home --shell /usr/sbin/nologin bot
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1
WORKDIR /app
COPY --chown=root:root rasa_server/ rasa_server/
COPY --chown=root:root common/ common/
COPY --chown=root:root config.yml credentials.yml endpoints.yml ./
COPY --chown=root:root domain/ domain/
# The model served when no model server is configured (MODEL_SERVER_URL); readable, not writable.
COPY --chown=root:root models/bot.tar.gz models/bot.tar.gz
USER 10001:10001
EXPOSE 5005
# Kubernetes uses its own probes (deploy/base/rasa.yaml); this one serves plain `docker run`.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/', timeout=4)"]
# Rasa's command line as the project starts it: numbers masked in the log, the Rasa patches installed
# (rasa_server/startup.py; RASA_PATCHES=off runs Rasa's own code).
ENTRYPOINT ["python", "-m", "rasa_server"]
CMD ["run", "--model", "/app/models", "--enable-api", "--port", "5005", "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"]
