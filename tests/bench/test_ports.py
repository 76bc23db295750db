"""Benchmark servers listen on ports that no outgoing connection can take first."""

import socket

from bench.servers import _first_outgoing_port, free_port


def test_a_free_port_is_below_the_outgoing_range_and_can_be_bound():
    ports = {free_port() for _ in range(20)}
    assert all(10_000 <= port < _first_outgoing_port() for port in ports)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", ports.pop()))
        listener.listen()
