# Lykta: slim Python, non-root, compiled translations, health check on the web chat server.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    LYKTA_WEB_HOST=0.0.0.0 LYKTA_WEB_PORT=8080 LYKTA_DATABASE_URL=sqlite+aiosqlite:////data/lykta.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY knowledge ./knowledge
COPY db ./db
COPY locales ./locales
RUN pip install -e . \
 && pybabel compile -d locales -D messages \
 && useradd --system --uid 10001 --home /app lykta \
 && mkdir -p /data && chown lykta /data

USER lykta
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"
CMD ["lykta", "run"]
