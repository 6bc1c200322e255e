"""Holds COUNT stalled uploads open against a Modelyard server: each declares 100 MB, sends 64 KB and
then nothing, like a pipeline on a dead uplink. An upload the server answers (e.g. 429) stays open
and silent; one whose connection the server closes is opened again, so COUNT connections stay open
for as long as this runs. They come from 20 loopback addresses and use the given API tokens in turn,
so the server-wide upload cap is what holds them back.

Usage: python3 stalled.py PORT MODEL COUNT TOKEN [TOKEN ...]   (runs until killed)
"""
import select
import socket
import sys
import time

port, model, count, tokens = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4:]
ADDRESSES = 20
CHUNK = b"\0" * 65536


def open_upload(i):
    s = socket.socket()
    s.bind((f"127.0.0.{2 + i % ADDRESSES}", 0))
    s.connect(("127.0.0.1", port))
    head = (f"PUT /api/v1/models/{model}/versions/1.0.0/artifacts/stalled-{i}.onnx HTTP/1.1\r\n"
            f"Host: localhost\r\nAuthorization: Bearer {tokens[i % len(tokens)]}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {100 * 1024 * 1024}\r\n\r\n")
    s.sendall(head.encode() + CHUNK)
    return s


uploads = {i: open_upload(i) for i in range(count)}
print(f"stalled uploads: {count} open", flush=True)
answered = set()
reopened = 0
last_report = time.time()
while True:
    watched = [s for i, s in uploads.items() if i not in answered]
    if watched:
        readable = select.select(watched, [], [], 1.0)[0]
    else:
        time.sleep(1.0)
        readable = []
    for s in readable:
        i = next(k for k, v in uploads.items() if v is s)
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        if data:
            answered.add(i)  # answered, e.g. 429: the client stays connected and silent
        else:
            s.close()
            uploads[i] = open_upload(i)
            reopened += 1
    if time.time() - last_report >= 10:
        print(f"stalled uploads: {count} open, {len(answered)} answered (and left open), "
              f"{reopened} closed by the server and opened again", flush=True)
        last_report = time.time()
