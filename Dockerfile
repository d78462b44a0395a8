FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    NEWSWATCH_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY monitor ./monitor
COPY watchlists ./watchlists
COPY storage ./storage
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 newswatch \
    && mkdir -p /data && chown newswatch:newswatch /data

USER newswatch
VOLUME ["/data"]

HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["newswatch", "status"]

CMD ["newswatch", "run"]
