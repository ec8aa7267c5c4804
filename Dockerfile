# The service and the indexer in one image; run one container of each (see compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    CADRE_ENV=production CADRE_HOST=0.0.0.0 CADRE_PORT=8000 CADRE_DATA_DIR=/data

RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /app cadre \
 && mkdir -p /data && chown cadre /data

WORKDIR /app
COPY pyproject.toml requirements.lock README.md alembic.ini ./
COPY service ./service
COPY indexer ./indexer
COPY schemas ./schemas
COPY alembic ./alembic
RUN pip install --require-hashes -r requirements.lock && pip install --no-deps -e .

USER cadre
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# Needs CADRE_DATABASE_URL, CADRE_SECRET_KEY, CADRE_MEILI_URL and the two Meilisearch keys.
CMD ["cadre", "serve", "--no-indexer"]
