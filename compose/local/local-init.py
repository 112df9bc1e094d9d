#!/usr/bin/env python3
"""One-shot set-up of the local stack's AWS emulator (compose/compose.local.yml).

Creates a VPC, a subnet, a security group and the runner instance profile in moto, then writes
the pools template with those ids filled in to RUNWAY_POOLS_OUT. Idempotent: a second run reuses
what the first created (found by the `runway:local` tag / name).
"""
import os
import string
import sys
import time
import urllib.request

import boto3

ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
REGION = os.environ.get("AWS_REGION", "us-east-1")
TAG = {"Key": "runway:local", "Value": "true"}


def wait_for_emulator() -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(ENDPOINT + "/moto-api/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"local-init: the emulator at {ENDPOINT} did not answer")


def network(ec2) -> tuple[str, str]:
    found = ec2.describe_subnets(Filters=[{"Name": "tag:runway:local", "Values": ["true"]}])["Subnets"]
    if found:
        subnet = found[0]
        groups = ec2.describe_security_groups(
            Filters=[{"Name": "group-name", "Values": ["runway-runners"]},
                     {"Name": "vpc-id", "Values": [subnet["VpcId"]]}])["SecurityGroups"]
        return subnet["SubnetId"], groups[0]["GroupId"]
    tags = lambda kind: [{"ResourceType": kind, "Tags": [TAG]}]  # noqa: E731
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16", TagSpecifications=tags("vpc"))["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.42.1.0/24",
                               TagSpecifications=tags("subnet"))["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="runway-runners", Description="Runway runners",
                                      VpcId=vpc, TagSpecifications=tags("security-group"))["GroupId"]
    return subnet, group


def instance_profile(iam) -> str:
    name = "runway-runner"
    try:
        return iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]["InstanceProfileName"]
    except iam.exceptions.NoSuchEntityException:
        pass
    trust = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
             '"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}')
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    iam.create_instance_profile(InstanceProfileName=name)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    return name


def main() -> None:
    wait_for_emulator()
    session = boto3.session.Session(region_name=REGION)
    subnet, group = network(session.client("ec2", endpoint_url=ENDPOINT))
    profile = instance_profile(session.client("iam", endpoint_url=ENDPOINT))
    with open(os.environ["RUNWAY_POOLS_TEMPLATE"]) as f:
        text = string.Template(f.read()).substitute(
            SUBNET_ID=subnet, SECURITY_GROUP_ID=group, INSTANCE_PROFILE=profile)
    out = os.environ["RUNWAY_POOLS_OUT"]
    with open(out + ".tmp", "w") as f:
        f.write(text)
    os.chmod(out + ".tmp", 0o644)
    os.replace(out + ".tmp", out)
    print(f"local-init: subnet {subnet}, security group {group}, instance profile {profile}; wrote {out}")


if __name__ == "__main__":
    main()
