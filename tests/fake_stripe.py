"""A fake Stripe server for the test suite: real HTTP on 127.0.0.1, spoken to by the official `stripe` library
through `payments/stripe_api.py` with its base address pointed here (no public fake covers Connect: TECH-NOTES).

It keeps what the product uses (accounts, account links, Checkout sessions, payment intents, charges, refunds,
transfers), records every request, honours `Idempotency-Key` (the same key gets the same answer, without doing the
work again; the same key with other parameters is refused, as Stripe does), can be told to fail the next N calls
(a 500, or a slow answer after doing the work, so the client times out not knowing), and makes the signed events
Stripe would send, which tests deliver to the product's webhook endpoints.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

PLATFORM_SECRET = "whsec_platform_test"
CONNECT_SECRET = "whsec_connect_test"
_KEY = re.compile(r"([^\[\]]+)|\[([^\[\]]*)\]")


def _listify(value):
    if isinstance(value, dict):
        value = {key: _listify(inner) for key, inner in value.items()}
        if value and all(key.isdigit() for key in value):
            return [value[key] for key in sorted(value, key=int)]
    return value


def parse_form(body: str) -> dict[str, Any]:
    """Stripe's form encoding (`line_items[0][price_data][currency]=gbp`) back into nested dicts and lists."""
    result: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = [plain or bracket for plain, bracket in _KEY.findall(key)]
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(result)


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None
    stripe_account: str | None
    answered: int = 0


