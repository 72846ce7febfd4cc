"""A real local Stripe test server for the billing tests, and what it lacks.

* ``LocalStripe`` runs localstripe (from the registry) in a subprocess on a free port.
  It keeps its store in memory only: localstripe would otherwise pickle it to a fixed
  ``/tmp/localstripe.pickle`` shared by every copy running on the machine.
* ``StripeShim`` is an HTTP proxy in front of it that fills localstripe's gaps at the
  HTTP layer, never in our code: Checkout Sessions and billing-portal sessions (which
  localstripe has not), and ``price`` in subscription items, which it still calls
  ``plan`` (a legacy Plan is accepted wherever a price is). It can also fail the next
  requests with 503, as Stripe sometimes does.
* ``WebhookSink`` receives the events localstripe sends, signed with the test secret.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LOCALSTRIPE_MAIN = (
    "import sys, localstripe.resources as r; r.Store.dump_to_disk = lambda self: None; "
    "from localstripe.server import start; sys.argv = ['localstripe', '--from-scratch', "
    "'--port', sys.argv[1]]; start()"
)
PRICE_IN_ITEMS = re.compile(r"^((?:items|line_items)\[\d+\])\[price\]$")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalStripe:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-c", LOCALSTRIPE_MAIN, str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("localstripe did not start")

    def post(self, path: str, data: dict[str, Any], *, key: str = "sk_test_caseway") -> Any:
        body = urllib.parse.urlencode(_flatten(data)).encode()
        request = urllib.request.Request(  # noqa: S310 - our own http:// test server
            self.url + path,
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {key}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            raw = response.read()
        return json.loads(raw) if raw else None

    def get(self, path: str, *, key: str = "sk_test_caseway") -> Any:
        request = urllib.request.Request(  # noqa: S310 - our own http:// test server
            self.url + path, headers={"Authorization": f"Bearer {key}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _flatten(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            pairs += _flatten(value, f"{prefix}[{key}]" if prefix else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            pairs += _flatten(value, f"{prefix}[{index}]")
    elif isinstance(data, bool):
        pairs.append((prefix, "true" if data else "false"))
    elif data is not None:
        pairs.append((prefix, str(data)))
    return pairs


class StripeShim:
    def __init__(self, upstream: LocalStripe) -> None:
        self.upstream = upstream
        self.sessions: dict[str, dict[str, Any]] = {}
        self.fail_next = 0
        self.requests: list[tuple[str, str, str]] = []  # method, path, idempotency key
        shim = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                shim._handle(self, "GET")

            def do_POST(self) -> None:
                shim._handle(self, "POST")

            def do_DELETE(self) -> None:
                shim._handle(self, "DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _reply(self, handler: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        path = handler.path
        self.requests.append((method, path, handler.headers.get("Idempotency-Key", "")))
        if self.fail_next > 0:
            self.fail_next -= 1
            error = {"error": {"type": "api_error", "message": "Stripe is having a moment."}}
            self._reply(handler, 503, json.dumps(error).encode())
            return
        form = urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)
        if method == "POST" and path == "/v1/checkout/sessions":
            self._reply(handler, 200, json.dumps(self._checkout_create(form)).encode())
            return
        if method == "POST" and path == "/v1/billing_portal/sessions":
            fields = dict(form)
            session = {
                "id": f"bps_{uuid.uuid4().hex[:14]}",
                "object": "billing_portal.session",
                "customer": fields.get("customer"),
                "return_url": fields.get("return_url"),
                "url": f"{self.url}/portal/{uuid.uuid4().hex[:8]}",
            }
            self._reply(handler, 200, json.dumps(session).encode())
            return
        form = [(PRICE_IN_ITEMS.sub(r"\1[plan]", key), value) for key, value in form]
        request = urllib.request.Request(  # noqa: S310 - localstripe over http://
            self.upstream.url + path,
            data=urllib.parse.urlencode(form).encode() if method == "POST" else None,
            method=method,
            headers={
                key: value
                for key, value in handler.headers.items()
                if key.lower() in ("authorization", "content-type")
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        self._reply(handler, status, raw)

    def _checkout_create(self, form: list[tuple[str, str]]) -> dict[str, Any]:
        fields = dict(form)
        session_id = f"cs_test_{uuid.uuid4().hex[:16]}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": fields.get("mode"),
            "status": "open",
            "customer": fields.get("customer"),
            "client_reference_id": fields.get("client_reference_id"),
            "metadata": {"tenant_id": fields.get("metadata[tenant_id]")},
            "price": fields.get("line_items[0][price]"),
            "quantity": int(fields.get("line_items[0][quantity]") or 1),
            "subscription": None,
            "success_url": fields.get("success_url"),
            "cancel_url": fields.get("cancel_url"),
            "url": f"{self.url}/pay/{session_id}",
        }
        self.sessions[session_id] = session
        return session

    def complete_checkout(
        self, session_id: str, *, card: str = "4242424242424242"
    ) -> dict[str, Any]:
        """What the customer's visit to Checkout does: a card, then the subscription."""
        session = self.sessions[session_id]
        customer = session["customer"]
        method = self.upstream.post(
            "/v1/payment_methods",
            {
                "type": "card",
                "card": {"number": card, "exp_month": 12, "exp_year": 2040, "cvc": "123"},
            },
        )
        self.upstream.post(f"/v1/payment_methods/{method['id']}/attach", {"customer": customer})
        self.upstream.post(
            f"/v1/customers/{customer}",
            {"invoice_settings": {"default_payment_method": method["id"]}},
        )
        subscription = self.upstream.post(
            "/v1/subscriptions",
            {
                "customer": customer,
                "items": [{"plan": session["price"], "quantity": session["quantity"]}],
                "metadata": {"tenant_id": session["client_reference_id"]},
            },
        )
        session.update(status="complete", subscription=subscription["id"])
        return dict(session)


class WebhookSink:
    """Where localstripe delivers its events: kept as (raw body, signature header)."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, str]] = []
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with sink.lock:
                    sink.received.append((body, self.headers.get("Stripe-Signature", "")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self, event_type: str, *, timeout: float = 15.0) -> list[tuple[bytes, str]]:
        """Wait for at least one event of this type; return and forget all of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = [
                    item for item in self.received if json.loads(item[0])["type"] == event_type
                ]
                if found:
                    self.received = [item for item in self.received if item not in found]
                    return found
            time.sleep(0.1)
        raise AssertionError(f"localstripe sent no {event_type}")

    def clear(self) -> None:
        with self.lock:
            self.received.clear()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
