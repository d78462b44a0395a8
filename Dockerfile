FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    NEWSWATCH_DATA_DIR=/data \
    NEWSWATCH_METRICS_PORT=0.0.0.0:9465

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

EXPOSE 9465
# /healthz answers 503 when no poll cycle finished for an hour.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9465/healthz', timeout=5)"]

CMD ["newswatch", "run"]
