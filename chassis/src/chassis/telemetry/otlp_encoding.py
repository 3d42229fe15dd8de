"""Finished spans as an OTLP ``ExportTraceServiceRequest`` in protobuf's wire format, written
directly as bytes.

The SDK's encoder builds a protobuf object per span, attribute and value, and the upb runtime
copies each nested object into its parent by serializing and parsing it again: about 20 µs of
the exporter's thread per span here, more than the span itself costs (``make bench`` scenario
9). Writing the few fields a span has straight into bytes gives the same message (the tests
parse both and compare them) for a fraction of that."""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanContext

_FIXED64 = struct.Struct("<Q").pack
_FIXED32 = struct.Struct("<I").pack
_DOUBLE = struct.Struct("<d").pack
_ONE_BYTE = tuple(bytes((n,)) for n in range(0x80))
HAS_IS_REMOTE = 0x100  # SpanFlags: the producer knows whether the parent was remote
IS_REMOTE = 0x200


class EncodedSpan(NamedTuple):
    """A finished span as its OTLP bytes, with the resource and scope it is grouped under."""

    resource: Any
    scope: Any
    body: bytes


def encode_span(span: ReadableSpan) -> EncodedSpan:
    return EncodedSpan(span.resource, span.instrumentation_scope, _span(span))


def encode_spans(spans: Sequence[ReadableSpan | EncodedSpan]) -> bytes:
    """The export request's bytes: spans grouped by resource, then by instrumentation scope
    (by identity: every span of one provider shares one resource object)."""
    grouped: dict[int, tuple[Any, dict[int, tuple[Any, list[bytes]]]]] = {}
    for span in spans:
        encoded = span if isinstance(span, EncodedSpan) else encode_span(span)
        resource, scope = encoded.resource, encoded.scope
        scopes = grouped.setdefault(id(resource), (resource, {}))[1]
        scopes.setdefault(id(scope), (scope, []))[1].append(encoded.body)
    out = bytearray()
    for resource, scopes in grouped.values():
        body = _message(1, _attributes(1, resource.attributes))
        for scope, encoded_spans in scopes.values():
            scope_body = _message(1, _scope(scope)) + b"".join(encoded_spans)
            if scope is not None and scope.schema_url:
                scope_body += _string(3, scope.schema_url)
            body += _message(2, scope_body)
        if resource.schema_url:
            body += _string(3, resource.schema_url)
        out += _message(1, body)
    return bytes(out)


def _span(span: ReadableSpan) -> bytes:
    # Each property of a ReadableSpan copies or wraps what it returns: read each once, and
    # skip what most spans lack (events, links, drops, a status) without walking it.
    context = span.get_span_context()
    assert context is not None
    parts = [
        b"\x0a\x10" + context.trace_id.to_bytes(16, "big"),
        b"\x12\x08" + context.span_id.to_bytes(8, "big"),
    ]
    if context.trace_state:
        parts.append(_string(3, ",".join(f"{k}={v}" for k, v in context.trace_state.items())))
    parent = span.parent
    if parent is not None:
        parts.append(b"\x22\x08" + parent.span_id.to_bytes(8, "big"))
    parts.append(_string(5, span.name))
    parts.append(b"\x30" + _ONE_BYTE[span.kind.value + 1])  # OTLP's kinds start at 1
    parts.append(b"\x39" + _FIXED64(span.start_time or 0))
    parts.append(b"\x41" + _FIXED64(span.end_time or 0))
    attributes = span.attributes
    if attributes:
        parts.append(_attributes(9, attributes))
        if span.dropped_attributes:
            parts.append(b"\x50" + _varint(span.dropped_attributes))
    events = span.events
    if events:
        parts.extend(_event(event) for event in events)
    if span.dropped_events:
        parts.append(b"\x60" + _varint(span.dropped_events))
    links = span.links
    if links:
        parts.extend(_link(link) for link in links)
    if span.dropped_links:
        parts.append(b"\x70" + _varint(span.dropped_links))
    parts.append(_status(span.status))
    parts.append(b"\x85\x01" + _FIXED32(_flags(parent)))  # field 16, fixed32
    return _message(2, b"".join(parts))


