#!/usr/bin/env python3
"""Peak RSS of a running `lacs serve` under floods of hostile request bodies, and the
connections one address can hold: the figures in docs/benchmarks.md ("Hardening, round two").

usage: scripts/measure-hostile-bodies.py PID PORT
Needs `pip install brotli` for the brotli bomb (2 GiB of zeros in about 1.6 KB).
"""
import concurrent.futures, gzip, http.client, os, socket, sys, time

pid, port = int(sys.argv[1]), int(sys.argv[2])

def status(field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field):
            return int(line.split()[1]) // 1024
    return None

def post(body, coding):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        c.request("POST", "/graphql", body, {"Content-Type": "application/json", "Content-Encoding": coding})
        return c.getresponse().status
    except Exception as e:
        return type(e).__name__
    finally:
        c.close()

def flood(body, coding, n=150):
    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        results = list(pool.map(lambda _: post(body, coding), range(n)))
    return {r: results.count(r) for r in set(results)}

print(f"start: RSS {status('VmRSS:')} MiB, peak {status('VmHWM:')} MiB")
gz = gzip.compress(b"\0" * (60 << 20), 9)
print(f"gzip bomb: {len(gz)} bytes -> 60 MiB; 150 at once: {flood(gz, 'gzip')}; peak {status('VmHWM:')} MiB")
try:
    import brotli
    br = brotli.Compressor(quality=5, lgwin=24)
    body = b"".join([br.process(b"\0" * (1 << 24)) for _ in range(128)] + [br.finish()])
    print(f"brotli bomb: {len(body)} bytes -> 2 GiB; 150 at once: {flood(body, 'br')}; peak {status('VmHWM:')} MiB")
except ImportError:
    print("brotli not installed: pip install brotli")

# One address opens connections announcing 64 KiB and sending 1 byte, 20 a second for 10 s.
held, refused = [], 0
for i in range(200):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n\r\n{")
    held.append(s)
    time.sleep(0.05)
time.sleep(1)
for s in held:
    s.setblocking(False)
    try:
        if s.recv(64).startswith(b"HTTP/1.1 429"):
            refused += 1
    except BlockingIOError:
        pass
fds = len(os.listdir(f"/proc/{pid}/fd"))
t = time.time()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=("127.0.0.2", 0))
c.request("GET", "/healthz")
answered = c.getresponse().status
print(f"slow bodies: 200 opened, {refused} refused with 429, server holds {fds} descriptors; "
      f"/healthz from another address: {answered} in {1000 * (time.time() - t):.0f} ms; peak {status('VmHWM:')} MiB")
