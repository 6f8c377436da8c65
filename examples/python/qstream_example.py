#!/usr/bin/env python3
"""A qstream client in Python: send a prompt, read the actor's generation, send feedback on it, read the scored
generation, and (with --dead-letter-probe) find a bad record of ours on the dead-letter topic.

Needs Debian's python3-confluent-kafka and python3-avro (apt-get install python3-confluent-kafka python3-avro).
Against `./qstream up` (which prints "broker ready at HOST:PORT"):

    python3 examples/python/qstream_example.py --bootstrap-servers HOST:PORT

Prints one JSON object per line on stdout for each thing it did or read (see README.md beside this file); exits 0
when everything it waited for arrived before --timeout, 1 otherwise.
"""

import argparse
import datetime
import json
import os
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

from qstream_avro import SingleObjectCodec

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_PROMPT = "name[strada] food[japanese] price[cheap] area[city centre]"
DEFAULT_REFERENCES = ["strada serves cheap japanese food in the city centre area.",
                      "strada is a cheap japanese restaurant in the city centre."]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bootstrap-servers", default=os.environ.get("QSTREAM_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    p.add_argument("--topic-prefix", default=os.environ.get("QSTREAM_TOPIC_PREFIX", "qstream"))
    p.add_argument("--bundle", default=os.path.join(REPO, "schemas", "bundle"),
                   help="the schema bundle: one self-contained .avsc per topic value, and fingerprints.json")
    p.add_argument("--history", default=os.path.join(REPO, "schemas", "src", "main", "avro", "history"),
                   help="released schema versions, to read records written by older qstream releases")
    p.add_argument("--prompt", default=DEFAULT_PROMPT)
    p.add_argument("--reference", action="append",
                   help="a reference text the scorer compares the generation with (repeatable; the default prompt "
                        "comes with its own; a prompt without any is scored on feedback alone)")
    p.add_argument("--task", default="python-example")
    p.add_argument("--max-tokens", type=int, default=None)
    p.add_argument("--prompt-id", default=None, help="default: py-<uuid>")
    p.add_argument("--feedback", default="thumbs-up",
                   help="thumbs-up, thumbs-down, rating:1..5, or none (default: %(default)s)")
    p.add_argument("--no-wait-scored", dest="wait_scored", action="store_false",
                   help="do not wait for the scorer's scored summary of the generation")
    p.add_argument("--dead-letter-probe", action="store_true",
                   help="also send a prompt whose deadline has passed and find its dead letter on <prefix>.dlq")
    p.add_argument("--compression", default="lz4", choices=["none", "gzip", "snappy", "lz4", "zstd"],
                   help="compression of what this client produces; qstream reads all five (default: %(default)s)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for everything (default: %(default)s)")
    return p.parse_args(argv)


def say(event, **fields):
    """One JSON line per event on stdout (what scripts and the integration test read)."""
    print(json.dumps(dict(event=event, **fields), default=str), flush=True)


def now():
    return datetime.datetime.now(datetime.timezone.utc)


