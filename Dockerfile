# Hotline: a multi-stage image on a slim Python base, running as a non-root user.
# The database lives on the /data volume; feeds.yaml is baked in at /etc/hotline and can be
# replaced with a bind mount. Secrets come only from the environment (docker run -e ...).

# The build stage is the full image: its C compiler builds the detector with mypyc
# (bot/extract/native.py). mypy stays in /opt/build-tools, out of the image that runs.
# Should that build fail, the image still works, on the pure Python detector.
FROM python:3.11-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
RUN python -m venv /opt/hotline \
    && /opt/hotline/bin/pip install --no-cache-dir . \
    && pip install --no-cache-dir --target /opt/build-tools "mypy>=1.11" "setuptools>=65" \
    && (PYTHONPATH=/opt/build-tools /opt/hotline/bin/python -m bot.extract.build \
        || echo "the detector runs as pure Python")

FROM python:3.11-slim-bookworm
ENV PATH=/opt/hotline/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOTLINE_CONFIG=/etc/hotline/feeds.yaml \
    HOTLINE_DB=/data/hotline.db \
    HOTLINE_HTTP_PORT=3000
RUN groupadd --system --gid 10001 hotline \
    && useradd --system --uid 10001 --gid hotline --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin hotline \
    && mkdir -p /data /etc/hotline \
    && chown hotline:hotline /data
COPY --from=build /opt/hotline /opt/hotline
COPY feeds.yaml /etc/hotline/feeds.yaml
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('HOTLINE_HTTP_PORT', '3000'), timeout=4)"]
ENTRYPOINT ["hotline", "run"]
