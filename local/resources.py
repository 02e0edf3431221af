"""Create the template's AWS resources in moto, from their own definitions in template.yaml.

Handled types: DynamoDB tables (keys, GSIs/LSIs, billing mode, stream, TTL), Scheduler schedule
groups, SQS queues (with redrive policies), IAM roles (with inline policies), S3 buckets and
KMS keys/aliases. Functions are not created in moto: they run in-process (local.functions).
Anything else is logged as not emulated."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

from local.template import Stack

log = logging.getLogger(__name__)

FAKE_CREDENTIALS = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
    "aws_session_token": "testing",
}


def aws_client(service: str, endpoint: str, region: str) -> Any:
    """A boto3 client for moto, independent of the process environment."""
    return boto3.session.Session(region_name=region, **FAKE_CREDENTIALS).client(
        service,
        endpoint_url=endpoint,
        config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=30),
    )


# Resource types that exist only as configuration of something local, or in SAM's translation.
_NOT_CREATED = {
    "AWS::Serverless::Function",
    "AWS::Lambda::Function",
    "AWS::Serverless::LayerVersion",
    "AWS::Lambda::LayerVersion",
    "AWS::Serverless::HttpApi",
    "AWS::Lambda::Permission",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::Logs::LogGroup",
    "AWS::CloudWatch::Alarm",
    # Operations only: there is no CloudWatch or SNS locally (metrics are off, see local.cloud).
    "AWS::CloudWatch::Dashboard",
    "AWS::SNS::Topic",
    "AWS::SNS::Subscription",
}


class ResourceCreator:
    """Creates each supported resource of `stack` in moto and records late attributes on it."""

    def __init__(self, stack: Stack, endpoint: str):
        self.stack = stack
        self.endpoint = endpoint
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = aws_client(service, self.endpoint, self.stack.region)
        return self._clients[service]

    def create_all(self) -> list[str]:
        """Create every resource; returns the logical ids created. KMS keys go first (others may
        refer to their ids), queues before their redrive policies are set."""
        creators: dict[str, Callable[[str], None]] = {
            "AWS::KMS::Key": self.create_kms_key,
            "AWS::KMS::Alias": self.create_kms_alias,
            "AWS::SQS::Queue": self.create_queue,
            "AWS::DynamoDB::Table": self.create_table,
            "AWS::Scheduler::ScheduleGroup": self.create_schedule_group,
            "AWS::IAM::Role": self.create_role,
            "AWS::S3::Bucket": self.create_bucket,
        }
        order = list(creators)
        resources = self.stack.resources
        created: list[str] = []
        for rtype in order:
            for logical_id, resource in resources.items():
                if resource.get("Type") == rtype:
                    creators[rtype](logical_id)
                    created.append(logical_id)
        for logical_id, resource in resources.items():
            if resource.get("Type") == "AWS::SQS::Queue":
                self.set_queue_redrive(logical_id)
        for logical_id, resource in resources.items():
            rtype = resource.get("Type", "")
            if rtype not in creators and rtype not in _NOT_CREATED:
                log.info("%s (%s) is not emulated locally", logical_id, rtype)
        return created

    # -- DynamoDB ---------------------------------------------------------------------------

    def create_table(self, logical_id: str) -> None:
        props = self.stack.resolved_properties(logical_id)
        name = self.stack.physical_name(logical_id)
        request: dict[str, Any] = {
            "TableName": name,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
        }
        billing = props.get("BillingMode", "PROVISIONED")
        request["BillingMode"] = billing
        if billing == "PROVISIONED":
            request["ProvisionedThroughput"] = _throughput(props.get("ProvisionedThroughput"))
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if props.get(key):
                indexes = []
                for index in props[key]:
                    index = {k: v for k, v in index.items() if k in ("IndexName", "KeySchema", "Projection")}
                    if key == "GlobalSecondaryIndexes" and billing == "PROVISIONED":
                        index["ProvisionedThroughput"] = _throughput(index.get("ProvisionedThroughput"))
                    indexes.append(index)
                request[key] = indexes
        stream = props.get("StreamSpecification")
        if stream:
            request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
        dynamodb = self.client("dynamodb")
        description = dynamodb.create_table(**request)["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled") in (True, "true"):
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )
        pitr = (props.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled")
        if pitr in (True, "true"):
            dynamodb.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
            )
        self.stack.set_attribute(logical_id, "Arn", description["TableArn"])
        if description.get("LatestStreamArn"):
            self.stack.set_attribute(logical_id, "StreamArn", description["LatestStreamArn"])
        log.info("created table %s", name)

    # -- Scheduler ----------------------------------------------------------------------------

    def create_schedule_group(self, logical_id: str) -> None:
        name = self.stack.physical_name(logical_id)
        arn = self.client("scheduler").create_schedule_group(Name=name)["ScheduleGroupArn"]
        self.stack.set_attribute(logical_id, "Arn", arn)
        log.info("created schedule group %s", name)

    # -- SQS ----------------------------------------------------------------------------------

    _QUEUE_ATTRIBUTES = (
        "DelaySeconds",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "ReceiveMessageWaitTimeSeconds",
        "VisibilityTimeout",
        "FifoQueue",
        "ContentBasedDeduplication",
    )

    def create_queue(self, logical_id: str) -> None:
        props = self.stack.resolved_properties(logical_id)
        name = self.stack.physical_name(logical_id)
        attributes = {key: _attribute(props[key]) for key in self._QUEUE_ATTRIBUTES if key in props}
        url = self.client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        self.stack.set_attribute(logical_id, "Ref", url)
        self.stack.set_attribute(logical_id, "QueueUrl", url)
        log.info("created queue %s", name)

    def set_queue_redrive(self, logical_id: str) -> None:
        props = self.stack.resolved_properties(logical_id)
        attributes = {}
        for key in ("RedrivePolicy", "RedriveAllowPolicy"):
            if key in props:
                value = props[key]
                attributes[key] = value if isinstance(value, str) else json.dumps(value)
        if attributes:
            url = self.stack.get_att(logical_id, "QueueUrl")
            self.client("sqs").set_queue_attributes(QueueUrl=url, Attributes=attributes)

    # -- IAM ----------------------------------------------------------------------------------

    def create_role(self, logical_id: str) -> None:
        """Roles are created for completeness; moto does not enforce them. Failures only warn."""
        name = self.stack.physical_name(logical_id)
        try:
            props = self.stack.resolved_properties(logical_id)
            iam = self.client("iam")
            role = iam.create_role(
                RoleName=name,
                Path=props.get("Path", "/"),
                AssumeRolePolicyDocument=json.dumps(props.get("AssumeRolePolicyDocument") or {}),
            )["Role"]
            for policy in props.get("Policies") or []:
                iam.put_role_policy(
                    RoleName=name,
                    PolicyName=policy["PolicyName"],
                    PolicyDocument=json.dumps(policy["PolicyDocument"]),
                )
            self.stack.set_attribute(logical_id, "Arn", role["Arn"])
            log.info("created role %s", name)
        except Exception:  # a role is never needed locally
            log.warning("could not create role %s locally (ignored: moto does not enforce IAM)", name, exc_info=True)

    # -- S3 and KMS ---------------------------------------------------------------------------

    def create_bucket(self, logical_id: str) -> None:
        """The bucket, with its CORS rules, default encryption, public access block and lifecycle
        rules (CloudFormation's property shapes translated to the S3 API's). moto stores them; it
        does not enforce them, nor a presigned POST's conditions."""
        name = self.stack.physical_name(logical_id)
        s3 = self.client("s3")
        if self.stack.region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.stack.region})
        props = self.stack.resolved_properties(logical_id)
        settings: list[tuple[str, Callable[[], Any]]] = []
        cors = props.get("CorsConfiguration")
        if cors:
            rules = [_cors_rule(rule) for rule in cors.get("CorsRules") or cors.get("CORSRules") or []]
            settings.append(("CORS", lambda: s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})))
        encryption = props.get("BucketEncryption")
        if encryption:
            settings.append(("encryption", lambda: s3.put_bucket_encryption(
                Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
                    _encryption_rule(rule) for rule in encryption.get("ServerSideEncryptionConfiguration") or []
                ]})))
        block = props.get("PublicAccessBlockConfiguration")
        if block:
            settings.append(("public access block", lambda: s3.put_public_access_block(
                Bucket=name, PublicAccessBlockConfiguration={k: _bool(v) for k, v in block.items()})))
        lifecycle = props.get("LifecycleConfiguration")
        if lifecycle:
            settings.append(("lifecycle", lambda: s3.put_bucket_lifecycle_configuration(
                Bucket=name, LifecycleConfiguration={"Rules": [_lifecycle_rule(r) for r in lifecycle.get("Rules") or []]})))
        for what, apply in settings:
            try:
                apply()
            except Exception:  # nothing local depends on these
                log.warning("bucket %s: could not set its %s locally (ignored)", name, what, exc_info=True)
        log.info("created bucket %s", name)

    def create_kms_key(self, logical_id: str) -> None:
        props = self.stack.resolved_properties(logical_id)
        request = {"Description": props.get("Description", logical_id)}
        for key in ("KeySpec", "KeyUsage"):
            if key in props:
                request[key] = props[key]
        metadata = self.client("kms").create_key(**request)["KeyMetadata"]
        self.stack.set_attribute(logical_id, "Ref", metadata["KeyId"])
        self.stack.set_attribute(logical_id, "KeyId", metadata["KeyId"])
        self.stack.set_attribute(logical_id, "Arn", metadata["Arn"])
        log.info("created KMS key %s (%s)", logical_id, metadata["KeyId"])

    def create_kms_alias(self, logical_id: str) -> None:
        props = self.stack.resolved_properties(logical_id)
        self.client("kms").create_alias(AliasName=props["AliasName"], TargetKeyId=props["TargetKeyId"])


