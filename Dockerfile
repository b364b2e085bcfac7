# Airflow image with the project installed from its lock file.
FROM apache/airflow:3.3.2-python3.11
USER root
COPY --chown=airflow:root . /opt/yigongti
USER airflow
WORKDIR /opt/yigongti
RUN pip install --no-cache-dir uv \
    && uv export --frozen --no-dev --no-emit-project -o /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && pip install --no-cache-dir --no-deps -e .
