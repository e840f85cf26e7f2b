#!/usr/bin/env python3
"""HTTP endpoints for the push tests, on 127.0.0.1:PORT, one per mode:

- receive DIR: answers 204 and keeps each request: DIR/N.body, DIR/N.head (method,
  path, headers);
- never: accepts connections, reads, never answers;
- reset: accepts and resets each connection at once;
- status500: answers 500 to everything;
- slow SECONDS: answers 204 after SECONDS.

    push_endpoints.py MODE PORT [ARG]
"""
import http.server
import pathlib
import socket
import socketserver
import struct
import sys
import threading
import time

mode, port = sys.argv[1], int(sys.argv[2])
arg = sys.argv[3] if len(sys.argv) > 3 else None

if mode in ("never", "reset"):
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    held = []
    while True:
        conn, _ = listener.accept()
        if mode == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
        else:
            held.append(conn)  # open, unread, unanswered

count = 0
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if mode == "receive":
            with lock:
                count += 1
                n = count
            out = pathlib.Path(arg)
            (out / f"{n}.body").write_bytes(body)
            (out / f"{n}.head").write_text(f"{self.command} {self.path}\n{self.headers}")
        if mode == "slow":
            time.sleep(float(arg))
        status = 500 if mode == "status500" else 204
        self.send_response(status)
        if status == 500:
            text = b"the store is down\n"
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)
        else:
            self.send_header("Content-Length", "0")
            self.end_headers()

    do_POST = do_PUT = answer


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


Server(("127.0.0.1", port), Handler).serve_forever()
