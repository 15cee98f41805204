FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN NETTPORTAL_ENV=development python manage.py fetch_assets \
    && NETTPORTAL_ENV=development python manage.py collectstatic --noinput
RUN useradd --create-home nettportal && mkdir -p var && chown -R nettportal var
USER nettportal
