# iso20k as a container: `iso20k serve` on port 3000 (docs/operations.md "Deployment").
#
#   docker build -t iso20k .
#   docker compose up          # PostgreSQL, the migration, the web service and a worker
#
# Debian packages: WeasyPrint renders the PDF report through Pango (libpango-1.0-0,
# libpangoft2-1.0-0; HarfBuzz's subsetter embeds only the glyphs used), fontconfig finds the
# fonts, and WenQuanYi Micro Hei (fonts-wqy-microhei, ~5 MB) carries the Chinese text of the
# report and the charts (README "Libraries, and why"). postgresql-client gives pg_dump and
# pg_restore for the backup drill (scripts/backup_restore_drill.py).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig \
        fonts-wqy-microhei postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && fc-cache -f

# The source stays in /app and is installed in place (-e): bot/store/migrate.py finds the
# Alembic migrations next to the package (migrations/, alembic.ini), which a wheel does not
# carry. No dev extras: the tools and test libraries stay out of the image.
WORKDIR /app
COPY pyproject.toml README.md LICENSE alembic.ini ./
COPY iso20k_core ./iso20k_core
COPY bot ./bot
COPY migrations ./migrations
COPY scripts ./scripts
RUN pip install -e /app

# Not root: the process needs nothing a plain user cannot do. Its home holds matplotlib's
# font cache (built now, so the first chart does not pay for it); /var/lib/iso20k is the
# working folder (the SQLite default, download files, the console reminder log).
RUN useradd --create-home --uid 10001 --user-group iso20k \
    && install -d -o iso20k -g iso20k /var/lib/iso20k
USER iso20k
WORKDIR /var/lib/iso20k
RUN python -c "import matplotlib.font_manager as f; f.fontManager.findfont('WenQuanYi Micro Hei')"

ENV PORT=3000
EXPOSE 3000
# Liveness: /healthz answers 503 while the dialog workers cannot serve (bot/web.py). The
# image has no curl: the standard library asks. Services without HTTP (the migration, the
# reminder worker) turn this off in docker-compose.yml.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"3000\")}/healthz', timeout=4)"]
CMD ["iso20k", "serve"]
