#!/usr/bin/env python3
"""stratum_stub.py PORT_FILE: a loopback Stratum V1 pool just real enough for /metrics to show
its pool families: it grants version rolling, sends one job at a low difficulty, accepts the
shares and rejects every fourth (so a reject reason has a sample). It writes the port it took
to PORT_FILE, serves one miner and exits when that miner hangs up."""
import json
import os
import socket
import sys


def main():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(f"{srv.getsockname()[1]}\n")
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])  # the port file appears whole
    conn, _ = srv.accept()
    out = conn.makefile("w")
    submits = 0

    def send(obj):
        out.write(json.dumps(obj) + "\n")
        out.flush()

    for line in conn.makefile("r"):
        msg = json.loads(line)
        method, mid = msg.get("method"), msg.get("id")
        if method == "mining.configure":
            send({"id": mid, "result": {"version-rolling": True,
                                        "version-rolling.mask": "1fffe000"}, "error": None})
        elif method == "mining.subscribe":
            send({"id": mid, "error": None, "result": [
                [["mining.set_difficulty", "s1"], ["mining.notify", "s1"]], "0a0b0c0d", 4]})
        elif method == "mining.authorize":
            send({"id": mid, "result": True, "error": None})
            send({"id": None, "method": "mining.set_difficulty", "params": [0.001]})
            send({"id": None, "method": "mining.notify", "params": [
                "j1", "00" * 32, "01000000010000", "ffffffff0100f2052a01000000", [],
                "20000000", "1d00ffff", "5f5e1000", True]})
        elif method == "mining.submit":
            submits += 1
            if submits % 4 == 0:
                send({"id": mid, "result": None, "error": [23, "low difficulty share", None]})
            else:
                send({"id": mid, "result": True, "error": None})
        elif mid is not None:
            send({"id": mid, "result": True, "error": None})


if __name__ == "__main__":
    main()
