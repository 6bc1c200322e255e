"""Writes each device's poll answer as a static file for the nginx column of run.sh.

Usage: static-answers.py ROOT DEVICES SAMPLE_FILE SAMPLE_DEVICE

SAMPLE_FILE holds the answer Modelyard gave SAMPLE_DEVICE (a controller id such as dev-1); every
device's file is that answer with its own controller id in place of the sample's (the idle answer
names the device only in its links, if at all). The files sit at the poll's own path under ROOT
(ROOT/default/controller/v1/dev-N), so nginx serves them from the same URLs.
"""
import os
import sys

root, devices, sample_file, sample_device = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
with open(sample_file, "rb") as f:
    sample = f.read()
needle = ("/" + sample_device + "/").encode()
parts = sample.split(needle)
directory = os.path.join(root, "default", "controller", "v1")
os.makedirs(directory, exist_ok=True)
for i in range(1, devices + 1):
    name = "dev-%d" % i
    body = sample if len(parts) == 1 else ("/" + name + "/").encode().join(parts)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(body)
