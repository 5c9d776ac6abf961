#!/usr/bin/env python3
"""A scripted HTTP(S) server on loopback for lifeline's transport and credential tests.

Usage: loopback_server.py SCRIPT.json LOG.jsonl [--tls CERT KEY] [--max-seconds N]

The script is {"routes": [{"method": "GET", "path": "/x", "responses": [RESPONSE, ...]}, ...]}.
A request takes the first route whose method and path match ("*" matches any); its responses are
served in order and the last one repeats. A RESPONSE is {"status": 200, "headers": {...},
"body": "...", "delay": seconds, "close": true (drop the connection without answering),
"hang_up": true (answer, then close the connection without saying so, as an idle timeout does)}.
Unmatched requests get 404. Every request is appended to LOG as one JSON line with its
connection number, so a test can count connections. The server prints its port on the first line
of stdout, and exits after --max-seconds (default 120) whatever happens.
"""

import http.server
import json
import os
import signal
import socketserver
import ssl
import sys
import threading
import time

# The parent may have blocked SIGTERM (thread pools often do) and a child inherits the mask.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))

script_path, log_path = sys.argv[1], sys.argv[2]
args = sys.argv[3:]
tls = None
max_seconds = 120
while args:
    a = args.pop(0)
    if a == "--tls":
        tls = (args.pop(0), args.pop(0))
    elif a == "--max-seconds":
        max_seconds = float(args.pop(0))

with open(script_path) as f:
    routes = json.load(f).get("routes", [])
served = [0] * len(routes)
lock = threading.Lock()
connections = [0]
log = open(log_path, "a", buffering=1)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        with lock:
            connections[0] += 1
            self.connection_id = connections[0]

    def log_message(self, *a):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        with lock:
            log.write(
                json.dumps(
                    {
                        "at": time.time(),
                        "connection": self.connection_id,
                        "method": self.command,
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body.decode("utf-8", "replace"),
                    }
                )
                + "\n"
            )
            chosen = None
            for i, r in enumerate(routes):
                if r.get("method", "*") in ("*", self.command) and r.get("path", "*") in ("*", path):
                    responses = r["responses"]
                    chosen = responses[min(served[i], len(responses) - 1)]
                    served[i] += 1
                    break
        if chosen is None:
            chosen = {"status": 404, "body": "no route"}
        if chosen.get("delay"):
            time.sleep(chosen["delay"])
        if chosen.get("close"):
            self.close_connection = True
            return
        payload = chosen.get("body", "").encode()
        self.send_response(chosen.get("status", 200))
        for k, v in chosen.get("headers", {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        if chosen.get("hang_up"):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_CONNECT = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
if tls:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*tls)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
timer = threading.Timer(max_seconds, lambda: os._exit(3))
timer.daemon = True
timer.start()
server.serve_forever()
