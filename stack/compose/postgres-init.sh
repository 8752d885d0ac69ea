#!/bin/sh
# Run once by the PostgreSQL image on an empty data volume: one database per service that keeps state
# in PostgreSQL here (Temporal's auto-setup creates its own two).
set -eu
for database in mlflow airflow; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -c "CREATE DATABASE $database"
done
