import threading
import time

import pytest
from botocore.exceptions import ClientError


def test_visibility_redelivery_and_receive_count(sim):
    sqs = sim.client("sqs")
    queue = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody="hello")
    [m1] = sqs.receive_message(QueueUrl=queue, AttributeNames=["All"])["Messages"]
    assert m1["Body"] == "hello" and m1["Attributes"]["ApproximateReceiveCount"] == "1"
    assert sqs.receive_message(QueueUrl=queue).get("Messages", []) == []  # in flight
    time.sleep(1.2)
    [m2] = sqs.receive_message(QueueUrl=queue, AttributeNames=["All"])["Messages"]
    assert m2["MessageId"] == m1["MessageId"] and m2["Attributes"]["ApproximateReceiveCount"] == "2"
    assert m2["ReceiptHandle"] != m1["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=m2["ReceiptHandle"], VisibilityTimeout=0)
    [m3] = sqs.receive_message(QueueUrl=queue)["Messages"]
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=m3["ReceiptHandle"])
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0" and attributes["QueueArn"].endswith(":q")


def test_long_poll_waits_for_a_message(sim):
    sqs = sim.client("sqs")
    queue = sqs.create_queue(QueueName="q")["QueueUrl"]
    threading.Timer(1.0, lambda: sim.client("sqs").send_message(QueueUrl=queue, MessageBody="late")).start()
    start = time.monotonic()
    messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5)["Messages"]
    waited = time.monotonic() - start
    assert [m["Body"] for m in messages] == ["late"] and 0.8 < waited < 4.5
    start = time.monotonic()
    assert sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", []) == []
    assert time.monotonic() - start >= 0.9
    # A message whose visibility timeout runs out during a long poll is that poll's answer.
    sqs.send_message(QueueUrl=queue, MessageBody="again")
    [taken] = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=1)["Messages"]
    [back] = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5)["Messages"]
    assert back["MessageId"] == taken["MessageId"] and back["Body"] == "again"


def test_batch_delete_reports_failures_and_errors_name_the_queue(sim):
    sqs = sim.client("sqs")
    queue = sqs.create_queue(QueueName="q")["QueueUrl"]
    for n in range(3):
        sqs.send_message(QueueUrl=queue, MessageBody=f"m{n}")
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    entries = [{"Id": f"e{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)] + [
        {"Id": "bad", "ReceiptHandle": "made-up"}
    ]
    result = sqs.delete_message_batch(QueueUrl=queue, Entries=entries)
    assert sorted(s["Id"] for s in result["Successful"]) == ["e0", "e1", "e2"]
    assert [(f["Id"], f["Code"]) for f in result["Failed"]] == [("bad", "ReceiptHandleIsInvalid")]
    with pytest.raises(ClientError) as e:
        sqs.receive_message(QueueUrl=queue.replace("/q", "/nope"))
    assert e.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    with pytest.raises(ClientError) as e:
        sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=11)
    assert e.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_send_message_batch_delivers_together_and_checks_its_size(sim):
    sqs = sim.client("sqs")
    queue = sqs.create_queue(QueueName="q")["QueueUrl"]
    entries = [{"Id": f"e{n}", "MessageBody": f"m{n}"} for n in range(3)]
    result = sqs.send_message_batch(QueueUrl=queue, Entries=entries)
    assert sorted(s["Id"] for s in result["Successful"]) == ["e0", "e1", "e2"] and not result.get("Failed")
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
    assert sorted(m["Body"] for m in messages) == ["m0", "m1", "m2"]
    eleven = [{"Id": f"e{n}", "MessageBody": "x"} for n in range(11)]
    for entries, code in (([], "EmptyBatchRequest"), (eleven, "TooManyEntriesInBatchRequest")):
        with pytest.raises(ClientError) as e:
            sqs.send_message_batch(QueueUrl=queue, Entries=entries)
        assert e.value.response["Error"]["Code"] == f"AWS.SimpleQueueService.{code}"
