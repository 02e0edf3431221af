"""The local cloud's template reader: CloudFormation short tags, intrinsics, SAM Globals."""

from __future__ import annotations

from pathlib import Path

import pytest

from local.functions import shared_environment, specs_from_stack
from local.schedule_events import rate_seconds
from local.template import Stack, TemplateError, load_yaml, merge_globals

ROOT = Path(__file__).resolve().parents[2]

TEMPLATE = """
AWSTemplateFormatVersion: 2010-09-09
Transform: AWS::Serverless-2016-10-31
Parameters:
  SweepSchedule:
    Type: String
    Default: rate(5 minutes)
  LogLevel:
    Type: String
    Default: INFO
  Stage:
    Type: String
    Default: dev
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    Runtime: python3.12
    Timeout: 30
    Layers: [!Ref HeraldLayer]
    Environment:
      Variables:
        POWERTOOLS_SERVICE_NAME: herald
        HERALD_TABLE_NAME: !Ref Table
        HERALD_SCHEDULE_GROUP: !Ref ScheduleGroup
        HERALD_PUBLISH_FUNCTION_ARN: !GetAtt PublishFunction.Arn
        HERALD_SCHEDULE_DLQ_ARN: !GetAtt ScheduleDeadLetterQueue.Arn
        HERALD_DLQ_URL: !Ref ScheduleDeadLetterQueue
        LOG_LEVEL: !Ref LogLevel
Resources:
  HeraldLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/herald/
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${AWS::StackName}-table"
      BillingMode: PAY_PER_REQUEST
  ScheduleGroup:
    Type: AWS::Scheduler::ScheduleGroup
    Properties:
      Name: !Sub "${AWS::StackName}-posts"
  ScheduleDeadLetterQueue:
    Type: AWS::SQS::Queue
  SchedulerRole:
    Type: AWS::IAM::Role
  ProdOnlyQueue:
    Type: AWS::SQS::Queue
    Condition: IsProd
  PublishFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "${AWS::StackName}-publish"
      CodeUri: functions/publish/
      Handler: app.lambda_handler
      Timeout: 300
      Layers: [extra-layer]
      Environment:
        Variables:
          POWERTOOLS_SERVICE_NAME: herald-publish
      EventInvokeConfig:
        MaximumRetryAttempts: 0
        DestinationConfig:
          OnFailure:
            Type: SQS
            Destination: !GetAtt ScheduleDeadLetterQueue.Arn
  SweeperFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/sweeper/
      Handler: app.lambda_handler
      Events:
        Sweep:
          Type: Schedule
          Properties:
            Schedule: !Ref SweepSchedule
"""


@pytest.fixture
def stack() -> Stack:
    return Stack(template=load_yaml(TEMPLATE), aws_endpoint="http://127.0.0.1:4566", base_dir=Path("/project"))


def test_short_tags_become_long_form_intrinsics() -> None:
    doc = load_yaml(
        "a: !Ref X\n"
        "b: !GetAtt Res.Arn\n"
        "c: !GetAtt [Res, StreamArn]\n"
        "d: !Sub '${AWS::Region}'\n"
        "e: !Join ['-', [a, !Ref Y]]\n"
        "f: !If [Cond, 1, 2]\n"
        "g: 2010-09-09\n"
    )
    assert doc == {
        "a": {"Ref": "X"},
        "b": {"Fn::GetAtt": ["Res", "Arn"]},
        "c": {"Fn::GetAtt": ["Res", "StreamArn"]},
        "d": {"Fn::Sub": "${AWS::Region}"},
        "e": {"Fn::Join": ["-", ["a", {"Ref": "Y"}]]},
        "f": {"Fn::If": ["Cond", 1, 2]},
        "g": "2010-09-09",  # CloudFormation keeps dates as strings
    }


def test_unknown_tag_is_an_error() -> None:
    with pytest.raises(Exception, match="unknown tag"):
        load_yaml("a: !Nope x\n")


