"""Holds STALLED uploads open against a Modelyard server: each declares 100 MB, sends 64 KB and then
nothing, like a pipeline on a dead uplink. Uploads the server refuses (429) or ends are opened again
at once, so the pressure stays for as long as this runs. They come from 20 loopback addresses and
use the given API tokens in turn, so the server-wide upload cap is what holds them back.

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
reopened = 0
last_report = time.time()
while True:
    readable, _, _ = select.select(list(uploads.values()), [], [], 1.0)
    for s in readable:
        i = next(k for k, v in uploads.items() if v is s)
        try:
            s.recv(65536)
        except OSError:
            pass
        s.close()
        uploads[i] = open_upload(i)
        reopened += 1
    if time.time() - last_report >= 10:
        print(f"stalled uploads: {count} open, {reopened} answered or ended by the server and opened again", flush=True)
        last_report = time.time()
