# One image for web, worker and beat (see docker-compose.yml).
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint renders PDFs with Pango; HarfBuzz-subset embeds only the glyphs used.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 bubblewrap \
       shared-mime-info fonts-dejavu-core fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 hazlog
WORKDIR /app

COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .

COPY --chown=hazlog:hazlog . .
# A throwaway key: collectstatic needs settings to load, and nothing is signed at build time.
RUN SECRET_KEY=collectstatic-at-build-time-only DEBUG=false python manage.py collectstatic --noinput

USER hazlog
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
