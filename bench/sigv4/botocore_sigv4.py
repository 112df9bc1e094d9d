#!/usr/bin/env python3
"""botocore's SigV4Auth on the same RunInstances request as bench/sigv4 (signatures per CPU second).

  botocore_sigv4.py SECONDS
"""
import sys
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

BODY = (
    "Action=RunInstances&Version=2016-11-15&ImageId=ami-0123456789abcdef0&InstanceType=c7i.xlarge&MinCount=1&MaxCount=1"
    "&SubnetId=subnet-0123456789abcdef0&SecurityGroupId.1=sg-0123456789abcdef0&UserData=IyEvYmluL2Jhc2gKZWNobyBoZWxsbwo%3D"
    "&IamInstanceProfile.Name=runner-profile&InstanceInitiatedShutdownBehavior=terminate&MetadataOptions.HttpTokens=required"
    "&MetadataOptions.HttpEndpoint=enabled&ClientToken=job-123456-attempt-1&InstanceMarketOptions.MarketType=spot"
    "&InstanceMarketOptions.SpotOptions.SpotInstanceType=one-time&InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior=terminate"
    "&TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=runner-manager%2Fjob-id&TagSpecification.1.Tag.1.Value=123456"
    "&TagSpecification.1.Tag.2.Key=Name&TagSpecification.1.Tag.2.Value=gha-runner-123456"
)

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
auth = SigV4Auth(Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "ec2", "us-east-1")
count = 0
start = time.process_time()
while time.process_time() - start < seconds:
    for _ in range(200):
        request = AWSRequest(method="POST", url="https://ec2.us-east-1.amazonaws.com/", data=BODY,
                             headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        auth.add_auth(request)
    count += 200
print(f"{count / (time.process_time() - start):.0f}")