def test_ref_resolves_parameters_pseudo_parameters_and_resources(stack: Stack) -> None:
    assert stack.resolve({"Ref": "SweepSchedule"}) == "rate(5 minutes)"
    assert stack.resolve({"Ref": "AWS::Region"}) == "us-east-1"
    assert stack.resolve({"Ref": "AWS::AccountId"}) == "123456789012"
    assert stack.resolve({"Ref": "Table"}) == "herald-table"
    assert stack.resolve({"Ref": "ScheduleGroup"}) == "herald-posts"
    assert stack.resolve({"Ref": "PublishFunction"}) == "herald-publish"
    # Resources without a name property get "{stack}-{LogicalId}"; a queue's Ref is its URL.
    assert stack.resolve({"Ref": "SweeperFunction"}) == "herald-SweeperFunction"
    assert stack.resolve({"Ref": "ScheduleDeadLetterQueue"}) == (
        "http://127.0.0.1:4566/123456789012/herald-ScheduleDeadLetterQueue"
    )


def test_parameter_overrides_win_over_defaults() -> None:
    stack = Stack(template=load_yaml(TEMPLATE), parameter_overrides={"SweepSchedule": "rate(1 minute)"})
    assert stack.resolve({"Ref": "SweepSchedule"}) == "rate(1 minute)"


def test_sub_substitutes_pseudo_parameters_refs_attributes_and_literals(stack: Stack) -> None:
    assert stack.resolve({"Fn::Sub": "${AWS::StackName}-x"}) == "herald-x"
    assert stack.resolve({"Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:f"}) == (
        "arn:aws:lambda:us-east-1:123456789012:function:f"
    )
    assert stack.resolve({"Fn::Sub": "${Table}/${Table.Arn}"}) == (
        "herald-table/arn:aws:dynamodb:us-east-1:123456789012:table/herald-table"
    )
    assert stack.resolve({"Fn::Sub": "${!Literal} ${LogLevel}"}) == "${Literal} INFO"
    assert stack.resolve({"Fn::Sub": ["${A}-${Stage}", {"A": {"Ref": "Table"}}]}) == "herald-table-dev"


