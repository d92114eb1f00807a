# syntax=docker/dockerfile:1
# One image for every service; the command chooses which one runs:
#   docker run proposals-platform:latest python -m services.allocation
# Configuration comes from the environment (see shared/settings.py and .env.example).
FROM python:3.11-slim

ARG UV_VERSION=0.13.9

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

# CJK fonts from Debian for the official documents (reply letters, forms) the services render.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-zenhei fonts-arphic-uming fonts-arphic-ukai \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir "uv==${UV_VERSION}" \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

# The locked dependencies first: this layer is rebuilt only when pyproject.toml or uv.lock change.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project

# Then the code, and the project itself into the same environment.
COPY shared ./shared
COPY services ./services
COPY runtime ./runtime
COPY deploy ./deploy
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev \
    && mkdir -p /app/var \
    && chown app:app /app/var

ENV PATH=/app/.venv/bin:$PATH \
    SERVICE_HOST=0.0.0.0

USER app

# intake, allocation, reply, feedback, views (an agency's own instance sets SERVICE_PORT itself).
EXPOSE 8001-8005

CMD ["python", "-m", "services.intake"]
