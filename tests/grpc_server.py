#!/usr/bin/python3
"""A gRPC server for karga's interop tests, on Python's grpcio (the official gRPC
library's core underneath), with generic handlers: messages are bytes, no generated
code. It counts every call and message it serves; GET-like method test.Probe/Counters
answers the counts as JSON.

    grpc_server.py PORT_FILE [--port N] [--tls CERT KEY] [--reflect-v1 PROTOSET]   serves
    grpc_server.py --counters PORT                         prints the counts of the server on PORT
    grpc_server.py --reset PORT                            sets them to zero

Methods of service test.Probe:
  Unary          answers the request's bytes
  ServerStream   the request is a count N in ASCII: answers N messages "m0", "m1", …
  ClientStream   answers the number of messages received, in ASCII
  Bidi           answers each message with the same bytes
  Status         the Kth call (from 0) ends with status K % 17, message "status K % 17"
  Sleep          sleeps the request's milliseconds (ASCII), then answers "slept"
  Big            the request is a size N in ASCII: answers N bytes of 'x'
  Counters       answers the counts as JSON (not counted itself)
  Reset          sets the counts to zero (not counted itself)
and helloworld.Greeter/SayHello, the greeter of gRPC's examples: HelloRequest{name}
in, HelloReply{message = "Hello " + name} out (protobuf, decoded by hand).
With --reflect-v1, grpc.reflection.v1.ServerReflection (v1 only, no v1alpha) describes
the files of PROTOSET (protoc --include_imports --descriptor_set_out), counted as
"ServerReflectionInfo v1".
"""
import json
import os
import sys
import threading
import time
from concurrent import futures

import grpc

lock = threading.Lock()
counts = {}
seconds = {}  # the unary calls started in each whole second of the wall clock
status_calls = [0]


def count(name, received=0, sent=0):
    with lock:
        c = counts.setdefault(name, {"calls": 0, "received": 0, "sent": 0})
        c["calls"] += 1
        c["received"] += received
        c["sent"] += sent


def unary(request, context):
    with lock:
        s = int(time.time())
        seconds[s] = seconds.get(s, 0) + 1
    count("Unary", 1, 1)
    return request


def server_stream(request, context):
    n = int(request.decode() or "0")
    for i in range(n):
        yield f"m{i}".encode()
    count("ServerStream", 1, n)


def client_stream(request_iterator, context):
    n = sum(1 for _ in request_iterator)
    count("ClientStream", n, 1)
    return str(n).encode()


def bidi(request_iterator, context):
    n = 0
    for m in request_iterator:
        n += 1
        yield m
    count("Bidi", n, n)


codes = {c.value[0]: c for c in grpc.StatusCode}


def status(request, context):
    with lock:
        k = status_calls[0] % 17
        status_calls[0] += 1
    count("Status", 1, 1 if k == 0 else 0)
    if k == 0:
        return b"ok"
    context.abort(codes[k], f"status {k}")


def sleep(request, context):
    time.sleep(int(request.decode() or "0") / 1000)
    count("Sleep", 1, 1)
    return b"slept"


def big(request, context):
    count("Big", 1, 1)
    return b"x" * int(request.decode() or "0")


def field1(data: bytes) -> bytes:
    """The string of field 1 of a protobuf message that holds only it (under 128 bytes)."""
    return data[2:2 + data[1]] if len(data) >= 2 and data[0] == 0x0A else b""


def say_hello(request, context):
    count("SayHello", 1, 1)
    count("SayHello " + field1(request).decode(errors="replace"), 1, 1)
    reply = b"Hello " + field1(request)
    return bytes([0x0A, len(reply)]) + reply


def varint(n):
    out = b""
    while n >= 0x80:
        out += bytes([n & 0x7F | 0x80])
        n >>= 7
    return out + bytes([n])


def length_delimited(number, data: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(data)) + data


def read_varint(data: bytes, i: int):
    """The varint at data[i:] and the index after it."""
    value, shift = 0, 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, i


def fields(data: bytes):
    """The (number, value) of each field of a protobuf message; varints as ints."""
    i, out = 0, []
    while i < len(data):
        key, i = read_varint(data, i)
        number, wire = key >> 3, key & 7
        if wire not in (0, 2):
            raise ValueError(f"wire type {wire} is not expected here")
        value, i = read_varint(data, i)
        if wire == 2:
            value, i = data[i:i + value], i + value
        out.append((number, value))
    return out