class StripeError(Exception):
    def __init__(self, status: int, message: str, kind: str = "invalid_request_error", code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.kind, self.code = status, message, kind, code

    def body(self) -> dict:
        error = {"type": self.kind, "message": self.message}
        if self.code:
            error["code"] = self.code
        return {"error": error}


@dataclass
class Fault:
    count: int
    path: str | None
    status: int | None = None
    delay: float | None = None


@dataclass
class FakeStripe:
    """The server's state. Start with `start()`; `url` is its base address."""

    livemode: bool = False
    secrets: dict[str, str] = field(default_factory=lambda: {"platform": PLATFORM_SECRET, "connect": CONNECT_SECRET})
    objects: dict[str, dict[str, dict]] = field(default_factory=lambda: {kind: {} for kind in (
        "accounts", "account_links", "checkout_sessions", "payment_intents", "charges", "refunds", "transfers")})
    requests: list[Request] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    _idempotent: dict[str, tuple[dict, int, dict]] = field(default_factory=dict)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    # --- running ---------------------------------------------------------------------------------------------
    def start(self) -> FakeStripe:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                split = urlsplit(self.path)
                params = parse_form(body if method == "POST" else split.query)
                status, payload, delay = fake.handle(method, split.path, params, self.headers.get("Idempotency-Key"),
                                                     self.headers.get("Stripe-Account"))
                if delay:
                    time.sleep(delay)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.send_header("Request-Id", f"req_{next(fake._ids)}")
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a timeout test)
                    pass

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

            def do_DELETE(self):
                self._answer("DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- faults ----------------------------------------------------------------------------------------------
    def fail_next(self, count: int = 1, *, status: int = 500, path: str | None = None) -> None:
        """The next `count` requests (to paths containing `path`) answer `status` and do nothing."""
        self.faults.append(Fault(count=count, path=path, status=status))

    def slow_next(self, count: int = 1, *, seconds: float, path: str | None = None) -> None:
        """The next `count` requests do their work, then wait `seconds` before answering (a client timeout that
        leaves the client not knowing whether it happened)."""
        self.faults.append(Fault(count=count, path=path, delay=seconds))

    def _fault_for(self, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.count > 0 and (fault.path is None or fault.path in path):
                fault.count -= 1
                return fault
        return None

    # --- dispatch --------------------------------------------------------------------------------------------
    def handle(self, method, path, params, idempotency_key, stripe_account) -> tuple[int, dict, float | None]:
        with self._lock:
            request = Request(method, path, params, idempotency_key, stripe_account)
            self.requests.append(request)
            fault = self._fault_for(path)
            if fault is not None and fault.status is not None:
                request.answered = fault.status
                return fault.status, {"error": {"type": "api_error", "message": "An unexpected error occurred."}}, None
            delay = fault.delay if fault is not None else None
            if method == "POST" and idempotency_key:
                cache_key = f"{stripe_account or ''}:{idempotency_key}"
                if cache_key in self._idempotent:
                    earlier_params, status, payload = self._idempotent[cache_key]
                    if earlier_params != params:
                        status, payload = 400, StripeError(
                            400, "Keys for idempotent requests can only be used with the same parameters they were "
                                 "first used with.", kind="idempotency_error").body()
                    request.answered = status
                    return status, payload, delay
            try:
                status, payload = HTTPStatus.OK, self._route(method, path, params)
            except StripeError as error:
                status, payload = error.status, error.body()
            if method == "POST" and idempotency_key:
                self._idempotent[f"{stripe_account or ''}:{idempotency_key}"] = (params, status, payload)
            request.answered = status
            return status, payload, delay

    def _route(self, method: str, path: str, params: dict) -> dict:
        parts = path.strip("/").split("/")
        if parts[0] != "v1":
            raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")
        parts = parts[1:]
        if parts[:2] == ["checkout", "sessions"]:
            parts = ["checkout_sessions", *parts[2:]]
        kind = parts[0]
        if kind not in self.objects:
            raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")
        if len(parts) == 1 and method == "POST":
            return getattr(self, f"_create_{kind}")(params)
        if len(parts) == 1 and method == "GET":
            found = [obj for obj in self.objects[kind].values()
                     if all(str(obj.get(name)) == str(value) for name, value in params.items()
                            if name not in ("limit", "starting_after", "expand"))]
            return {"object": "list", "data": found, "has_more": False, "url": f"/v1/{kind}"}
        return self.get(kind, parts[1])

    def get(self, kind: str, object_id: str) -> dict:
        try:
            return self.objects[kind][object_id]
        except KeyError:
            raise StripeError(404, f"No such {kind.rstrip('s')}: '{object_id}'", code="resource_missing") from None

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{'test_' if not self.livemode else ''}{next(self._ids):06d}"

    # --- objects ---------------------------------------------------------------------------------------------
    def _create_accounts(self, params: dict) -> dict:
        account = {
            "id": self._new_id("acct"), "object": "account", "type": params.get("type", "express"),
            "country": params.get("country", "GB"), "email": params.get("email"), "created": int(time.time()),
            "details_submitted": False, "charges_enabled": False, "payouts_enabled": False,
            "capabilities": {"transfers": "inactive"},
            "requirements": {"currently_due": ["external_account", "individual.dob.day", "tos_acceptance.date"],
                             "past_due": [], "disabled_reason": "requirements.past_due"},
            "metadata": params.get("metadata", {}), "business_profile": params.get("business_profile", {}),
        }
        self.objects["accounts"][account["id"]] = account
        return account

    def _create_account_links(self, params: dict) -> dict:
        account = self.get("accounts", params.get("account", ""))
        number = next(self._ids)
        link = {"object": "account_link", "created": int(time.time()), "expires_at": int(time.time()) + 300,
                "url": f"{self.url}/onboarding/{account['id']}/{number}", "account": account["id"],
                "refresh_url": params.get("refresh_url"), "return_url": params.get("return_url")}
        self.objects["account_links"][str(number)] = link
        return link

    def _create_checkout_sessions(self, params: dict) -> dict:
        items = params.get("line_items") or []
        amount = sum(int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1)) for item in items)
        if amount <= 0:
            raise StripeError(400, "The Checkout session's total amount must be above zero.")
        session_id = self._new_id("cs")
        session = {
            "id": session_id, "object": "checkout.session", "mode": params.get("mode"), "status": "open",
            "payment_status": "unpaid", "amount_total": amount, "currency": "gbp", "livemode": self.livemode,
            "url": f"{self.url}/pay/{session_id}", "payment_intent": None,
            "metadata": params.get("metadata", {}), "client_reference_id": params.get("client_reference_id"),
            "success_url": params.get("success_url"), "cancel_url": params.get("cancel_url"),
            "customer_email": params.get("customer_email"),
            "_payment_intent_data": params.get("payment_intent_data", {}),
        }
        self.objects["checkout_sessions"][session_id] = session
        return session

    def _create_transfers(self, params: dict) -> dict:
        destination = self.get("accounts", params.get("destination", ""))
        if destination["capabilities"].get("transfers") != "active":
            raise StripeError(400, "Your destination account needs to have at least one of the following "
                                   "capabilities enabled: transfers, crypto_transfers, legacy_payments")
        transfer = {"id": self._new_id("tr"), "object": "transfer", "amount": int(params["amount"]),
                    "currency": params.get("currency", "gbp"), "destination": destination["id"],
                    "transfer_group": params.get("transfer_group"), "metadata": params.get("metadata", {}),
                    "amount_reversed": 0, "reversed": False, "created": int(time.time()), "livemode": self.livemode}
        self.objects["transfers"][transfer["id"]] = transfer
        return transfer

    def _create_refunds(self, params: dict) -> dict:
        intent = self.get("payment_intents", params.get("payment_intent", ""))
        charge = self.objects["charges"][intent["latest_charge"]]
        amount = int(params.get("amount") or charge["amount"] - charge["amount_refunded"])
        if amount > charge["amount"] - charge["amount_refunded"]:
            raise StripeError(400, f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                                   f"({charge['amount'] - charge['amount_refunded']})", code="amount_too_large")
        refund = {"id": self._new_id("re"), "object": "refund", "amount": amount, "charge": charge["id"],
                  "payment_intent": intent["id"], "status": "succeeded", "reason": params.get("reason"),
                  "metadata": params.get("metadata", {}), "created": int(time.time())}
        self.objects["refunds"][refund["id"]] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        charge["refunds"]["data"].insert(0, refund)
        self.event("charge.refunded", charge)
        return refund

    def _create_payment_intents(self, params: dict) -> dict:
        raise StripeError(400, "This fake makes payment intents only through Checkout.")

    def _create_charges(self, params: dict) -> dict:
        raise StripeError(400, "This fake makes charges only through Checkout.")

    # --- what a person does at Stripe, and the events it sends -------------------------------------------------
    def event(self, kind: str, obj: dict, *, account: str | None = None, created: int | None = None) -> dict:
        data = {key: value for key, value in obj.items() if not key.startswith("_")}
        event = {"id": self._new_id("evt"), "object": "event", "api_version": "2026-10-28.endive",
                 "type": kind, "created": created or int(time.time()), "livemode": self.livemode,
                 "data": {"object": json.loads(json.dumps(data))}, "pending_webhooks": 1}
        if account:
            event["account"] = account
        self.events.append(event)
        return event

    def complete_onboarding(self, account_id: str, *, created: int | None = None) -> dict:
        account = self.get("accounts", account_id)
        account.update(details_submitted=True, charges_enabled=True, payouts_enabled=True,
                       capabilities={"transfers": "active"},
                       requirements={"currently_due": [], "past_due": [], "disabled_reason": None})
        return self.event("account.updated", account, account=account_id, created=created)

    def restrict(self, account_id: str, needed: list[str], *, created: int | None = None) -> dict:
        account = self.get("accounts", account_id)
        account.update(details_submitted=True, payouts_enabled=False, capabilities={"transfers": "inactive"},
                       requirements={"currently_due": needed, "past_due": [], "disabled_reason": None})
        return self.event("account.updated", account, account=account_id, created=created)

    def pay_checkout(self, session_id: str, *, asynchronous: bool = False) -> list[dict]:
        """The person pays on Stripe's page. A card: paid at once (session completed, intent succeeded). A bank
        debit (`asynchronous`): the session completes unpaid; `settle_async` decides later."""
        with self._lock:
            session = self.get("checkout_sessions", session_id)
            data = session["_payment_intent_data"]
            intent = {"id": self._new_id("pi"), "object": "payment_intent", "amount": session["amount_total"],
                      "currency": "gbp", "status": "processing" if asynchronous else "succeeded",
                      "transfer_group": data.get("transfer_group"), "metadata": data.get("metadata", {}),
                      "latest_charge": None, "livemode": self.livemode}
            charge = {"id": self._new_id("ch"), "object": "charge", "amount": session["amount_total"],
                      "amount_refunded": 0, "refunded": False, "payment_intent": intent["id"],
                      "transfer_group": data.get("transfer_group"), "metadata": data.get("metadata", {}),
                      "refunds": {"object": "list", "data": []}, "paid": not asynchronous}
            intent["latest_charge"] = charge["id"]
            self.objects["payment_intents"][intent["id"]] = intent
            self.objects["charges"][charge["id"]] = charge
            session.update(status="complete", payment_intent=intent["id"],
                           payment_status="unpaid" if asynchronous else "paid")
            events = [self.event("checkout.session.completed", session)]
            if not asynchronous:
                events.append(self.event("payment_intent.succeeded", intent))
            return events

    def settle_async(self, session_id: str, *, succeeded: bool) -> list[dict]:
        with self._lock:
            session = self.get("checkout_sessions", session_id)
            intent = self.get("payment_intents", session["payment_intent"])
            intent["status"] = "succeeded" if succeeded else "requires_payment_method"
            session["payment_status"] = "paid" if succeeded else "unpaid"
            kind = "succeeded" if succeeded else "failed"
            return [self.event(f"checkout.session.async_payment_{kind}", session),
                    self.event("payment_intent.succeeded" if succeeded else "payment_intent.payment_failed", intent)]

    def dispute(self, payment_intent_id: str, *, reason: str = "fraudulent") -> dict:
        intent = self.get("payment_intents", payment_intent_id)
        dispute = {"id": self._new_id("dp"), "object": "dispute", "amount": intent["amount"],
                   "charge": intent["latest_charge"], "payment_intent": intent["id"], "reason": reason,
                   "status": "needs_response"}
        return self.event("charge.dispute.created", dispute)

    def reverse_transfer(self, transfer_id: str, amount: int) -> dict:
        transfer = self.get("transfers", transfer_id)
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
        return self.event("transfer.reversed", transfer)

    def payout_failed(self, account_id: str, amount: int) -> dict:
        payout = {"id": self._new_id("po"), "object": "payout", "amount": amount, "status": "failed",
                  "failure_code": "account_closed", "failure_message": "The bank account has been closed."}
        return self.event("payout.failed", payout, account=account_id)

    # --- webhooks --------------------------------------------------------------------------------------------
    def signed(self, event: dict, *, secret: str | None = None, timestamp: int | None = None) -> tuple[bytes, str]:
        """The body and `Stripe-Signature` header Stripe would send: t=...,v1=HMAC-SHA256(secret, "t.body")."""
        secret = secret or self.secrets["connect" if event.get("account") else "platform"]
        body = json.dumps(event).encode()
        timestamp = int(time.time()) if timestamp is None else timestamp
        signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        return body, f"t={timestamp},v1={signature}"

    @staticmethod
    def endpoint_path(event: dict) -> str:
        return "/payments/webhooks/stripe-connect/" if event.get("account") else "/payments/webhooks/stripe/"

    def deliver(self, client, event: dict, **signing) -> Any:
        """Post one event to the product through Django's test client, signed."""
        body, header = self.signed(event, **signing)
        return client.post(self.endpoint_path(event), data=body, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=header)

    def post_to(self, base_url: str, event: dict, **signing) -> tuple[int, dict]:
        """Post one event to a running server over real HTTP (a live server), as Stripe does."""
        body, header = self.signed(event, **signing)
        address = base_url.rstrip("/") + self.endpoint_path(event)
        assert address.startswith("http://127.0.0.1:") or address.startswith("http://localhost:")
        request = urllib.request.Request(address, data=body, method="POST",  # noqa: S310 (checked above)
                                         headers={"Content-Type": "application/json", "Stripe-Signature": header})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (http to loopback only)
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def calls(self, method: str, path: str) -> list[Request]:
        return [request for request in self.requests if request.method == method and request.path == path]
