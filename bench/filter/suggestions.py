"""The filter builder's suggestions on the fleet: for each request, the first call (it counts by
scanning the tenant's devices: the 'cold' figure a tenant's first builder pays) and then the median
and p99 of RUNS calls (answered from the counts the server keeps for 30 s), over one kept-alive
connection; then the filter check the builder sends as the user types (never cached: it compiles and
counts). Prints markdown table rows."""
import http.client
import json
import sys
import time
import urllib.parse

url, token, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
host, port = urllib.parse.urlparse(url).hostname, urllib.parse.urlparse(url).port
conn = http.client.HTTPConnection(host, port, timeout=120)
headers = {"Authorization": "Bearer " + token}


def call(path):
    start = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200:
        raise SystemExit(f"{path}: {response.status} {body[:300]!r}")
    return elapsed, json.loads(body)


REQUESTS = [
    ("selectors", "/api/v1/devices/suggestions"),
    ("values of attribute.arch", "/api/v1/devices/suggestions/values?selector=attribute.arch"),
    ("values of attribute.site, prefix site-3", "/api/v1/devices/suggestions/values?selector=attribute.site&prefix=site-3"),
    ("values of tag", "/api/v1/devices/suggestions/values?selector=tag"),
    ("values of status", "/api/v1/devices/suggestions/values?selector=status"),
    ("values of installed.detector", "/api/v1/devices/suggestions/values?selector=installed.detector"),
    ("controller ids, prefix dev-0999 (not cached)", "/api/v1/devices/suggestions/values?selector=controllerId&prefix=dev-0999"),
    ("filter check of attribute.arch==aarch64;tag==store (not cached)",
     "/api/v1/devices/filter-check?q=" + urllib.parse.quote("attribute.arch==aarch64;tag==store", safe="")),
    ("filter check of a typo, atribute.arch==x (not cached)",
     "/api/v1/devices/filter-check?q=" + urllib.parse.quote("atribute.arch==x", safe="")),
]

for name, path in REQUESTS:
    cold = call(path)[0]
    samples = sorted(call(path)[0] for _ in range(runs))
    med, p99 = samples[len(samples) // 2], samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(f"| {name} | {cold:.1f} | {med:.1f} / {p99:.1f} |")