def _throughput(value: dict[str, Any] | None) -> dict[str, int]:
    value = value or {}
    return {
        "ReadCapacityUnits": int(value.get("ReadCapacityUnits", 5)),
        "WriteCapacityUnits": int(value.get("WriteCapacityUnits", 5)),
    }


def _attribute(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _bool(value: Any) -> bool:
    return value in (True, "true", "True")


def _cors_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation CorsRule -> the S3 API's CORSRule."""
    names = {"Id": "ID", "AllowedHeaders": "AllowedHeaders", "AllowedMethods": "AllowedMethods",
             "AllowedOrigins": "AllowedOrigins", "ExposedHeaders": "ExposeHeaders", "MaxAge": "MaxAgeSeconds"}
    translated = {names.get(key, key): value for key, value in rule.items()}
    if "MaxAgeSeconds" in translated:
        translated["MaxAgeSeconds"] = int(translated["MaxAgeSeconds"])
    return translated


def _encryption_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation ServerSideEncryptionRule -> the S3 API's."""
    translated: dict[str, Any] = {}
    if "ServerSideEncryptionByDefault" in rule:
        translated["ApplyServerSideEncryptionByDefault"] = rule["ServerSideEncryptionByDefault"]
    if "BucketKeyEnabled" in rule:
        translated["BucketKeyEnabled"] = _bool(rule["BucketKeyEnabled"])
    return translated


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation lifecycle Rule -> the S3 API's (the common parts)."""
    translated: dict[str, Any] = {"ID": rule.get("Id", "rule"), "Status": rule.get("Status", "Enabled"),
                                  "Filter": {"Prefix": rule.get("Prefix", "")}}
    abort = rule.get("AbortIncompleteMultipartUpload")
    if abort:
        translated["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": int(abort["DaysAfterInitiation"])}
    if "ExpirationInDays" in rule:
        translated["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    return translated
