"""A loopback endpoint that answers every AWS call with one class of hostile answer (issue "Hostile
input"): what proxies, emulators and bad networks can send. It speaks each protocol's shape, so the
answer reaches the decoder it is aimed at: Query/EC2 XML for form-encoded calls, JSON for calls
with an `X-Amz-Target`. Every loop it runs is bounded in count and time, and `stop()` ends it."""

import http.server
import json
import threading

CLASSES = (
    "huge-date",  # a clock-skew error whose Date header (what the skew is learned from) has a year no calendar has
    "deep",  # elements (or arrays) nested 50,000 deep
    "huge-body",  # a 256 MiB answer
    "endless-pages",  # a NextToken that never repeats, on every page
    "trickle",  # headers, then one byte every half second
    "empty-200",  # 200 with no body at all
    "wrong-type",  # a number field that holds a word
    "long-error",  # a 400 whose message is 50 KB over many lines
    "echo",  # a SignatureDoesNotMatch that echoes the whole request, headers and body
)


class Hostile:
    def __init__(self, kind):
        assert kind in CLASSES, kind
        self.kind = kind
        self.stopping = threading.Event()
        self.requests = 0
        self.seen = []  # every request's headers and body, as text (the echo's proof it had the secrets)
        hostile = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                hostile.requests += 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hostile.seen.append(str(self.headers) + body.decode(errors="replace"))
                target = self.headers.get("X-Amz-Target")
                action = target.split(".")[-1] if target else _form(body).get("Action", "Unknown")
                try:
                    hostile.answer(self, action, bool(target), body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    def stop(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # What each class answers.

    def answer(self, handler, action, is_json, request_body):
        kind = self.kind
        if kind == "huge-date":
            skewed = error(
                "RequestTimeTooSkewed", "The difference between the request time and now is too large", is_json
            )
            return self.send(handler, 403, skewed, date="Wed, 02 Dec 99999999999999 14:43:56 GMT")
        if kind == "deep":
            depth = 50_000
            body = "[" * depth + "]" * depth if is_json else f"<{action}Response>" + "<a>" * depth + "</a>" * depth
            return self.send(handler, 200, body if is_json else body + f"</{action}Response>")
        if kind == "huge-body":
            return self.stream(handler, 256 << 20)
        if kind == "endless-pages":
            return self.send(handler, 200, page(action, is_json, f"token-{self.requests}"))
        if kind == "trickle":
            return self.trickle(handler)
        if kind == "empty-200":
            return self.send(handler, 200, "")
        if kind == "wrong-type":
            return self.send(handler, 200, wrong_type(action, is_json))
        if kind == "long-error":
            message = "\n".join(f"line {n}: the service is unhappy\r\x1b[31m" for n in range(2000))
            return self.send(handler, 400, error("ValidationError", message, is_json))
        if kind == "echo":
            headers = "\n".join(f"{k}:{v}" for k, v in handler.headers.items())
            message = (
                "The request signature we calculated does not match the signature you provided. "
                f"The Canonical String for this request should have been 'POST\n/\n\n{headers}\n\n"
                f"{request_body.decode(errors='replace')}' and the headers were {dict(handler.headers)}"
            )
            return self.send(handler, 403, error("SignatureDoesNotMatch", message, is_json))
        raise AssertionError(kind)

    def send(self, handler, status, body, date=None):
        data = body.encode()
        # send_response_only: no Date header of http.server's own, so that a hostile one is the only one.
        handler.send_response_only(status)
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("x-amzn-RequestId", "hostile-request-1")
        if date:
            handler.send_header("Date", date)
        handler.end_headers()
        handler.wfile.write(data)

    def stream(self, handler, size):
        """`size` bytes of one long text element, a MiB at a time, until the client stops reading."""
        handler.send_response_only(200)
        handler.send_header("Content-Length", str(size))
        handler.end_headers()
        chunk = b"x" * (1 << 20)
        for _ in range(size >> 20):
            if self.stopping.is_set():
                return
            handler.wfile.write(chunk)

    def trickle(self, handler):
        """A promised 1 MiB, sent a byte every half second: at most 10 minutes, or until stopped."""
        handler.send_response_only(200)
        handler.send_header("Content-Length", str(1 << 20))
        handler.end_headers()
        for _ in range(1200):
            if self.stopping.wait(0.5):
                return
            handler.wfile.write(b" ")
            handler.wfile.flush()


def _form(body):
    pairs = (p.split("=", 1) for p in body.decode(errors="replace").split("&") if "=" in p)
    return {k: v for k, v in pairs}


def page(action, is_json, token):
    """One item and a next token, in the shapes of the list calls lifeline walks."""
    if is_json:
        return json.dumps({"applications": ["a"], "deploymentGroups": ["g"], "deployments": ["d"], "nextToken": token})
    if action == "DescribeInstances":
        return f"<DescribeInstancesResponse><reservationSet/><nextToken>{token}</nextToken></DescribeInstancesResponse>"
    member = "<member><AutoScalingGroupName>g</AutoScalingGroupName><LifecycleHookName>h</LifecycleHookName></member>"
    return (
        f"<{action}Response><{action}Result><AutoScalingGroups>{member}</AutoScalingGroups>"
        f"<NextToken>{token}</NextToken></{action}Result></{action}Response>"
    )


def wrong_type(action, is_json):
    if is_json:
        return json.dumps({"deploymentGroupsInfo": "lots", "applications": "lots", "deploymentGroups": 7})
    return (
        f"<{action}Response><{action}Result><AutoScalingGroups><member>"
        "<AutoScalingGroupName>shop-asg</AutoScalingGroupName><MinSize>lots</MinSize>"
        f"</member></AutoScalingGroups></{action}Result></{action}Response>"
    )


def error(code, message, is_json):
    if is_json:
        return json.dumps({"__type": code, "message": message})
    return f"<ErrorResponse><Error><Code>{code}</Code><Message>{_xml(message)}</Message></Error></ErrorResponse>"


def _xml(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\x1b", "")
