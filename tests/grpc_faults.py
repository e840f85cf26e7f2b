#!/usr/bin/python3
"""An HTTP/2 server that answers gRPC calls wrongly, each method in its own way, for
karga's fault tests. Built on Debian's python3-h2 (hyper-h2), so the HTTP/2 framing
is a stack nobody here wrote; the faults are at the gRPC layer above it.

    grpc_faults.py PORT_FILE

Methods (any service), each answered once the request has ended:
  Ok            a proper answer: one message, grpc-status 0
  NeverAnswers  nothing, ever
  BadPrefix     a message prefix whose flag byte is 7
  Truncated     a prefix announcing 100 bytes, 10 bytes, then grpc-status 0
  NoStatus      a message, then the end of the stream without trailers
  Http503       HTTP status 503, no gRPC at all
  Html          HTTP 200 with content-type text/html
  Cancel        RST_STREAM CANCEL
  Calm          RST_STREAM ENHANCE_YOUR_CALM
  GoAway        GOAWAY naming this stream as processed, then the connection closed
  TwoMessages   two messages and grpc-status 0 (wrong for a unary call)
  Message       grpc-status 9 with a percent-encoded grpc-message
"""
import asyncio
import os
import sys

import h2.config
import h2.connection
import h2.errors
import h2.events


def message(payload: bytes, flag: int = 0) -> bytes:
    return bytes([flag]) + len(payload).to_bytes(4, "big") + payload


class Faults(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        self.conn.initiate_connection()
        self.paths = {}
        self.flush()

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.transport.write(data)

    def data_received(self, data):
        try:
            events = self.conn.receive_data(data)
        except Exception:
            self.transport.close()
            return
        for e in events:
            if isinstance(e, h2.events.RequestReceived):
                self.paths[e.stream_id] = dict(e.headers)[":path"].rsplit("/", 1)[-1]
            elif isinstance(e, h2.events.DataReceived):
                self.conn.acknowledge_received_data(e.flow_controlled_length, e.stream_id)
            elif isinstance(e, h2.events.StreamEnded):
                if self.answer(e.stream_id, self.paths.pop(e.stream_id, "")):
                    return
        self.flush()

    def answer(self, sid, method):
        grpc = [(":status", "200"), ("content-type", "application/grpc")]
        ok = [("grpc-status", "0")]
        c = self.conn
        if method == "Ok":
            c.send_headers(sid, grpc)
            c.send_data(sid, message(b"fine"))
            c.send_headers(sid, ok, end_stream=True)
        elif method == "NeverAnswers":
            pass
        elif method == "BadPrefix":
            c.send_headers(sid, grpc)
            c.send_data(sid, bytes([7, 0, 0, 0, 1]) + b"x")
            c.send_headers(sid, ok, end_stream=True)
        elif method == "Truncated":
            c.send_headers(sid, grpc)
            c.send_data(sid, bytes([0, 0, 0, 0, 100]) + b"0123456789")
            c.send_headers(sid, ok, end_stream=True)
        elif method == "NoStatus":
            c.send_headers(sid, grpc)
            c.send_data(sid, message(b"fine"), end_stream=True)
        elif method == "Http503":
            c.send_headers(sid, [(":status", "503"), ("content-type", "text/plain")])
            c.send_data(sid, b"busy", end_stream=True)
        elif method == "Html":
            c.send_headers(sid, [(":status", "200"), ("content-type", "text/html")])
            c.send_data(sid, b"<html></html>", end_stream=True)
        elif method == "Cancel":
            c.reset_stream(sid, h2.errors.ErrorCodes.CANCEL)
        elif method == "Calm":
            c.reset_stream(sid, h2.errors.ErrorCodes.ENHANCE_YOUR_CALM)
        elif method == "GoAway":
            c.close_connection(error_code=h2.errors.ErrorCodes.NO_ERROR, last_stream_id=sid)
            self.flush()
            self.transport.close()
            return True
        elif method == "TwoMessages":
            c.send_headers(sid, grpc)
            c.send_data(sid, message(b"one") + message(b"two"))
            c.send_headers(sid, ok, end_stream=True)
        elif method == "Message":
            c.send_headers(sid, grpc + [("grpc-status", "9"), ("grpc-message", "not%20now%3A%20try%20later")],
                           end_stream=True)
        else:
            c.send_headers(sid, grpc + [("grpc-status", "12"), ("grpc-message", "no such method")], end_stream=True)
        return False


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Faults, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    await server.serve_forever()


asyncio.run(main())