def _event(event: Any) -> bytes:
    body = b"\x09" + _FIXED64(event.timestamp) + _string(2, event.name)
    body += _attributes(3, event.attributes)
    if event.dropped_attributes:
        body += b"\x20" + _varint(event.dropped_attributes)
    return _message(11, body)


def _link(link: Any) -> bytes:
    body = b"\x0a\x10" + link.context.trace_id.to_bytes(16, "big")
    body += b"\x12\x08" + link.context.span_id.to_bytes(8, "big")
    body += _attributes(4, link.attributes)
    if link.dropped_attributes:
        body += b"\x28" + _varint(link.dropped_attributes)
    body += b"\x35" + _FIXED32(_flags(link.context))
    return _message(13, body)


def _status(status: Any) -> bytes:
    if not status.description and not status.status_code.value:
        return b"\x7a\x00"  # field 15, empty: UNSET
    body = _string(2, status.description) if status.description else b""
    if status.status_code.value:
        body += b"\x18" + _varint(status.status_code.value)
    return _message(15, body)


def _flags(parent: SpanContext | None) -> int:
    return HAS_IS_REMOTE | IS_REMOTE if parent is not None and parent.is_remote else HAS_IS_REMOTE


def _scope(scope: Any) -> bytes:
    if scope is None:
        return b""
    body = _string(1, scope.name) if scope.name else b""
    if scope.version:
        body += _string(2, scope.version)
    return body + _attributes(3, scope.attributes)


def _attributes(field: int, attributes: Mapping[str, Any] | None) -> bytes:
    if not attributes:
        return b""
    return b"".join(_attribute(field, key, value) for key, value in attributes.items())


# Most attributes repeat from span to span (method, route, status, statement text): their
# encoding is kept, up to a bound. The type is part of the key: True == 1, but not as OTLP.
_SCALARS = (str, int, bool, float)
_ENCODED: dict[tuple[int, str, type, Any], bytes] = {}
MAX_ENCODED = 4096


def _attribute(field: int, key: str, value: Any) -> bytes:
    if value.__class__ not in _SCALARS:
        return _message(field, _key_value(key, value))
    known = (field, key, value.__class__, value)
    encoded = _ENCODED.get(known)
    if encoded is None:
        encoded = _message(field, _key_value(key, value))
        if len(_ENCODED) >= MAX_ENCODED:
            _ENCODED.clear()  # ids in paths: start over rather than grow
        _ENCODED[known] = encoded
    return encoded


def _key_value(key: str, value: Any) -> bytes:
    return _string(1, key) + _message(2, _any_value(value))


def _any_value(value: Any) -> bytes:  # noqa: PLR0911 - one branch per kind of value
    if value is None:
        return b""
    if isinstance(value, bool):
        return b"\x10\x01" if value else b"\x10\x00"
    if isinstance(value, str):
        return _string(1, value)
    if isinstance(value, int):
        return b"\x18" + _varint(value & 0xFFFFFFFFFFFFFFFF)  # int64: two's complement
    if isinstance(value, float):
        return b"\x21" + _DOUBLE(value)
    if isinstance(value, bytes):
        return _message(7, value)
    if isinstance(value, Sequence):
        return _message(5, b"".join(_message(1, _any_value(v)) for v in value))
    if isinstance(value, Mapping):
        return _message(6, b"".join(_message(1, _key_value(str(k), v)) for k, v in value.items()))
    raise TypeError(f"cannot encode an attribute value of type {type(value).__name__}")


def _string(field: int, text: str) -> bytes:
    return _message(field, text.encode("utf-8"))


def _message(field: int, payload: bytes) -> bytes:
    """A length-delimited field (wire type 2): string, bytes or embedded message. (Every field
    number here is below 16, so its tag is one byte.)"""
    size = len(payload)
    return _ONE_BYTE[field << 3 | 2] + (_ONE_BYTE[size] if size < 0x80 else _varint(size)) + payload


def _varint(value: int) -> bytes:
    if value < 0x80:
        return _ONE_BYTE[value]
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)