def test_get_att_arns(stack: Stack) -> None:
    assert stack.resolve({"Fn::GetAtt": ["PublishFunction", "Arn"]}) == (
        "arn:aws:lambda:us-east-1:123456789012:function:herald-publish"
    )
    assert stack.resolve({"Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]}) == (
        "arn:aws:sqs:us-east-1:123456789012:herald-ScheduleDeadLetterQueue"
    )
    assert (
        stack.resolve({"Fn::GetAtt": ["SchedulerRole", "Arn"]}) == "arn:aws:iam::123456789012:role/herald-SchedulerRole"
    )
    assert stack.resolve({"Fn::GetAtt": ["ScheduleGroup", "Arn"]}) == (
        "arn:aws:scheduler:us-east-1:123456789012:schedule-group/herald-posts"
    )


def test_attributes_known_after_creation_replace_the_computed_ones(stack: Stack) -> None:
    stack.set_attribute("Table", "StreamArn", "arn:real-stream")
    assert stack.resolve({"Fn::GetAtt": ["Table", "StreamArn"]}) == "arn:real-stream"


def test_join_select_split_and_conditions(stack: Stack) -> None:
    assert stack.resolve({"Fn::Join": ["/", ["a", {"Ref": "Table"}]]}) == "a/herald-table"
    assert stack.resolve({"Fn::Select": [1, {"Fn::Split": [",", "x,y,z"]}]}) == "y"
    assert stack.resolve({"Fn::If": ["IsProd", "p", "d"]}) == "d"
    assert stack.resolve({"a": {"Fn::If": ["IsProd", "p", {"Ref": "AWS::NoValue"}]}, "b": 1}) == {"b": 1}
    assert "ProdOnlyQueue" not in stack.resources


def test_unknown_parameter_is_an_error(stack: Stack) -> None:
    with pytest.raises(TemplateError):
        stack.parameter("Nope")


def test_sam_globals_merge_maps_append_lists_and_override_scalars(stack: Stack) -> None:
    props = stack.properties("PublishFunction")
    assert props["Timeout"] == 300
    assert props["Runtime"] == "python3.12"
    assert props["Layers"] == [{"Ref": "HeraldLayer"}, "extra-layer"]
    variables = props["Environment"]["Variables"]
    assert variables["POWERTOOLS_SERVICE_NAME"] == "herald-publish"
    assert variables["HERALD_TABLE_NAME"] == {"Ref": "Table"}
    assert merge_globals({"a": {"b": 1}, "l": [1]}, {"a": {"c": 2}, "l": [2]}) == {"a": {"b": 1, "c": 2}, "l": [1, 2]}


def test_function_specs_resolve_environment_events_and_async_config(stack: Stack) -> None:
    specs = {spec.logical_id: spec for spec in specs_from_stack(stack)}
    publish, sweeper = specs["PublishFunction"], specs["SweeperFunction"]
    assert publish.name == "herald-publish"
    assert publish.code_dir == Path("/project/functions/publish")
    assert publish.timeout_seconds == 300
    assert publish.max_retry_attempts == 0
    assert publish.on_failure == ("destination", "arn:aws:sqs:us-east-1:123456789012:herald-ScheduleDeadLetterQueue")
    assert publish.environment["HERALD_TABLE_NAME"] == "herald-table"
    assert publish.environment["HERALD_PUBLISH_FUNCTION_ARN"] == publish.arn
    assert sweeper.max_retry_attempts == 2  # Lambda's default
    assert sweeper.events["Sweep"]["Properties"]["Schedule"] == "rate(5 minutes)"

    shared = shared_environment(specs.values(), {"POWERTOOLS_SERVICE_NAME": "herald"})
    assert shared["POWERTOOLS_SERVICE_NAME"] == "herald"  # Globals wins where functions differ
    assert shared["HERALD_SCHEDULE_GROUP"] == "herald-posts"


def test_rate_expressions() -> None:
    assert rate_seconds("rate(5 minutes)") == 300
    assert rate_seconds("rate(1 minute)") == 60
    assert rate_seconds("rate(2 hours)") == 7200
    assert rate_seconds("cron(0/5 * * * ? *)") is None
    with pytest.raises(ValueError):
        rate_seconds("rate(1 minutes)")


def test_the_project_template_resolves() -> None:
    """template.yaml itself: the names the local cloud creates and the functions' environment."""
    stack = Stack.from_file(ROOT / "template.yaml")
    table = stack.resolved_properties("Table")
    assert stack.physical_name("Table") == "herald-table"
    assert {key["AttributeName"] for key in table["KeySchema"]} == {"PK", "SK"}
    assert {index["IndexName"] for index in table["GlobalSecondaryIndexes"]} == {"GSI1", "GSI2", "GSI3"}
    assert table["TimeToLiveSpecification"]["AttributeName"] == "expires_at"
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert stack.physical_name("ScheduleGroup") == "herald-posts"

    specs = {spec.logical_id: spec for spec in specs_from_stack(stack)}
    assert {"ApiFunction", "PublishFunction", "SweeperFunction"} <= set(specs)
    for spec in specs.values():
        assert spec.code_dir is not None and (spec.code_dir / "app.py").is_file()
        assert spec.handler == "app.lambda_handler"
        assert spec.environment["HERALD_TABLE_NAME"] == "herald-table"
        assert spec.environment["HERALD_SCHEDULE_GROUP"] == "herald-posts"
        assert spec.environment["HERALD_PUBLISH_FUNCTION_ARN"] == specs["PublishFunction"].arn
    sweep = next(e for e in specs["SweeperFunction"].events.values() if e["Type"] == "Schedule")
    assert rate_seconds(sweep["Properties"]["Schedule"]) is not None
