"""Median and p99 of RUNS calls to the count endpoint and the first page of the device list for one
filter, over one kept-alive connection; prints 'matches | count med / p99 | page med / p99'."""
import http.client
import json
import sys
import time
import urllib.parse

url, token, query, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
host, port = urllib.parse.urlparse(url).hostname, urllib.parse.urlparse(url).port
conn = http.client.HTTPConnection(host, port, timeout=120)
headers = {"Authorization": "Bearer " + token}
q = urllib.parse.quote(query, safe="")


def call(path):
    start = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200:
        raise SystemExit(f"{path}: {response.status} {body[:300]!r}")
    return elapsed, json.loads(body)


def measure(path):
    call(path)  # one warm-up call: plans cached, JIT on the way
    samples = sorted(call(path)[0] for _ in range(runs))
    return samples[len(samples) // 2], samples[min(len(samples) - 1, int(len(samples) * 0.99))]


matches = call(f"/api/v1/devices/count?q={q}")[1]["count"]
count = measure(f"/api/v1/devices/count?q={q}")
page = measure(f"/api/v1/devices?q={q}&size=50")
print(f"{matches} | {count[0]:.1f} / {count[1]:.1f} | {page[0]:.1f} / {page[1]:.1f}")
