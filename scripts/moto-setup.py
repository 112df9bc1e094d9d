#!/usr/bin/env python3
"""Prepares a fresh moto server for signature-checked tests.

Creates an IAM user with an access key and an allow-all policy while moto's auth is still
off, then switches auth on (every later call is SigV4-verified). Prints shell `export`
lines with the credentials for the tests.
"""
import sys
import urllib.request

import boto3

endpoint = sys.argv[1]
iam = boto3.client(
    "iam", endpoint_url=endpoint, region_name="us-east-1",
    aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap",
)
iam.create_user(UserName="runway-test")
policy = iam.create_policy(
    PolicyName="runway-test-all",
    PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
)
iam.attach_user_policy(UserName="runway-test", PolicyArn=policy["Policy"]["Arn"])
key = iam.create_access_key(UserName="runway-test")["AccessKey"]

# Body "0": no more unauthenticated calls; a form content type would break this call.
req = urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0", method="POST",
                             headers={"Content-Type": "text/plain"})
urllib.request.urlopen(req).read()

print(f"export RUNWAY_TEST_AWS_ACCESS_KEY_ID={key['AccessKeyId']}")
print(f"export RUNWAY_TEST_AWS_SECRET_ACCESS_KEY={key['SecretAccessKey']}")
