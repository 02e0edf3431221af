"""The webhook path as deployed, in-process: the table's stream (moto's DynamoDB Streams) read from
where a test starts and handed to the outbox, which queues deliveries on the webhook queue (SQS);
the delivery function's work (`wiring.deliverer()`, the real sender) on a controllable clock; and
the webhook dead-letter queue read back."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from support.clock import FakeClock


def drain(queue_url: str) -> list[dict[str, Any]]:
    """Every message on the queue now (received, then deleted), oldest first as SQS hands them."""
    from herald.aws import client

    sqs, found = client("sqs"), []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages")
        if not messages:
            return found
        for m in messages:
            found.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])


@dataclass
class TableStream:
    """The table's stream from the moment `start` is called."""

    iterators: list[str] = field(default_factory=list)

    def start(self) -> TableStream:
        from herald.aws import client
        from herald.settings import get_settings

        arn = client("dynamodb").describe_table(TableName=get_settings().table_name)["Table"]["LatestStreamArn"]
        streams = client("dynamodbstreams")
        shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        self.iterators = [streams.get_shard_iterator(StreamArn=arn, ShardId=s["ShardId"],
                                                     ShardIteratorType="LATEST")["ShardIterator"] for s in shards]
        return self

    def to_outbox(self) -> int:
        """Hand every new record to the outbox, as the stream function does; deliveries queued."""
        from herald import wiring
        from herald.aws import client

        streams, queued, next_iterators = client("dynamodbstreams"), 0, []
        for iterator in self.iterators:
            answer = streams.get_records(ShardIterator=iterator)
            queued += sum(wiring.outbox().handle(record) for record in answer["Records"])
            next_iterators.append(answer.get("NextShardIterator") or iterator)
        self.iterators = next_iterators
        return queued


def deliverer(clock: FakeClock) -> Any:
    """The delivery function's Deliverer as wired from the settings, on `clock`."""
    from herald import wiring

    return dataclasses.replace(wiring.deliverer(), clock=clock)
