"""Slow and idle clients cannot take the live server's threads or keep
others waiting: idle sockets cost no thread and are closed after the read
timeout, and requests are served by a bounded pool of workers."""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time

import pytest
import requests

from conftest import userinfo
from globus_testkit import Emulator
from globus_testkit.workers import WorkerPool, waiting

pytestmark = pytest.mark.server_only
PATIENCE = 20.0  # seconds a test waits for what should take about one


def _connect(server) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=PATIENCE)
    return sock


def _health_request(port: int) -> bytes:
    return f"GET /_testkit/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()


def test_two_hundred_idle_sockets_take_no_threads_and_starve_no_one(globus_server, auth_client_for):
    before = threading.active_count()
    idle = [_connect(globus_server) for _ in range(200)]
    try:
        for sock in idle[:20]:
            sock.sendall(b"GET /_testkit/health HTTP/1.1\r\n")  # and never the rest
        time.sleep(0.5)
        assert userinfo(auth_client_for())["sub"]
        assert requests.get(f"{globus_server.url}/_testkit/health", timeout=PATIENCE).ok
        # one thread per idle socket would be +200; the pool's bound is far below
        assert threading.active_count() - before < 60
    finally:
        for sock in idle:
            sock.close()


@pytest.fixture
def impatient_server():
    emulator = Emulator()
    server = emulator.serve(read_timeout=1)
    yield server
    emulator.stop()


def _closed_by_server(sock: socket.socket) -> bool:
    """Whether the server closes the socket (within PATIENCE)."""
    sock.settimeout(PATIENCE)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionError:
        pass
    return True


def test_a_socket_that_never_speaks_is_closed_after_the_read_timeout(impatient_server):
    sock = _connect(impatient_server)
    with contextlib.closing(sock):
        assert _closed_by_server(sock)


def test_a_request_that_stops_half_way_is_cut_off_after_the_read_timeout(impatient_server):
    sock = _connect(impatient_server)
    with contextlib.closing(sock):
        sock.sendall(b"POST /_testkit/clock/advance HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")
        assert _closed_by_server(sock)


def test_an_idle_keep_alive_connection_is_closed_after_the_read_timeout(impatient_server):
    sock = _connect(impatient_server)
    with contextlib.closing(sock):
        sock.sendall(_health_request(impatient_server.port))
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        assert _closed_by_server(sock)


def test_a_keep_alive_connection_serves_request_after_request(globus_server):
    connection = http.client.HTTPConnection(globus_server.host, globus_server.port, timeout=5)
    before = globus_server.connections_accepted
    with contextlib.closing(connection):
        ports = set()
        for _ in range(3):  # between requests the connection waits, parked
            connection.request("GET", "/_testkit/health")
            answer = connection.getresponse()
            assert answer.status == 200 and answer.read()
            assert answer.getheader("Connection") is None  # not "close"
            ports.add(connection.sock.getsockname()[1])
            time.sleep(0.1)
        # http.client reconnects silently: the server counts connections
        assert globus_server.connections_accepted - before == 1
        assert len(ports) == 1


def test_requests_sessions_reuse_their_connection(globus_server, auth_client_for):
    client = auth_client_for()
    before = globus_server.connections_accepted
    for _ in range(4):
        assert userinfo(client)["sub"]
    assert globus_server.connections_accepted - before == 1


def _answers(sock: socket.socket, count: int) -> list[tuple[int, dict[str, str]]]:
    """``count`` answers (status, headers) read in turn from one
    connection, through one buffer (answers may arrive in one segment)."""
    reader = sock.makefile("rb")
    answers = []
    for _ in range(count):
        status = int(reader.readline().split()[1])
        headers = {}
        while line := reader.readline().strip():
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        reader.read(int(headers.get("content-length", 0)))
        answers.append((status, headers))
    return answers


def test_a_body_the_server_does_not_read_is_skipped_not_taken_for_the_next_request(
    globus_server,
):
    body = b'{"GET /_testkit/health HTTP/1.1": 1}' * 100
    unread = (  # an unknown service answers without reading the body
        f"POST /no-such-service/x HTTP/1.1\r\nHost: h\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    sock = _connect(globus_server)
    with contextlib.closing(sock):
        sock.sendall(unread + _health_request(globus_server.port))  # pipelined
        (first, _), (second, _) = _answers(sock, 2)
    assert (first, second) == (404, 200)


def test_a_chunked_body_is_read_to_its_end_before_the_next_request(globus_server):
    chunked = (
        f"POST /_testkit/clock/advance HTTP/1.1\r\nHost: 127.0.0.1:{globus_server.port}\r\n"
        "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
        '5\r\n{"sec\r\n9\r\nonds": 1}\r\n0\r\n\r\n'
    ).encode()
    sock = _connect(globus_server)
    with contextlib.closing(sock):
        sock.sendall(chunked + _health_request(globus_server.port))
        (first, _), (second, _) = _answers(sock, 2)
    assert (first, second) == (200, 200)


@pytest.mark.parametrize(
    "request_head",
    [
        "GET /_testkit/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n",
        "GET /_testkit/health HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n",
    ],
    ids=["connection-close", "http-1.0"],
)
def test_a_client_that_asks_for_one_answer_gets_it_and_a_closed_connection(
    globus_server, request_head
):
    sock = _connect(globus_server)
    with contextlib.closing(sock):
        sock.sendall(request_head.format(port=globus_server.port).encode())
        [(status, headers)] = _answers(sock, 1)
        assert (status, headers["connection"]) == (200, "close")
        assert _closed_by_server(sock)


def test_a_body_too_large_to_skip_closes_the_connection_after_the_refusal(globus_server):
    sock = _connect(globus_server)
    with contextlib.closing(sock):
        sock.sendall(
            f"POST /_testkit/clock/advance HTTP/1.1\r\nHost: 127.0.0.1:{globus_server.port}\r\n"
            "Content-Length: 99999999999\r\n\r\n{".encode()
        )
        [(status, headers)] = _answers(sock, 1)
        assert (status, headers["connection"]) == (413, "close")
        assert _closed_by_server(sock)


def test_a_worker_waiting_for_another_request_does_not_hold_its_place_in_the_pool():
    pool = WorkerPool(1)
    woken = threading.Event()
    done = threading.Event()

    def long_poll() -> None:  # like the exchange's receive: waits for a send
        with waiting():
            if woken.wait(PATIENCE):
                done.set()

    pool.submit(long_poll)
    pool.submit(woken.set)  # the "send" that wakes it, queued behind it
    assert done.wait(PATIENCE)
    pool.close()


def test_the_pool_runs_no_more_than_its_size_at_once():
    pool = WorkerPool(3)
    running = 0
    most = 0
    lock = threading.Lock()
    finished = threading.Semaphore(0)

    def job() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        finished.release()

    for _ in range(30):
        pool.submit(job)
    for _ in range(30):
        assert finished.acquire(timeout=PATIENCE)
    assert most == 3 and pool.threads <= 3
    pool.close()
