"""One-shot job of the offline stack: create the S3 bucket (S3_BUCKET) unless it exists, then exit 0."""
import os
import sys
import time

import boto3
from botocore.exceptions import ClientError, EndpointConnectionError

bucket = os.environ["S3_BUCKET"]
client = boto3.client(
    "s3",
    endpoint_url=os.environ.get("S3_ENDPOINT", "http://s3:9000"),
    aws_access_key_id=os.environ["S3_ACCESS_KEY"],
    aws_secret_access_key=os.environ["S3_SECRET_KEY"],
    region_name="us-east-1",
)
for attempt in range(30):
    try:
        client.head_bucket(Bucket=bucket)
        print(f"bucket {bucket} exists")
        sys.exit(0)
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("404", "NoSuchBucket"):
            raise
        client.create_bucket(Bucket=bucket)
        print(f"bucket {bucket} created")
        sys.exit(0)
    except EndpointConnectionError:
        time.sleep(1)
sys.exit(f"S3 not reachable at {client.meta.endpoint_url}")
