# syntax=docker/dockerfile:1
# The application image: action server, desk web app and its worker, migrations and the CLI.
#   docker build -f deploy/docker/app.Dockerfile -t REGISTRY/g5care/app:VERSION .
# Python packages exactly as requirements/app.lock pins them; the chat widget and desk console
# bundled with npm from web/package-lock.json, as `make run` does.

FROM node:20.18.1-bookworm-slim AS widget
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN mkdir -p /src/bot/web/static && npm run build

FROM python:3.10.13-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv && /opt/venv/bin/pip install "pip==24.2"
COPY requirements/app.lock /tmp/app.lock
RUN /opt/venv/bin/pip install --no-deps -r /tmp/app.lock && /opt/venv/bin/pip check

FROM python:3.10.13-slim-bookworm
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /tmp --no-create-home --shell /usr/sbin/nologin bot
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp
WORKDIR /app
COPY --chown=root:root bot/ bot/
COPY --chown=root:root common/ common/
COPY --chown=root:root actions/ actions/
COPY --chown=root:root migrations/ migrations/
COPY --chown=root:root alembic.ini ./
COPY --chown=root:root domain/ domain/
COPY --chown=root:root data/ data/
COPY --from=widget --chown=root:root /src/bot/web/static/build/ bot/web/static/build/
USER 10001:10001
EXPOSE 5055 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5055/health', timeout=4)"]
# The action server by default; the web app, worker and migrations set their own command (deploy/base).
# the action server: rasa_sdk with numbers masked in its log from the start (actions/__main__.py)
CMD ["python", "-m", "actions", "--port", "5055"]
