# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=market.settings.production

RUN apt-get update \
    && apt-get install --no-install-recommends -y libpq5 curl libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 market

WORKDIR /app
COPY pyproject.toml README.md ./
COPY market ./market
COPY providers ./providers
COPY directory ./directory
COPY oruk ./oruk
COPY orders ./orders
COPY community ./community
COPY curation ./curation
COPY quality ./quality
COPY invoicing ./invoicing
COPY payments ./payments
COPY commissioning ./commissioning
COPY cms ./cms
COPY worker ./worker
COPY manage.py ./
RUN pip install --upgrade pip && pip install .

# collectstatic needs settings but no real services or secrets.
RUN SECRET_KEY=collectstatic ALLOWED_HOSTS=localhost DATABASE_URL=postgres://x@localhost/x \
    REDIS_URL=redis://localhost:6379/0 python manage.py collectstatic --noinput

# Named volumes take the ownership of these folders, so the app user can write uploads.
RUN mkdir -p /app/media /app/private && chown market:market /app/media /app/private

USER market
EXPOSE 8000
CMD ["gunicorn", "market.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
