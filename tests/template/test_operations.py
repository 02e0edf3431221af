"""The dashboard and alarms in template.yaml: every dead-letter queue is watched, and the
dashboard and alarms read exactly the metric names the code emits (parsed from
herald.observability.metrics, so the two cannot drift)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from herald.observability import metrics

from .cfn_yaml import as_list, resources_of_type, sub_text

SEARCH = re.compile(r"SEARCH\('\{(?P<namespace>[^,}]+)(?P<dims>(?:,[^,}]+)*)\} MetricName=\"(?P<metric>[^\"]+)\"")


def _walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def dead_letter_queues(template: dict[str, Any]) -> set[str]:
    """Queues something sends its failures to: redrive targets, on-failure destinations, and the
    queue the publish schedules name as their dead-letter queue."""
    found = set()
    for node in _walk(template["Resources"]):
        if not isinstance(node, dict):
            continue
        for key in ("deadLetterTargetArn", "Destination"):
            target = node.get(key)
            if isinstance(target, dict) and "Fn::GetAtt" in target:
                found.add(target["Fn::GetAtt"][0])
    schedule_dlq = template["Globals"]["Function"]["Environment"]["Variables"]["HERALD_SCHEDULE_DLQ_ARN"]
    found.add(schedule_dlq["Fn::GetAtt"][0])
    queues = resources_of_type(template, "AWS::SQS::Queue")
    assert found <= set(queues), found - set(queues)
    return found


def alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {rid: res["Properties"] for rid, res in resources_of_type(template, "AWS::CloudWatch::Alarm").items()}


def dashboard_metrics(template: dict[str, Any]) -> list[tuple[str, str, tuple[str, ...]]]:
    """(namespace, metric, dimension names) of every metric the dashboard draws."""
    (dashboard,) = resources_of_type(template, "AWS::CloudWatch::Dashboard").values()
    text = sub_text(dashboard["Properties"]["DashboardBody"])
    assert text is not None
    body = json.loads(re.sub(r"\$\{[^}]+\}", "SUBSTITUTED", text))
    drawn = []
    for widget in body["widgets"]:
        previous: list[Any] = []
        for row in widget["properties"]["metrics"]:
            if isinstance(row[0], dict):  # an expression
                found = SEARCH.search(row[0]["expression"])
                assert found, row
                dims = tuple(sorted(d for d in found["dims"].split(",") if d))
                drawn.append((found["namespace"], found["metric"], dims))
                continue
            fields = [f for f in row if not isinstance(f, dict)]
            if fields == ["..."]:
                fields = previous
            fields = [previous[i] if f == "." else f for i, f in enumerate(fields)]
            previous = fields
            drawn.append((fields[0], fields[1], tuple(sorted(fields[2::2]))))
    return drawn


def test_every_dead_letter_queue_has_a_depth_alarm_that_notifies(template: dict[str, Any]) -> None:
    queues = dead_letter_queues(template)
    assert queues == {"ScheduleDeadLetterQueue", "PublishDeadLetterQueue", "AnalyticsDeadLetterQueue",
                      "StreamDeadLetterQueue", "WebhookDeadLetterQueue"}
    watched = {}
    for logical_id, alarm in alarms(template).items():
        if alarm.get("Namespace") == "AWS/SQS":
            (dimension,) = alarm["Dimensions"]
            assert dimension["Name"] == "QueueName"
            watched[dimension["Value"]["Fn::GetAtt"][0]] = alarm
            assert dimension["Value"]["Fn::GetAtt"][1] == "QueueName", logical_id
    assert set(watched) == queues
    for alarm in watched.values():
        assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
        assert (alarm["Statistic"], alarm["Threshold"], alarm["ComparisonOperator"]) == (
            "Maximum", 0, "GreaterThanThreshold")


def test_every_alarm_notifies_the_topic_and_says_what_it_means(template: dict[str, Any]) -> None:
    found = alarms(template)
    assert {"PublishFailuresAlarm", "SweeperFindsAlarm", "LambdaThrottlesAlarm", "TableThrottlesAlarm"} <= set(found)
    for logical_id, alarm in found.items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], logical_id
        assert alarm["AlarmDescription"].strip(), logical_id
        assert alarm["TreatMissingData"] == "notBreaching", logical_id


def test_alarm_email_is_optional(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["AlarmEmail"]
    assert parameter["Default"] == ""
    pattern = parameter["AllowedPattern"]
    assert re.fullmatch(pattern, "") and re.fullmatch(pattern, "ops@example.com")
    assert not re.fullmatch(pattern, "not an address")
    assert template["Conditions"]["HasAlarmEmail"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}
    (subscription,) = resources_of_type(template, "AWS::SNS::Subscription").values()
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert subscription["Properties"]["TopicArn"] == {"Ref": "AlarmTopic"}


def test_the_dashboard_draws_every_metric_the_code_emits_and_no_other(template: dict[str, Any]) -> None:
    herald = [(metric, dims) for namespace, metric, dims in dashboard_metrics(template) if namespace == metrics.NAMESPACE]
    assert {metric for metric, _ in herald} == set(metrics.METRICS)
    for metric, dims in herald:
        # A per-network metric is drawn per network or as the total over networks (service only).
        allowed = {("network", "service"), ("service",)} if metric in metrics.PER_NETWORK else {("service",)}
        assert dims in allowed, (metric, dims)


def test_the_dashboard_draws_the_queues_functions_and_table(template: dict[str, Any]) -> None:
    drawn = dashboard_metrics(template)
    names = {(namespace, metric) for namespace, metric, _ in drawn}
    assert {("AWS/SQS", "ApproximateNumberOfMessagesVisible"), ("AWS/Lambda", "Errors"), ("AWS/Lambda", "Throttles"),
            ("AWS/Lambda", "Duration"), ("AWS/DynamoDB", "ReadThrottleEvents"),
            ("AWS/DynamoDB", "WriteThrottleEvents")} <= names
    (dashboard,) = resources_of_type(template, "AWS::CloudWatch::Dashboard").values()
    text = sub_text(dashboard["Properties"]["DashboardBody"]) or ""
    for queue in dead_letter_queues(template):
        assert "${" + queue + ".QueueName}" in text, queue
    for function in function_names(template):
        assert text.count(f'"{function}"') == 3, function  # errors, throttles, duration


def function_names(template: dict[str, Any]) -> set[str]:
    functions = resources_of_type(template, "AWS::Serverless::Function")
    names = {sub_text(f["Properties"]["FunctionName"]) for f in functions.values()}
    assert None not in names
    return names  # type: ignore[return-value]


def test_the_lambda_throttles_alarm_sums_every_function(template: dict[str, Any]) -> None:
    alarm = alarms(template)["LambdaThrottlesAlarm"]
    summed = set()
    for query in alarm["Metrics"]:
        if "MetricStat" in query:
            metric = query["MetricStat"]["Metric"]
            assert (metric["Namespace"], metric["MetricName"]) == ("AWS/Lambda", "Throttles")
            summed.add(sub_text(metric["Dimensions"][0]["Value"]))
    assert summed == function_names(template)
    assert len(alarm["Metrics"]) <= 10  # CloudWatch's limit of metrics in an alarm's math


@pytest.mark.parametrize("logical_id", ["PublishFailuresAlarm", "SweeperFindsAlarm"])
def test_alarms_on_herald_metrics_read_emitted_names_without_the_network(template: dict[str, Any],
                                                                        logical_id: str) -> None:
    alarm = alarms(template)[logical_id]
    assert alarm["Namespace"] == metrics.NAMESPACE
    assert alarm["MetricName"] in metrics.METRICS
    assert as_list(alarm["Dimensions"]) == [{"Name": "service", "Value": metrics.SERVICE}]


def test_sweeper_finds_alarm_wants_consecutive_periods(template: dict[str, Any]) -> None:
    alarm = alarms(template)["SweeperFindsAlarm"]
    assert alarm["MetricName"] == metrics.SWEEPER_FINDS
    assert alarm["EvaluationPeriods"] == alarm["DatapointsToAlarm"] >= 2
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
