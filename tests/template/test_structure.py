"""Structural assertions on template.yaml as SAM reads it (Globals merged into each function).

These need no tools and run everywhere; the lint and build checks are in test_lint/test_build."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from herald.settings import Settings

from .cfn_yaml import as_list, function_properties, resources_of_type, sub_text
from .conftest import ROOT

FUNCTIONS = {"ApiFunction": "api", "PublishFunction": "publish", "SweeperFunction": "sweeper",
             "InspectMediaFunction": "inspect_media"}  # logical id -> functions/<dir>
NAMES = {"ApiFunction": "api", "PublishFunction": "publish", "SweeperFunction": "sweeper",
         "InspectMediaFunction": "inspect-media"}  # logical id -> ${AWS::StackName}-<name>
MEMORY = {"InspectMediaFunction": 1024}  # others: 512 from Globals
# The media bucket's name, built from the stack (a !Ref would be circular through its notification).
STACK_HASH = {"Fn::Select": [0, {"Fn::Split": ["-", {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}]}]}
MEDIA_BUCKET = {"Fn::Sub": ["${AWS::StackName}-media-${StackHash}", {"StackHash": STACK_HASH}]}


def media_arn(prefix: str) -> str:
    text = "arn:${AWS::Partition}:s3:::${AWS::StackName}-media-${StackHash}/" + prefix + "/*"
    return json.dumps({"Fn::Sub": [text, {"StackHash": STACK_HASH}]}, sort_keys=True)


PUBLISH_ARN = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-publish"
SCHEDULES_ARN = "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/${ScheduleGroup}/*"
SCHEDULER_ACTIONS = {
    "scheduler:CreateSchedule",
    "scheduler:UpdateSchedule",
    "scheduler:DeleteSchedule",
    "scheduler:GetSchedule",
}
REQUIRED_SETTINGS = {
    "table_name",
    "schedule_group",
    "scheduler_role_arn",
    "publish_function_arn",
    "schedule_dlq_arn",
    "lease_seconds",
    "max_attempts",
}
EXPECTED_RESOURCES = {
    "HeraldLayer": "AWS::Serverless::LayerVersion",
    "Table": "AWS::DynamoDB::Table",
    "ScheduleGroup": "AWS::Scheduler::ScheduleGroup",
    "ScheduleDeadLetterQueue": "AWS::SQS::Queue",
    "SchedulerRole": "AWS::IAM::Role",
    "PublishDeadLetterQueue": "AWS::SQS::Queue",
    "HttpApi": "AWS::Serverless::HttpApi",
    "ApiFunction": "AWS::Serverless::Function",
    "PublishFunction": "AWS::Serverless::Function",
    "SweeperFunction": "AWS::Serverless::Function",
    "MediaBucket": "AWS::S3::Bucket",
    "MediaBucketPolicy": "AWS::S3::BucketPolicy",
    "InspectMediaFunction": "AWS::Serverless::Function",
}
EXPECTED_OUTPUTS = {
    "ApiUrl",
    "TableName",
    "ScheduleGroupName",
    "PublishFunctionArn",
    "ApiFunctionArn",
    "SweeperFunctionArn",
    "ScheduleDeadLetterQueueUrl",
    "PublishDeadLetterQueueUrl",
    "MediaBucketName",
    "InspectMediaFunctionArn",
}


def props(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return template["Resources"][logical_id]["Properties"]


def statements(policies: list[Any]) -> list[dict[str, Any]]:
    """The inline statements of a SAM function's Policies (policy templates are left out)."""
    found = []
    for policy in policies:
        if isinstance(policy, dict) and "Statement" in policy:
            found += as_list(policy["Statement"])
    return found


