"""Avro single-object encoding for qstream topics, written out so that a client in any language can follow it.

Every value on a qstream topic is

    C3 01 | CRC-64-AVRO fingerprint of the writer schema's parsing canonical form (8 bytes, little-endian) | Avro binary body

The body is plain Avro binary, written and read here with the `avro` library (Debian: python3-avro). The fingerprint
is computed here from the schema JSON, following the Avro specification's "Parsing Canonical Form": python-avro
1.11's own `Schema.canonical_form` keeps primitives that carry extra attributes (`logicalType`, `avro.java.string`)
as `{"type": "string"}` instead of `"string"`, which gives a different fingerprint than Java and every other
implementation, so qstream would dead-letter the records as DESERIALIZATION / UNKNOWN_FINGERPRINT.
"""

import io
import json
import os

import avro.io
import avro.schema

MARKER = b"\xc3\x01"
HEADER_LENGTH = 10

_PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
_NAMED = {"record", "error", "enum", "fixed"}

# CRC-64-AVRO, from the Avro specification: the empty fingerprint and its byte table.
_CRC64_EMPTY = 0xC15D213AA4D7A795
_CRC64_TABLE = []
for _byte in range(256):
    _fp = _byte
    for _ in range(8):
        _fp = (_fp >> 1) ^ (_CRC64_EMPTY & -(_fp & 1))
    _CRC64_TABLE.append(_fp)


def crc64_avro(data: bytes) -> int:
    """The 64-bit Rabin fingerprint Avro calls CRC-64-AVRO, as an unsigned int."""
    fp = _CRC64_EMPTY
    for b in data:
        fp = (fp >> 8) ^ _CRC64_TABLE[(fp ^ b) & 0xFF]
    return fp


def _full_name(name, namespace):
    if "." in name or not namespace:
        return name
    return namespace + "." + name


def canonical_form(schema_json) -> str:
    """Parsing Canonical Form of a schema given as parsed JSON (dict, list or str)."""
    seen = set()

    def canon(s, namespace):
        if isinstance(s, str):
            if s in _PRIMITIVES:
                return json.dumps(s)
            return json.dumps(_full_name(s, namespace))  # a reference to a named type defined earlier
        if isinstance(s, list):
            return "[" + ",".join(canon(branch, namespace) for branch in s) + "]"
        kind = s["type"]
        if kind in _PRIMITIVES:
            return json.dumps(kind)  # [PRIMITIVES]: {"type": "string", "logicalType": ...} becomes "string"
        if kind == "array":
            return '{"type":"array","items":' + canon(s["items"], namespace) + "}"
        if kind == "map":
            return '{"type":"map","values":' + canon(s["values"], namespace) + "}"
        if kind in _NAMED:
            name = _full_name(s["name"], s.get("namespace", namespace))
            if name in seen:
                return json.dumps(name)
            seen.add(name)
            inner_namespace = name.rsplit(".", 1)[0] if "." in name else None
            out = '{"name":' + json.dumps(name) + ',"type":' + json.dumps("record" if kind == "error" else kind)
            if kind in ("record", "error"):
                fields = ",".join('{"name":' + json.dumps(f["name"]) + ',"type":' + canon(f["type"], inner_namespace) + "}"
                                  for f in s["fields"])
                out += ',"fields":[' + fields + "]"
            elif kind == "enum":
                out += ',"symbols":[' + ",".join(json.dumps(sym) for sym in s["symbols"]) + "]"
            else:
                out += ',"size":' + str(int(s["size"]))
            return out + "}"
        # a named type referenced as {"type": "dev.qstream....Name"}
        return canon(kind, namespace)

    return canon(schema_json, None)


def fingerprint(schema_json) -> int:
    return crc64_avro(canonical_form(schema_json).encode("utf-8"))


class UnknownFingerprint(ValueError):
    pass


class SingleObjectCodec:
    """Encodes and decodes one record type. `history` adds older writer schemas this reader resolves."""

    def __init__(self, schema_text: str, history=()):
        self.schema_json = json.loads(schema_text)
        self.schema = avro.schema.parse(schema_text)
        self.fingerprint = fingerprint(self.schema_json)
        self.header = MARKER + self.fingerprint.to_bytes(8, "little")
        self._writers = {self.fingerprint: self.schema}
        for text in history:
            self._writers.setdefault(fingerprint(json.loads(text)), avro.schema.parse(text))

    @classmethod
    def from_bundle(cls, bundle_dir: str, record: str, history_dir: str = None):
        with open(os.path.join(bundle_dir, record + ".avsc"), encoding="utf-8") as f:
            text = f.read()
        history = []
        record_history = os.path.join(history_dir, record) if history_dir else None
        if record_history and os.path.isdir(record_history):
            for name in sorted(os.listdir(record_history)):
                with open(os.path.join(record_history, name), encoding="utf-8") as f:
                    history.append(f.read())
        return cls(text, history)

    def encode(self, record: dict) -> bytes:
        out = io.BytesIO()
        out.write(self.header)
        avro.io.DatumWriter(self.schema).write(record, avro.io.BinaryEncoder(out))
        return out.getvalue()

    def decode(self, data: bytes) -> dict:
        if len(data) < HEADER_LENGTH or data[:2] != MARKER:
            raise ValueError("not Avro single-object encoding (no C3 01 marker)")
        writer_fingerprint = int.from_bytes(data[2:HEADER_LENGTH], "little")
        writer = self._writers.get(writer_fingerprint)
        if writer is None:
            raise UnknownFingerprint("writer schema %x is not a known version of %s"
                                     % (writer_fingerprint, self.schema.fullname))
        reader = avro.io.DatumReader(writer, self.schema)  # resolves an older writer to the current schema
        return reader.read(avro.io.BinaryDecoder(io.BytesIO(data[HEADER_LENGTH:])))
