"""Talking to the tests' S3 server (tests/storage/conftest.py starts it): a client, new buckets, their objects."""

import uuid

KEYS = {"S3_ACCESS_KEY_ID": "jinxuan-test", "S3_SECRET_ACCESS_KEY": "jinxuan-test-secret"}


def s3_client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=KEYS["S3_ACCESS_KEY_ID"],
                        aws_secret_access_key=KEYS["S3_SECRET_ACCESS_KEY"], region_name="us-east-1")


def new_bucket(endpoint: str) -> dict:
    """Environment variables of an installation using a new, empty bucket."""
    bucket = f"jinxuan-{uuid.uuid4().hex[:16]}"
    s3_client(endpoint).create_bucket(Bucket=bucket)
    return {"S3_ENDPOINT_URL": endpoint, "S3_BUCKET": bucket, **KEYS}


def objects(endpoint: str, bucket: str) -> dict[str, bytes]:
    client = s3_client(endpoint)
    names = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
             for o in page.get("Contents", [])]
    return {name: client.get_object(Bucket=bucket, Key=name)["Body"].read() for name in names}
