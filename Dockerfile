# qa-monitor service image: the same install as the README (`make install`), served by `qa-monitor serve`.
FROM python:3.11-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends make libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 qa \
 && mkdir /app && chown qa:qa /app

WORKDIR /app
COPY --chown=qa:qa . .
USER qa
RUN make install PYTHON=python3.11

ENV PATH=/app/.venv/bin:$PATH \
    QA_MONITOR_DATABASE_URL=sqlite:////app/data/local/qa_monitor.db
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"
ENTRYPOINT ["qa-monitor"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
