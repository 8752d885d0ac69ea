#!/bin/sh
# Writes the S3 identity from the environment, then runs SeaweedFS with its S3 gateway on :9000.
set -eu
if [ -z "${S3_ACCESS_KEY:-}" ] || [ -z "${S3_SECRET_KEY:-}" ]; then
  echo "S3_ACCESS_KEY and S3_SECRET_KEY must be set: put them in .env (see .env.example)" >&2
  exit 1
fi
cat > /data/s3-identities.json <<JSON
{"identities": [{"name": "arxiv-mlops", "credentials": [{"accessKey": "$S3_ACCESS_KEY", "secretKey": "$S3_SECRET_KEY"}], "actions": ["Admin", "Read", "List", "Tagging", "Write"]}]}
JSON
exec weed mini -dir=/data/store -ip=0.0.0.0 -s3.port=9000 -s3.config=/data/s3-identities.json \
  -s3.port.iceberg=0 -s3.port.lance=0 -admin.ui=false -webdav=false "$@"
