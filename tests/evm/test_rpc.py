"""The JSON-RPC client against the test proxy: batching, the fallback to single requests, retries, counters."""

from __future__ import annotations

import pytest

from onboard.errors import RpcError
from onboard.evm.rpc import Call, RpcClient, retry_delay
from onboard.redact import redact
from tests.evm import rpcproxy

pytestmark = pytest.mark.node
CALLS = [Call("eth_chainId"), Call("net_version"), Call("eth_blockNumber"), Call("no_such_method")]


def test_batch_is_one_round_trip(chain):
    client = RpcClient(chain.url)

    replies = client.send(CALLS)

    assert [reply.result for reply in replies[:2]] == ["0x7a69", "31337"]
    assert replies[3].error_code == -32601
    assert (client.stats.round_trips, client.stats.requests) == (1, 4)
    assert client.stats.batch_accepted is True


def test_rejected_batch_falls_back(chain):
    with rpcproxy.RpcProxy(chain.url, rpcproxy.RejectBatches()) as proxy:
        client = RpcClient(proxy.url)
        first = client.send(CALLS)
        second = client.send(CALLS)

    assert [reply.result for reply in first[:2]] == ["0x7a69", "31337"]
    assert [reply.result for reply in second] == [reply.result for reply in first]
    # One rejected batch, then single requests only.
    assert client.stats.round_trips == 1 + 4 + 4
    assert client.stats.batch_accepted is False
    assert "HTTP 400" in client.stats.batch_rejection


def test_batch_size_limit_chunks(chain):
    calls = [Call("eth_chainId")] * 25
    with rpcproxy.RpcProxy(chain.url, rpcproxy.BatchSizeLimit(10)) as proxy:
        client = RpcClient(proxy.url)
        replies = client.send(calls)

    assert [reply.result for reply in replies] == ["0x7a69"] * 25
    # One rejected batch of 25, then three batches of at most 10.
    assert client.stats.round_trips == 4
    assert client.stats.batch_limit == 10
    assert client.stats.batch_accepted is True


@pytest.mark.parametrize("kind", ["http-json", "http-text", "retry-after", "rpc"])
def test_rate_limit_retried(chain, kind):
    with rpcproxy.RpcProxy(chain.url, rpcproxy.RateLimit(kind)) as proxy:
        client = RpcClient(proxy.url, backoff=0.01)
        replies = client.send(CALLS)

    assert [reply.result for reply in replies[:2]] == ["0x7a69", "31337"]
    assert client.stats.retries >= 1


def test_rate_limit_bounded(chain):
    class Always429(rpcproxy.Behaviour):
        def http(self, payload):
            return rpcproxy.HttpAnswer(429, b"Too Many Requests")

    with rpcproxy.RpcProxy(chain.url, Always429()) as proxy:
        client = RpcClient(proxy.url, backoff=0.001, max_retries=3)
        with pytest.raises(RpcError, match="kept rate limiting after 3 retries"):
            client.send(CALLS)

    assert client.stats.round_trips == 4


def test_unreachable_endpoint_redacted():
    client = RpcClient("http://127.0.0.1:9/v2/abcdefgh12345678", timeout=2)

    with pytest.raises(RpcError) as raised:
        client.call("eth_chainId")

    assert "abcdefgh12345678" not in str(raised.value)
    assert "cannot reach the RPC endpoint http://127.0.0.1:9/v2/***" in str(raised.value)


def test_rate_limit_code_429_in_body(chain):
    class Item429(rpcproxy.Behaviour):
        def __init__(self):
            self.sent = False

        def request(self, request):
            if request["method"] == "net_version" and not self.sent:
                self.sent = True
                return rpcproxy.error(request, 429, "Too Many Requests")
            return None

    with rpcproxy.RpcProxy(chain.url, Item429()) as proxy:
        client = RpcClient(proxy.url, backoff=0.001)
        replies = client.send(CALLS)

    assert replies[1].result == "31337"
    assert client.stats.retries == 1


def test_retry_after_header():
    assert retry_delay("2", 0, backoff=0.5) == 2.0
    assert retry_delay("3600", 0, backoff=0.5) == 10.0
    assert retry_delay(None, 2, backoff=0.5) == 2.0
    assert 0.0 <= retry_delay("Wed, 21 Oct 2015 07:28:00 GMT", 0, backoff=0.5) <= 0.0
    assert redact("https://x.example/v3/0123456789abcdef") == "https://x.example/v3/***"