def reflection_v1(protoset):
    """ServerReflectionInfo of grpc.reflection.v1 over the files of `protoset`."""
    from google.protobuf import descriptor_pb2
    files = descriptor_pb2.FileDescriptorSet()
    with open(protoset, "rb") as f:
        files.ParseFromString(f.read())
    by_name = {f.name: f for f in files.file}

    def symbols(f):
        prefix = f.package + "." if f.package else ""
        for m in f.message_type:
            yield prefix + m.name
        for s in f.service:
            yield prefix + s.name
            for m in s.method:
                yield prefix + s.name + "." + m.name

    def with_imports(name, seen):
        if name in seen or name not in by_name:
            return
        seen.append(name)
        for dep in by_name[name].dependency:
            with_imports(dep, seen)

    def answer(request: bytes) -> bytes:
        asked = dict(fields(request))
        names = []
        if 3 in asked:  # file_by_filename
            with_imports(asked[3].decode(), names)
        elif 4 in asked:  # file_containing_symbol
            for f in files.file:
                if asked[4].decode() in symbols(f):
                    with_imports(f.name, names)
        if not names:  # ErrorResponse{error_code = NOT_FOUND}
            return length_delimited(2, request) + length_delimited(7, varint(1 << 3) + varint(5))
        found = b"".join(length_delimited(1, by_name[n].SerializeToString()) for n in names)
        return length_delimited(2, request) + length_delimited(4, found)

    def info(request_iterator, context):
        n = 0
        for request in request_iterator:
            n += 1
            yield answer(request)
        count("ServerReflectionInfo v1", n, n)

    return grpc.method_handlers_generic_handler("grpc.reflection.v1.ServerReflection", {
        "ServerReflectionInfo": grpc.stream_stream_rpc_method_handler(info),
    })


def counters(request, context):
    with lock:
        return json.dumps({"methods": counts, "seconds": {str(k): v for k, v in seconds.items()}}).encode()


def reset(request, context):
    with lock:
        counts.clear()
        seconds.clear()
        status_calls[0] = 0
    return b""


def ask(method, port):
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        return ch.unary_unary(f"/test.Probe/{method}")(b"", timeout=10)


def main():
    args = sys.argv[1:]
    if args[0] in ("--counters", "--reset"):
        print(ask("Counters" if args[0] == "--counters" else "Reset", int(args[1])).decode())
        return
    port_file = args.pop(0)
    port, tls, reflection = 0, None, None
    while args:
        a = args.pop(0)
        if a == "--port":
            port = int(args.pop(0))
        elif a == "--tls":
            tls = (args.pop(0), args.pop(0))
        elif a == "--reflect-v1":
            reflection = args.pop(0)
    handler = grpc.method_handlers_generic_handler("test.Probe", {
        "Unary": grpc.unary_unary_rpc_method_handler(unary),
        "ServerStream": grpc.unary_stream_rpc_method_handler(server_stream),
        "ClientStream": grpc.stream_unary_rpc_method_handler(client_stream),
        "Bidi": grpc.stream_stream_rpc_method_handler(bidi),
        "Status": grpc.unary_unary_rpc_method_handler(status),
        "Sleep": grpc.unary_unary_rpc_method_handler(sleep),
        "Big": grpc.unary_unary_rpc_method_handler(big),
        "Counters": grpc.unary_unary_rpc_method_handler(counters),
        "Reset": grpc.unary_unary_rpc_method_handler(reset),
    })
    greeter = grpc.method_handlers_generic_handler("helloworld.Greeter", {
        "SayHello": grpc.unary_unary_rpc_method_handler(say_hello),
    })
    handlers = [handler, greeter] + ([reflection_v1(reflection)] if reflection else [])
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=64), handlers=handlers,
                         maximum_concurrent_rpcs=None)
    if tls:
        with open(tls[0], "rb") as f:
            cert = f.read()
        with open(tls[1], "rb") as f:
            key = f.read()
        port = server.add_secure_port(f"127.0.0.1:{port}", grpc.ssl_server_credentials([(key, cert)]))
    else:
        port = server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    with open(port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(port_file + ".tmp", port_file)  # whole when it appears
    server.wait_for_termination()


if __name__ == "__main__":
    main()
