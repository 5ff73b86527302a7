"""A JSON-RPC proxy for tests: forwards to anvil on 127.0.0.1 and injects behaviours of chains anvil cannot be.

Each behaviour reproduces one kind of misbehaviour reported from real chains, with the error codes and
messages those chains use. A behaviour can respond to an HTTP request itself (rate limiting, rejected
batches), respond to one JSON-RPC request itself (errors), or rewrite the upstream response.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
import rlp

from onboard.evm.asm import CREATE2_PROXY


@dataclass
class HttpAnswer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class Behaviour:
    """Override any of the three hooks; None means "not handled here"."""

    def http(self, payload: Any) -> HttpAnswer | None:
        return None

    def request(self, request: dict[str, Any]) -> dict[str, Any] | None:
        return None

    def response(self, request: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
        return response


def error(request: dict[str, Any], code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request.get("id"), "error": {"code": code, "message": message}}


def raw_legacy_fields(raw: str) -> tuple[int, int] | None:
    """Return (gasPrice, v) of a legacy raw transaction, or None for a typed one."""
    data = bytes.fromhex(raw.removeprefix("0x"))
    if not data or data[0] < 0xC0:
        return None
    fields = rlp.decode(data)
    return int.from_bytes(fields[1], "big"), int.from_bytes(fields[6], "big")


def executed_opcodes(code: bytes) -> set[int]:
    """Opcodes of `code` read linearly, skipping PUSH data: what a node that lacks an opcode would trip on."""
    found, index = set(), 0
    while index < len(code):
        opcode = code[index]
        found.add(opcode)
        index += 1 + (opcode - 0x5F if 0x60 <= opcode <= 0x7F else 0)
    return found


def creation_code(request: dict[str, Any]) -> bytes | None:
    if request.get("method") not in ("eth_call", "eth_estimateGas"):
        return None
    transaction = request["params"][0]
    if transaction.get("to"):
        return None
    return bytes.fromhex(transaction.get("data", transaction.get("input", "0x"))[2:])


class RpcProxy:
    """The proxy server; `behaviours` apply in order. `latency` seconds are added to every HTTP request."""

    def __init__(self, upstream: str, *behaviours: Behaviour, latency: float = 0.0) -> None:
        self.upstream = upstream
        self.behaviours = list(behaviours)
        self.latency = latency
        self.http_requests = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._session = requests.Session()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def handle(self, payload: Any) -> HttpAnswer:
        with self._lock:
            self.http_requests += 1
        if self.latency:
            time.sleep(self.latency)
        for behaviour in self.behaviours:
            answer = behaviour.http(payload)
            if answer is not None:
                return answer
        requests_in = payload if isinstance(payload, list) else [payload]
        responses = self._forward(requests_in)
        body = responses if isinstance(payload, list) else responses[0]
        return HttpAnswer(200, json.dumps(body).encode())

    def _forward(self, requests_in: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Return the responses of behaviours, send the other requests upstream as one batch, then rewrite."""
        answers: list[dict[str, Any] | None] = [self._intercept(request) for request in requests_in]
        upstream = [request for request, answer in zip(requests_in, answers, strict=True) if answer is None]
        if upstream:
            replies = self._session.post(self.upstream, json=upstream, timeout=60).json()
            by_id = {reply.get("id"): reply for reply in replies}
            for index, request in enumerate(requests_in):
                if answers[index] is None:
                    answers[index] = self._rewrite(request, by_id[request.get("id")])
        return [answer for answer in answers if answer is not None]

    def _intercept(self, request: dict[str, Any]) -> dict[str, Any] | None:
        for behaviour in self.behaviours:
            answer = behaviour.request(request)
            if answer is not None:
                return answer
        return None

    def _rewrite(self, request: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
        for behaviour in self.behaviours:
            response = behaviour.response(request, response)
        return response

    def start(self) -> RpcProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                answer = proxy.handle(json.loads(self.rfile.read(length)))
                self.send_response(answer.status)
                headers = {"Content-Type": "application/json", **answer.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self._session.close()

    def __enter__(self) -> RpcProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# The behaviours, one class per kind of misbehaviour.


class RejectUnprotected(Behaviour):
    """Nodes that reject pre-EIP-155 transactions over RPC (geth's default since 1.10)."""

    def __init__(self, message: str = "only replay-protected (EIP-155) transactions allowed over RPC") -> None:
        self.message = message

    def request(self, request: dict[str, Any]) -> dict[str, Any] | None:
        if request.get("method") != "eth_sendRawTransaction":
            return None
        fields = raw_legacy_fields(request["params"][0])
        if fields is not None and fields[1] in (27, 28):
            return error(request, -32000, self.message)
        return None


class MinimumGasPrice(Behaviour):
    """A minimum gas price above the keyless deployment's 100 gwei."""

    def __init__(self, minimum_wei: int) -> None:
        self.minimum = minimum_wei

    def request(self, request: dict[str, Any]) -> dict[str, Any] | None:
        if request.get("method") == "eth_gasPrice":
            return {"jsonrpc": "2.0", "id": request.get("id"), "result": hex(self.minimum)}
        if request.get("method") == "eth_sendRawTransaction":
            fields = raw_legacy_fields(request["params"][0])
            if fields is not None and fields[0] < self.minimum:
                return error(request, -32009, "Gas price below configured minimum gas price")
        return None


class Create2Formula(Behaviour):
    """zkSync-style derivation: CREATE2 results differ from EIP-1014, so the third returned word changes."""

    def __init__(self, initcode: bytes) -> None:
        self.initcode = initcode

    def response(self, request: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
        if creation_code(request) != self.initcode or "result" not in response:
            return response
        data = bytearray.fromhex(response["result"][2:])
        data[64 + 12 : 96] = bytes(reversed(data[64 + 12 : 96]))
        return {**response, "result": "0x" + data.hex()}


class ProxyEstimateFails(Behaviour):
    """eth_estimateGas of any call to the (absent) CREATE2 proxy fails with a gas-sounding message."""

    def request(self, request: dict[str, Any]) -> dict[str, Any] | None:
        if request.get("method") != "eth_estimateGas":
            return None
        if str(request["params"][0].get("to", "")).lower() == CREATE2_PROXY:
            return error(request, -32000, "Failed to estimate gas for tx")
        return None


class MissingOpcode(Behaviour):
    """A node without one opcode: creation calls whose code contains it fail with the node's wording."""

    def __init__(self, opcode: int, message: str) -> None:
        self.opcode = opcode
        self.message = message

    def request(self, request: dict[str, Any]) -> dict[str, Any] | None:
        code = creation_code(request)
        if code is not None and self.opcode in executed_opcodes(code):
            return error(request, -32000, self.message)
        return None


class ScaledEstimate(Behaviour):
    """eth_estimateGas multiplied by a factor (over- or under-estimation)."""

    def __init__(self, factor: float) -> None:
        self.factor = factor

    def response(self, request: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
        if request.get("method") != "eth_estimateGas" or "result" not in response:
            return response
        return {**response, "result": hex(int(int(response["result"], 16) * self.factor))}


class InflatedReceipts(Behaviour):
    """Receipts whose gasUsed exceeds what eth_estimateGas returns for the same transaction."""

    def __init__(self, factor: float) -> None:
        self.factor = factor

    def response(self, request: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
        if request.get("method") != "eth_getTransactionReceipt" or not isinstance(response.get("result"), dict):
            return response
        receipt = response["result"]
        return {**response, "result": {**receipt, "gasUsed": hex(int(int(receipt["gasUsed"], 16) * self.factor))}}


class Calldata68(Behaviour):
    """Pre-Istanbul calldata pricing: 68 gas per non-zero byte instead of 16."""

    def response(self, request: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
        if request.get("method") != "eth_estimateGas" or "result" not in response:
            return response
        data = bytes.fromhex(request["params"][0].get("data", "0x")[2:])
        extra = 52 * sum(1 for byte in data if byte)
        return {**response, "result": hex(int(response["result"], 16) + extra)}


class LogRangeCap(Behaviour):
    """eth_getLogs rejects ranges above a maximum, counted inclusively or as toBlock - fromBlock."""

    def __init__(self, maximum: int, *, style: str) -> None:
        self.maximum = maximum
        self.style = style

    def request(self, request: dict[str, Any]) -> dict[str, Any] | None:
        if request.get("method") != "eth_getLogs":
            return None
        params = request["params"][0]
        span = int(params["toBlock"], 16) - int(params["fromBlock"], 16)
        if self.style == "inclusive" and span + 1 > self.maximum:
            return error(request, -32600, f"block range is too wide (maximum {self.maximum})")
        if self.style == "difference" and span > self.maximum:
            return error(request, -32000, f"block range is larger than max block range, block range = {span}, "
                                          f"max block range = {self.maximum}")  # fmt: skip
        return None


class NoPriorityFeeMethod(Behaviour):
    def request(self, request: dict[str, Any]) -> dict[str, Any] | None:
        if request.get("method") == "eth_maxPriorityFeePerGas":
            return error(request, -32601, "Method not found")
        return None


class NoBaseFee(Behaviour):
    """Blocks without baseFeePerGas, and eth_feeHistory failing."""

    def request(self, request: dict[str, Any]) -> dict[str, Any] | None:
        if request.get("method") in ("eth_feeHistory", "eth_maxPriorityFeePerGas"):
            return error(request, -32601, f"the method {request['method']} does not exist/is not available")
        return None

    def response(self, request: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
        if request.get("method") == "eth_getBlockByNumber" and isinstance(response.get("result"), dict):
            block = {key: value for key, value in response["result"].items() if key != "baseFeePerGas"}
            return {**response, "result": block}
        return response


class RateLimit(Behaviour):
    """Rejects every other HTTP request (`kind` http-json, http-text, retry-after) or every third JSON-RPC
    request with -32016 (`kind` rpc)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.seen = 0
        self.limited = 0
        self._lock = threading.Lock()

    def _tick(self, every: int) -> bool:
        with self._lock:
            self.seen += 1
            hit = self.seen % every == 1
            self.limited += hit
            return hit

    def http(self, payload: Any) -> HttpAnswer | None:
        if self.kind == "rpc" or not self._tick(2):
            return None
        if self.kind == "http-text":
            return HttpAnswer(429, b"Too Many Requests", {"Content-Type": "text/plain"})
        body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": 429, "message": "Too Many Requests"}})
        headers = {"Retry-After": "0"} if self.kind == "retry-after" else {}
        return HttpAnswer(429, body.encode(), headers)

    def request(self, request: dict[str, Any]) -> dict[str, Any] | None:
        if self.kind == "rpc" and self._tick(3):
            return error(request, -32016, "over rate limit")
        return None


class CodeSizeCap(Behaviour):
    """Creations of more than `maximum` bytes of runtime fail, while the node behind allows more.

    Creation calls that CREATE a child and return its EXTCODESIZE fail when that size is above the maximum,
    and so do creation calls that return more than `maximum` bytes themselves.
    """

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum

    def response(self, request: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
        code = creation_code(request)
        if request.get("method") != "eth_call" or code is None or "result" not in response:
            return response
        returned = bytes.fromhex(response["result"][2:])
        creates_child = {0xF0, 0x3B} <= executed_opcodes(code)
        size = int.from_bytes(returned, "big") if creates_child and len(returned) == 32 else len(returned)
        if size > self.maximum:
            return error(request, -32000, "max code size exceeded")
        return response


class NetVersion(Behaviour):
    def __init__(self, value: str) -> None:
        self.value = value

    def request(self, request: dict[str, Any]) -> dict[str, Any] | None:
        if request.get("method") == "net_version":
            return {"jsonrpc": "2.0", "id": request.get("id"), "result": self.value}
        return None


class RejectBatches(Behaviour):
    def http(self, payload: Any) -> HttpAnswer | None:
        if not isinstance(payload, list):
            return None
        body = {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "batch requests are not supported"}}
        return HttpAnswer(400, json.dumps(body).encode())


class BatchSizeLimit(Behaviour):
    """Batches above `maximum` requests get one JSON-RPC error object instead of an array (HTTP 200)."""

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum

    def http(self, payload: Any) -> HttpAnswer | None:
        if not isinstance(payload, list) or len(payload) <= self.maximum:
            return None
        body = {"jsonrpc": "2.0", "id": None,
                "error": {"code": -32600, "message": f"batch size exceeds the limit of {self.maximum}"}}  # fmt: skip
        return HttpAnswer(200, json.dumps(body).encode())



class ExtraMethod(Behaviour):
    """A node that implements one more RPC method, such as zks_L1ChainId on zkSync or zkevm_batchNumber on
    Polygon CDK."""

    def __init__(self, method: str, result: Any) -> None:
        self.method = method
        self.result = result

    def request(self, request: dict[str, Any]) -> dict[str, Any] | None:
        if request.get("method") == self.method:
            return {"jsonrpc": "2.0", "id": request.get("id"), "result": self.result}
        return None

def main() -> None:
    """Serve `--count` latency proxies in front of one upstream in this process; print their URLs."""
    import argparse

    parser = argparse.ArgumentParser(description="JSON-RPC proxies with added latency, for benchmarks")
    parser.add_argument("upstream")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--count", type=int, default=1)
    arguments = parser.parse_args()
    proxies = [RpcProxy(arguments.upstream, latency=arguments.latency).start() for _ in range(arguments.count)]
    print("\n".join(proxy.url for proxy in proxies), flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