class Client:
    def __init__(self, args):
        self.args = args
        self.topic = lambda suffix: args.topic_prefix + "." + suffix
        history = args.history if os.path.isdir(args.history) else None
        self.prompts = SingleObjectCodec.from_bundle(args.bundle, "Prompt", history)
        self.feedback = SingleObjectCodec.from_bundle(args.bundle, "Feedback", history)
        self.episodes = SingleObjectCodec.from_bundle(args.bundle, "Episode", history)
        self.dead_letters = SingleObjectCodec.from_bundle(args.bundle, "DeadLetter", history)
        self.check_fingerprints()
        self.producer = Producer({
            "bootstrap.servers": args.bootstrap_servers,
            # Java's default partitioner: murmur2 of the key bytes. librdkafka's default (consistent_random, CRC32)
            # would put feedback on another partition than its episode's transitions, and the scorer joins them
            # per partition.
            "partitioner": "murmur2_random",
            "compression.type": args.compression,
            "enable.idempotence": True,
            "acks": "all",
        })
        self.consumer = Consumer({
            "bootstrap.servers": args.bootstrap_servers,
            "group.id": "python-example-" + uuid.uuid4().hex,  # never commits: positions are assigned below
            "enable.auto.commit": False,
            "isolation.level": "read_committed",  # the scorer writes in transactions
        })

    def check_fingerprints(self):
        """What we compute must be what the Java services write (fingerprints.json comes from their classes)."""
        path = os.path.join(self.args.bundle, "fingerprints.json")
        published = {r["schema"]: r for r in json.load(open(path, encoding="utf-8"))["records"]}
        for name, codec in [("Prompt", self.prompts), ("Feedback", self.feedback), ("Episode", self.episodes),
                            ("DeadLetter", self.dead_letters)]:
            expected = published[name + ".avsc"]["header"]
            if codec.header.hex() != expected:
                raise SystemExit("%s: computed header %s but the bundle says %s" % (name, codec.header.hex(), expected))
        say("fingerprints", prompt=format(self.prompts.fingerprint, "x"), feedback=format(self.feedback.fingerprint, "x"))

    def follow_from_end(self, suffixes):
        """Assigns every partition of the topics at its current end, so we read only what comes after now."""
        assignment = []
        for suffix in suffixes:
            name = self.topic(suffix)
            metadata = self.consumer.list_topics(name, timeout=30).topics[name]
            if metadata.error is not None:
                raise KafkaException(metadata.error)
            for partition in metadata.partitions:
                _, high = self.consumer.get_watermark_offsets(TopicPartition(name, partition), timeout=30)
                assignment.append(TopicPartition(name, partition, high))
        self.consumer.assign(assignment)

    def send(self, suffix, key: str, value: bytes):
        delivered = {}

        def on_delivery(err, msg):
            delivered["err"], delivered["msg"] = err, msg

        self.producer.produce(self.topic(suffix), key=key.encode("utf-8"), value=value, on_delivery=on_delivery)
        self.producer.flush(30)
        if delivered.get("err") is not None or "msg" not in delivered:
            raise KafkaException(delivered.get("err"))
        return delivered["msg"].partition(), delivered["msg"].offset()

    def references(self):
        if self.args.reference is not None:
            return self.args.reference
        return DEFAULT_REFERENCES if self.args.prompt == DEFAULT_PROMPT else []

    def send_prompt(self, prompt_id, deadline=None):
        record = {
            "promptId": prompt_id,
            "text": self.args.prompt,
            "references": self.references(),
            "task": self.args.task,
            "deadline": deadline,
            "maxTokens": self.args.max_tokens,
            "createdAt": now(),
        }
        partition, offset = self.send("prompts", prompt_id, self.prompts.encode(record))
        say("prompt_sent", promptId=prompt_id, partition=partition, offset=offset, expired=deadline is not None)

    def send_feedback(self, episode_id, how):
        if how.startswith("rating:"):
            kind, value = "RATING", (int(how.split(":", 1)[1]) - 3) / 2.0  # 1..5 -> -1..1, as the HTTP API does
        else:
            kind, value = "THUMBS", 1.0 if how == "thumbs-up" else -1.0
        record = {
            "feedbackId": str(uuid.uuid4()),
            "episodeId": episode_id,
            "kind": kind,
            "value": value,
            "editedText": None,
            "source": "python-example",
            "createdAt": now(),
        }
        # Keyed by episode id, like the transitions: the scorer finds it on the same partition.
        partition, offset = self.send("feedback", episode_id, self.feedback.encode(record))
        say("feedback_sent", episodeId=episode_id, feedbackId=record["feedbackId"], kind=kind, value=value,
            partition=partition, offset=offset)

    def run(self):
        args = self.args
        prompt_id = args.prompt_id or "py-" + uuid.uuid4().hex
        probe_id = prompt_id + "-expired"
        self.follow_from_end(["generations", "dlq"])
        self.send_prompt(prompt_id)
        if args.dead_letter_probe:
            # Already past its deadline: the actor refuses it and dead-letters it with the raw bytes we sent.
            self.send_prompt(probe_id, deadline=now() - datetime.timedelta(minutes=1))

        episode_id, scored, dead_letter = None, None, None
        wants_scored = args.wait_scored
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            if episode_id and (scored or not wants_scored) and (dead_letter or not args.dead_letter_probe):
                break
            msg = self.consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                raise KafkaException(msg.error())
            if msg.topic() == self.topic("generations"):
                episode = self.episodes.decode(msg.value())
                if episode["promptId"] != prompt_id or episode["exploration"] == "DEMONSTRATION":
                    continue  # someone else's, or the actor's teacher-forced training episode for our prompt
                if episode["scores"] is None and episode_id is None:
                    episode_id = episode["episodeId"]
                    say("generation", episodeId=episode_id, text=episode["text"], actorId=episode["actorId"],
                        modelVersion=episode["policyVersion"], tokens=episode["tokenCount"],
                        endReason=episode["endReason"], partition=msg.partition(), key=msg.key().decode("utf-8"))
                    if args.feedback != "none":
                        self.send_feedback(episode_id, args.feedback)
                elif episode["scores"] is not None and episode["episodeId"] == episode_id:
                    scored = episode["scores"]
                    say("scored", episodeId=episode_id, rougeL=scored["rougeL"], bleu=scored["bleu"],
                        human=scored["human"], reward=scored["reward"])
            elif msg.topic() == self.topic("dlq"):
                letter = self.dead_letters.decode(msg.value())
                if letter["key"] != probe_id.encode("utf-8"):
                    continue
                dead_letter = letter
                original = self.prompts.decode(letter["value"])  # the bytes we wrote, kept raw
                say("dead_letter", sourceTopic=letter["sourceTopic"], reason=letter["reason"], error=letter["error"],
                    consumer=letter["consumer"], promptId=original["promptId"], key=msg.key().decode("utf-8"))

        missing = [what for what, done in [("generation", episode_id), ("scored", scored or not wants_scored),
                                           ("dead_letter", dead_letter or not args.dead_letter_probe)] if not done]
        say("done", ok=not missing, missing=missing)
        self.consumer.close()
        return 0 if not missing else 1


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return Client(args).run()


if __name__ == "__main__":
    sys.exit(main())