def grants(statement_list: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(action, resource) pairs of Allow statements; a resource is rendered as JSON."""
    pairs = set()
    for statement in statement_list:
        assert statement.get("Effect") == "Allow", statement
        for action in as_list(statement["Action"]):
            for resource in as_list(statement["Resource"]):
                pairs.add((action, json.dumps(resource, sort_keys=True)))
    return pairs


def _sub(text: str) -> str:
    return json.dumps({"Fn::Sub": text}, sort_keys=True)


def _getatt(resource: str, attribute: str = "Arn") -> str:
    return json.dumps({"Fn::GetAtt": [resource, attribute]}, sort_keys=True)


def test_sam_transform_and_logical_ids(template: dict[str, Any]) -> None:
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    types = {rid: res["Type"] for rid, res in template["Resources"].items()}
    for logical_id, resource_type in EXPECTED_RESOURCES.items():
        assert types.get(logical_id) == resource_type, logical_id
    # Plain Lambda resources would escape the checks below.
    assert not resources_of_type(template, "AWS::Lambda::Function")
    assert not resources_of_type(template, "AWS::Lambda::LayerVersion")


def test_every_parameter_is_described_and_defaults_are_the_documented_ones(template: dict[str, Any]) -> None:
    parameters = template["Parameters"]
    for name, parameter in parameters.items():
        assert parameter.get("Description"), name
        assert "Default" in parameter, name
    assert parameters["LogRetentionDays"]["Default"] == 30
    assert parameters["SweepSchedule"]["Default"] == "rate(5 minutes)"
    assert re.fullmatch(parameters["SweepSchedule"]["AllowedPattern"], "rate(5 minutes)")
    assert re.fullmatch(parameters["SweepSchedule"]["AllowedPattern"], "cron(0/5 * * * ? *)")
    assert not re.fullmatch(parameters["SweepSchedule"]["AllowedPattern"], "rate(6 hour")
    assert parameters["LeaseSeconds"]["Default"] == 420
    assert parameters["MaxAttempts"]["Default"] == 5
    assert parameters["LogLevel"]["Default"] in parameters["LogLevel"]["AllowedValues"]


def test_parameter_bounds_are_valid_settings(template: dict[str, Any]) -> None:
    """Whatever value CloudFormation lets through, the functions' Settings accept."""
    parameters = template["Parameters"]
    for parameter, field in (("LeaseSeconds", "lease_seconds"), ("MaxAttempts", "max_attempts"),
                             ("MediaMaxBytes", "media_max_bytes")):
        for key in ("Default", "MinValue", "MaxValue"):
            Settings.model_validate({field: parameters[parameter][key]})


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_function_runs_python312_on_arm64_from_a_makefile_build(template: dict[str, Any], logical_id: str) -> None:
    function = function_properties(template, logical_id)
    assert function["Runtime"] == "python3.12"
    assert function["Architectures"] == ["arm64"]
    assert function["Handler"] == "app.lambda_handler"
    assert function["MemorySize"] == MEMORY.get(logical_id, 512)
    assert {"Ref": "HeraldLayer"} in function["Layers"]
    metadata = template["Resources"][logical_id].get("Metadata", {})
    assert metadata.get("BuildMethod") == "makefile"
    code = ROOT / function["CodeUri"]
    assert code == ROOT / "functions" / FUNCTIONS[logical_id]
    assert (code / "app.py").is_file()
    makefile = (code / "Makefile").read_text(encoding="utf-8")
    assert re.search(rf"^build-{logical_id}:", makefile, re.M), f"no build-{logical_id} target in {code}/Makefile"
    assert "--invalidation-mode unchecked-hash" in makefile


def test_layer_is_python312_arm64_built_by_its_makefile(template: dict[str, Any]) -> None:
    layer = template["Resources"]["HeraldLayer"]
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert layer["Properties"]["ContentUri"] == "layers/herald/"
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.12"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    makefile = (ROOT / "layers/herald/Makefile").read_text(encoding="utf-8")
    assert re.search(r"^build-HeraldLayer:", makefile, re.M)
    for flag in (
        "--platform manylinux2014_aarch64",
        "--only-binary=:all:",
        "--python-version 3.12",
        "--implementation cp",
    ):
        assert flag in makefile, flag
    assert "--invalidation-mode unchecked-hash" in makefile


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_function_environment(template: dict[str, Any], logical_id: str) -> None:
    variables = function_properties(template, logical_id)["Environment"]["Variables"]
    assert variables["POWERTOOLS_SERVICE_NAME"] == "herald"
    assert variables["POWERTOOLS_LOG_LEVEL"] == {"Ref": "LogLevel"}
    assert variables["POWERTOOLS_DEV"] == "false"
    herald = {
        name.removeprefix("HERALD_").lower(): value for name, value in variables.items() if name.startswith("HERALD_")
    }
    # Every HERALD_ variable is a Settings field (a typo would be silently ignored at runtime).
    assert set(herald) <= set(Settings.model_fields), set(herald) - set(Settings.model_fields)
    assert REQUIRED_SETTINGS <= set(herald), REQUIRED_SETTINGS - set(herald)
    assert herald["table_name"] == {"Ref": "Table"}
    assert herald["schedule_group"] == {"Ref": "ScheduleGroup"}
    assert herald["scheduler_role_arn"] == {"Fn::GetAtt": ["SchedulerRole", "Arn"]}
    assert herald["publish_function_arn"] == {"Fn::Sub": PUBLISH_ARN}
    assert herald["schedule_dlq_arn"] == {"Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]}
    assert herald["lease_seconds"] == {"Ref": "LeaseSeconds"}
    assert herald["max_attempts"] == {"Ref": "MaxAttempts"}
    assert herald["media_bucket"] == MEDIA_BUCKET
    assert herald["media_max_bytes"] == {"Ref": "MediaMaxBytes"}


def test_publish_function_arn_is_built_from_its_name_everywhere(template: dict[str, Any]) -> None:
    name = sub_text(props(template, "PublishFunction")["FunctionName"])
    assert name == "${AWS::StackName}-publish"
    assert PUBLISH_ARN.endswith(":function:" + name)

    def walk(node: Any) -> list[str]:
        if isinstance(node, dict):
            text = sub_text(node)
            return [text] if text is not None else [t for v in node.values() for t in walk(v)]
        if isinstance(node, list):
            return [t for v in node for t in walk(v)]
        return []

    function_arns = [text for text in walk(template) if ":function:" in text]
    assert function_arns and all(text == PUBLISH_ARN for text in function_arns), function_arns


def test_publish_function_async_config(template: dict[str, Any]) -> None:
    publish = props(template, "PublishFunction")
    assert publish["Timeout"] == 300
    config = publish["EventInvokeConfig"]
    # Lambda's retries are off: the sweeper recovers a crashed run once its lease expires.
    assert config["MaximumRetryAttempts"] == 0
    assert 60 <= config["MaximumEventAgeInSeconds"] <= 21600
    # Failed and expired invocations are kept in PublishDeadLetterQueue (a DLQ or an on-failure destination).
    queue = {"Fn::GetAtt": ["PublishDeadLetterQueue", "Arn"]}
    on_failure = config.get("DestinationConfig", {}).get("OnFailure", {})
    dead_letter = publish.get("DeadLetterQueue", {})
    assert (on_failure.get("Type") == "SQS" and on_failure.get("Destination") == queue) or (
        dead_letter.get("Type") == "SQS" and dead_letter.get("TargetArn") == queue
    ), (on_failure, dead_letter)
    # The lease must outlast a run.
    lease = template["Parameters"]["LeaseSeconds"]
    assert lease["MinValue"] > publish["Timeout"] and lease["Default"] > publish["Timeout"]


def test_api_function_routes_and_access_logs(template: dict[str, Any]) -> None:
    api = props(template, "ApiFunction")
    assert api["Timeout"] < 30  # HTTP API integrations time out at 30 s
    routes = {
        (event["Properties"]["Method"], event["Properties"]["Path"])
        for event in api["Events"].values()
        if event["Type"] == "HttpApi" and event["Properties"].get("ApiId") == {"Ref": "HttpApi"}
    }
    assert routes == {("ANY", "/{proxy+}"), ("ANY", "/")}
    access = props(template, "HttpApi")["AccessLogSettings"]
    assert access["DestinationArn"] == {"Fn::GetAtt": ["HttpApiAccessLogGroup", "Arn"]}
    assert "requestId" in json.loads(access["Format"])


def test_sweeper_runs_on_the_sweep_schedule(template: dict[str, Any]) -> None:
    sweeper = props(template, "SweeperFunction")
    schedules = [event for event in sweeper["Events"].values() if event["Type"] == "Schedule"]
    assert len(schedules) == 1
    assert schedules[0]["Properties"]["Schedule"] == {"Ref": "SweepSchedule"}
    assert sweeper["EventInvokeConfig"]["MaximumRetryAttempts"] == 0


def test_table(template: dict[str, Any]) -> None:
    table = props(template, "Table")
    assert sub_text(table["TableName"]) == "${AWS::StackName}-table"
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    attributes = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    assert attributes == dict.fromkeys(["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"], "S")
    assert table["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    indexes = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"GSI1", "GSI2", "GSI3"}
    for name, projection in (("GSI1", "ALL"), ("GSI2", "KEYS_ONLY"), ("GSI3", "ALL")):
        assert indexes[name]["KeySchema"] == [
            {"AttributeName": f"{name}PK", "KeyType": "HASH"},
            {"AttributeName": f"{name}SK", "KeyType": "RANGE"},
        ]
        assert indexes[name]["Projection"]["ProjectionType"] == projection
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert table["DeletionProtectionEnabled"] == {"Ref": "TableDeletionProtection"}
    assert template["Parameters"]["TableDeletionProtection"]["Default"] == "true"


def test_schedule_group_and_queues(template: dict[str, Any]) -> None:
    assert sub_text(props(template, "ScheduleGroup")["Name"]) == "${AWS::StackName}-posts"
    for queue in ("ScheduleDeadLetterQueue", "PublishDeadLetterQueue"):
        properties = props(template, queue)
        assert properties.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in properties, queue
        assert properties["MessageRetentionPeriod"] == 14 * 24 * 3600, queue
        assert not properties.get("FifoQueue"), queue


def test_scheduler_role_may_only_invoke_publish_and_dead_letter(template: dict[str, Any]) -> None:
    role = props(template, "SchedulerRole")
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Effect"] == "Allow"
    assert as_list(trust["Principal"]["Service"]) == ["scheduler.amazonaws.com"]
    assert as_list(trust["Action"]) == ["sts:AssumeRole"]
    assert trust["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert not role.get("ManagedPolicyArns")
    granted = grants([s for policy in role["Policies"] for s in as_list(policy["PolicyDocument"]["Statement"])])
    assert granted == {
        ("lambda:InvokeFunction", _sub(PUBLISH_ARN)),
        ("sqs:SendMessage", _getatt("ScheduleDeadLetterQueue")),
    }


@pytest.mark.parametrize("logical_id", ["ApiFunction", "PublishFunction"])
def test_api_and_publish_policies(template: dict[str, Any], logical_id: str) -> None:
    policies = props(template, logical_id)["Policies"]
    templates = [next(iter(p)) for p in policies if isinstance(p, dict) and "Statement" not in p]
    assert templates == ["DynamoDBCrudPolicy"]
    assert {"DynamoDBCrudPolicy": {"TableName": {"Ref": "Table"}}} in policies
    inline = statements(policies)
    media = {
        ("s3:PutObject", media_arn("uploads")),  # what a presigned POST carries
        ("s3:GetObject", media_arn("thumbnails")),  # presigned thumbnail links
        ("s3:DeleteObject", media_arn("uploads")),
        ("s3:DeleteObject", media_arn("thumbnails")),
    }
    apps = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${AWS::StackName}/herald/apps"
    secrets = {  # sealing account credentials, and reading the deployment's network apps
        ("kms:Encrypt", _getatt("TokenKey")),
        ("kms:Decrypt", _getatt("TokenKey")),
        ("ssm:GetParametersByPath", _sub(apps)),
        ("ssm:GetParametersByPath", _sub(apps + "/*")),
    }
    assert grants(inline) == {(action, _sub(SCHEDULES_ARN)) for action in SCHEDULER_ACTIONS} | {
        ("iam:PassRole", _getatt("SchedulerRole")),
        ("lambda:InvokeFunction", _sub(PUBLISH_ARN)),
    } | secrets | (media | {("sqs:SendMessage", _getatt("AnalyticsQueue")),
                             ("sqs:SendMessage", _getatt("WebhookQueue"))} if logical_id == "ApiFunction"
                   else {("s3:GetObject", media_arn("uploads"))})  # presigned media; analytics refreshes
    (pass_role,) = [s for s in inline if "iam:PassRole" in as_list(s["Action"])]
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}}


def test_sweeper_policy_reads_updates_invokes_publish_and_refreshes_tokens(template: dict[str, Any]) -> None:
    policies = props(template, "SweeperFunction")["Policies"]
    assert all(isinstance(p, dict) and "Statement" in p for p in policies), "no broad policy templates"
    granted = grants(statements(policies))
    table = _getatt("Table")
    assert ("dynamodb:Query", _sub("${Table.Arn}/index/GSI2")) in granted
    assert ("dynamodb:UpdateItem", table) in granted
    assert ("dynamodb:GetItem", table) in granted
    assert ("lambda:InvokeFunction", _sub(PUBLISH_ARN)) in granted
    assert ("kms:Decrypt", _getatt("TokenKey")) in granted and ("kms:Encrypt", _getatt("TokenKey")) in granted
    actions = {action for action, _ in granted}
    assert actions <= {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
        "dynamodb:PutItem",  # an account with a refreshed token
        "kms:Encrypt",
        "kms:Decrypt",
        "ssm:GetParametersByPath",
        "lambda:InvokeFunction",
    }, actions


def test_no_inline_statement_uses_wildcards(template: dict[str, Any]) -> None:
    for logical_id in FUNCTIONS:
        for statement in statements(props(template, logical_id)["Policies"]):
            for action in as_list(statement["Action"]):
                assert action != "*" and not action.endswith(":*"), (logical_id, statement)
            assert "*" not in as_list(statement["Resource"]), (logical_id, statement)


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_function_log_group_has_retention(template: dict[str, Any], logical_id: str) -> None:
    function = props(template, logical_id)
    name = sub_text(function["FunctionName"])
    assert name == "${AWS::StackName}-" + NAMES[logical_id]
    log_group_ref = function["LoggingConfig"]["LogGroup"]
    log_group = template["Resources"][log_group_ref["Ref"]]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert sub_text(log_group["Properties"]["LogGroupName"]) == "/aws/lambda/" + name
    assert log_group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_every_log_group_has_retention(template: dict[str, Any]) -> None:
    log_groups = resources_of_type(template, "AWS::Logs::LogGroup")
    assert len(log_groups) >= len(FUNCTIONS) + 1  # the functions' and the HTTP API's access logs
    for logical_id, log_group in log_groups.items():
        assert log_group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, logical_id


def test_outputs_are_described(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert EXPECTED_OUTPUTS <= set(outputs), EXPECTED_OUTPUTS - set(outputs)
    for name, output in outputs.items():
        assert isinstance(output.get("Description"), str) and output["Description"].strip(), name
        assert "Value" in output, name


def test_media_max_bytes_parameter(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["MediaMaxBytes"]
    assert parameter["Type"] == "Number"
    assert parameter["Default"] == 1024**3
    assert parameter["MaxValue"] == 5 * 1024**3  # one presigned POST carries at most 5 GiB
    assert parameter["MinValue"] == 1024**2
    assert parameter["Default"] > 10 * 1000**2  # uploads over 10 MB work out of the box


def test_media_bucket_is_private_encrypted_and_named_from_the_stack(template: dict[str, Any]) -> None:
    resource = template["Resources"]["MediaBucket"]
    assert resource["DeletionPolicy"] == "Retain" and resource["UpdateReplacePolicy"] == "Retain"
    bucket = resource["Properties"]
    assert bucket["BucketName"] == MEDIA_BUCKET
    assert bucket["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"], True
    )
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (sse,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    (cors,) = bucket["CorsConfiguration"]["CorsRules"]
    assert {"POST", "PUT"} <= set(cors["AllowedMethods"])
    rules = bucket["LifecycleConfiguration"]["Rules"]
    assert any(r["Status"] == "Enabled" and r["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] >= 1
               for r in rules)
    (deny,) = props(template, "MediaBucketPolicy")["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_bucket_name_is_built_the_same_way_everywhere(template: dict[str, Any]) -> None:
    """Every S3 ARN names the bucket with the same expression as the bucket itself."""
    found = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            text = sub_text(node)
            if text is not None and ":s3:::" in text:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(template["Resources"])
    assert found
    for node in found:
        text, variables = node["Fn::Sub"]
        assert text.startswith("arn:${AWS::Partition}:s3:::${AWS::StackName}-media-${StackHash}/"), text
        assert variables == {"StackHash": STACK_HASH}


def test_inspect_function_runs_on_uploads_with_least_privilege(template: dict[str, Any]) -> None:
    function = props(template, "InspectMediaFunction")
    (event,) = function["Events"].values()
    assert event["Type"] == "S3"
    assert event["Properties"]["Bucket"] == {"Ref": "MediaBucket"}
    assert event["Properties"]["Events"] in ("s3:ObjectCreated:*", ["s3:ObjectCreated:*"])
    assert event["Properties"]["Filter"] == {"S3Key": {"Rules": [{"Name": "prefix", "Value": "uploads/"}]}}
    policies = function["Policies"]
    assert all(isinstance(p, dict) and "Statement" in p for p in policies), "no broad policy templates"
    assert grants(statements(policies)) == {
        ("dynamodb:GetItem", _getatt("Table")),
        ("dynamodb:PutItem", _getatt("Table")),
        ("s3:GetObject", media_arn("uploads")),
        ("s3:PutObject", media_arn("thumbnails")),
        ("s3:DeleteObject", media_arn("uploads")),
        ("s3:DeleteObject", media_arn("thumbnails")),
    }
    assert function["EventInvokeConfig"]["MaximumRetryAttempts"] == 2


def test_account_credentials_are_sealed_with_a_rotating_key_kept_on_delete(template: dict[str, Any]) -> None:
    key = template["Resources"]["TokenKey"]
    assert key["Type"] == "AWS::KMS::Key"
    assert (key["DeletionPolicy"], key["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert key["Properties"]["EnableKeyRotation"] is True
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["HERALD_KMS_KEY_ID"] == {"Ref": "TokenKey"}


def test_webhooks_function_delivers_from_its_queue_with_least_privilege(template: dict[str, Any]) -> None:
    function = props(template, "WebhooksFunction")
    (event,) = function["Events"].values()
    assert event["Type"] == "SQS" and event["Properties"]["Queue"] == {"Fn::GetAtt": ["WebhookQueue", "Arn"]}
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # Every delivery in a batch may take the receiver's full 10 s.
    assert function["Timeout"] >= 10 * event["Properties"]["BatchSize"]
    queue = template["Resources"]["WebhookQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * function["Timeout"]
    assert queue["MessageRetentionPeriod"] > 3 * 86400  # outlasts the 3-day retry window
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["WebhookDeadLetterQueue", "Arn"]}
    assert grants(statements(function["Policies"])) == {
        ("dynamodb:GetItem", _getatt("Table")),
        ("dynamodb:PutItem", _getatt("Table")),
        ("dynamodb:UpdateItem", _getatt("Table")),
        ("kms:Decrypt", _getatt("TokenKey")),
        ("sqs:ChangeMessageVisibility", _getatt("WebhookQueue")),
        ("sqs:SendMessage", _getatt("WebhookDeadLetterQueue")),
    }


def test_stream_function_feeds_the_webhook_outbox(template: dict[str, Any]) -> None:
    function = props(template, "StreamFunction")
    granted = grants(statements(function["Policies"]))
    assert ("sqs:SendMessage", _getatt("WebhookQueue")) in granted
    assert ("dynamodb:Query", _getatt("Table")) in granted  # a profile's webhooks
    patterns = [json.loads(f["Pattern"]) for f in function["Events"]["TableChanges"]["Properties"]["FilterCriteria"]["Filters"]]
    entities = {(e, name) for p in patterns for image in ("NewImage", "OldImage") if image in p["dynamodb"]
                for e in p["dynamodb"][image]["entity"]["S"] for name in p["eventName"]}
    assert {("post", "INSERT"), ("post", "MODIFY"), ("snapshot", "INSERT"), ("signal", "INSERT"), ("mention", "INSERT"),
            ("account", "MODIFY"), ("account", "REMOVE")} <= entities
