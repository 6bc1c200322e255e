#!/usr/bin/python3
"""Modelyard's ARM NN worker: runs TensorFlow Lite models through Arm NN (pyarmnn) for the device
updater, speaking the external runtime protocol (docs/external-runtime.md) on stdin/stdout.

Frames are: u32 header length, u32 body length (both big-endian), a UTF-8 JSON header, then the
body: the raw little-endian bytes of the tensors the header lists, in order.

Run with the Python that has pyarmnn (Debian: python3-pyarmnn, python3-numpy):
    modelyard_armnn_worker.py [--backends CpuAcc,CpuRef] [--max-frame-mb 16]
"""
import argparse
import json
import os
import struct
import sys

PROTOCOL = 1


def private_stdout():
    # The protocol owns stdout. Anything else that writes there (pyarmnn prints notices on import,
    # Arm NN's native logging) would corrupt the frames, so the frames get a private copy of the
    # descriptor and fd 1 itself is pointed at stderr, which the updater copies into its log.
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


FRAMES_OUT = private_stdout()
FRAMES_IN = os.fdopen(os.dup(0), "rb", buffering=0)

import numpy as np  # noqa: E402  (after the stdout switch on purpose)
import pyarmnn as ann  # noqa: E402

DTYPES = {
    ann.DataType_Float32: ("float32", np.float32),
    ann.DataType_QAsymmU8: ("uint8", np.uint8),
    ann.DataType_QAsymmS8: ("int8", np.int8),
    ann.DataType_QSymmS8: ("int8", np.int8),
    ann.DataType_Signed32: ("int32", np.int32),
    ann.DataType_Boolean: ("bool", np.bool_),
}
NUMPY = {"float32": np.float32, "uint8": np.uint8, "int8": np.int8, "int32": np.int32, "bool": np.bool_}


class Refused(Exception):
    """A request the worker answers with an error frame: code and message as the protocol defines."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def read_exactly(n):
    chunks = []
    while n > 0:
        chunk = FRAMES_IN.read(n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(max_frame):
    prefix = read_exactly(8)
    if prefix is None:
        return None, None
    header_length, body_length = struct.unpack(">II", prefix)
    if header_length + body_length > max_frame or header_length == 0:
        # The rest of the stream cannot be trusted to be framed: say why, then stop.
        raise Refused("frame_too_large", "frame of %d bytes exceeds the limit of %d" % (header_length + body_length, max_frame))
    header = read_exactly(header_length)
    body = read_exactly(body_length) if body_length else b""
    if header is None or body is None:
        return None, None
    try:
        decoded = json.loads(header.decode("utf-8"))
    except ValueError as e:
        raise Refused("bad_frame", "a frame's header is not JSON: %s" % e)
    if not isinstance(decoded, dict):
        raise Refused("bad_frame", "a frame's header is not a JSON object")
    return decoded, body


# The largest frame the updater accepts: its max.frame.mb, sent with each load. None until a load said it.
ANSWER_LIMIT = [None]


def write_frame(header, body=b""):
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    size = 8 + len(encoded) + len(body)
    limit = ANSWER_LIMIT[0]
    if limit is not None and size > limit and header.get("id") is not None:
        # The updater would refuse this frame and kill the worker: answer the request with an error instead.
        error = {"type": "error", "id": header["id"], "code": "frame_too_large",
                 "message": "the %s answer of %d bytes exceeds the updater's limit of %d bytes (max.frame.mb)"
                            % (header.get("type"), size, limit)}
        encoded = json.dumps(error, separators=(",", ":")).encode("utf-8")
        body = b""
    FRAMES_OUT.write(struct.pack(">II", len(encoded), len(body)) + encoded + body)


class Model:
    def __init__(self, runtime, backends, path):
        parser = ann.ITfLiteParser()
        network = parser.CreateNetworkFromBinaryFile(path)
        # Subgraph 0 is the model's main graph, the one a TFLite interpreter runs.
        self.input_names = list(parser.GetSubgraphInputTensorNames(0))
        self.output_names = list(parser.GetSubgraphOutputTensorNames(0))
        self.inputs = [parser.GetNetworkInputBindingInfo(0, n) for n in self.input_names]
        self.outputs = [parser.GetNetworkOutputBindingInfo(0, n) for n in self.output_names]
        optimized, messages = ann.Optimize(network, backends, runtime.GetDeviceSpec(), ann.OptimizerOptions())
        for m in messages:
            print("optimizer: %s" % m, file=sys.stderr)
        self.runtime = runtime
        self.network_id, _ = runtime.LoadNetwork(optimized)

    @staticmethod
    def describe(name, binding):
        info = binding[1]
        dtype = DTYPES.get(info.GetDataType())
        if dtype is None:
            raise Refused("unsupported", "tensor %s has an element type this worker does not handle (%s)"
                          % (name, info.GetDataType()))
        return {"name": name, "dtype": dtype[0], "shape": list(info.GetShape())}

    def signature(self):
        return ([self.describe(n, b) for n, b in zip(self.input_names, self.inputs)],
                [self.describe(n, b) for n, b in zip(self.output_names, self.outputs)])

    def run(self, tensors, body):
        given = {}
        offset = 0
        for t in tensors:
            size = int(t["bytes"])
            if offset + size > len(body):
                raise Refused("bad_input", "tensor %s claims %d bytes beyond the frame's body" % (t["name"], size))
            given[t["name"]] = (t, body[offset:offset + size])
            offset += size
        arrays = []
        for name, binding in zip(self.input_names, self.inputs):
            spec = self.describe(name, binding)
            if name not in given:
                raise Refused("bad_input", "input %s is missing" % name)
            t, raw = given[name]
            if t["dtype"] != spec["dtype"]:
                raise Refused("bad_input", "input %s is %s, the model takes %s" % (name, t["dtype"], spec["dtype"]))
            array = np.frombuffer(raw, dtype=np.dtype(NUMPY[spec["dtype"]]).newbyteorder("<"))
            if array.size != int(np.prod(spec["shape"])):
                raise Refused("bad_input", "input %s has %d elements, the model takes shape %s"
                              % (name, array.size, spec["shape"]))
            arrays.append(array.reshape(spec["shape"]).astype(NUMPY[spec["dtype"]]))
        inputs = ann.make_input_tensors(self.inputs, arrays)
        outputs = ann.make_output_tensors(self.outputs)
        self.runtime.EnqueueWorkload(self.network_id, inputs, outputs)
        results = ann.workload_tensors_to_ndarray(outputs)
        described = []
        chunks = []
        for name, binding, value in zip(self.output_names, self.outputs, results):
            spec = self.describe(name, binding)
            raw = np.ascontiguousarray(value, dtype=np.dtype(NUMPY[spec["dtype"]]).newbyteorder("<")).tobytes()
            spec["bytes"] = len(raw)
            described.append(spec)
            chunks.append(raw)
        return described, b"".join(chunks)

    def close(self):
        self.runtime.UnloadNetwork(self.network_id)


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--backends", default="CpuAcc,CpuRef",
                      help="Arm NN backends in order of preference; those the device lacks are skipped")
    args.add_argument("--max-frame-mb", type=int, default=16)
    options = args.parse_args()
    max_frame = options.max_frame_mb * 1024 * 1024

    runtime = ann.IRuntime(ann.CreationOptions())
    available = [str(b) for b in runtime.GetDeviceSpec().GetSupportedBackends()] \
        if hasattr(runtime.GetDeviceSpec(), "GetSupportedBackends") else []
    wanted = [b.strip() for b in options.backends.split(",") if b.strip()]
    usable = [b for b in wanted if not available or b in available]
    if not usable:
        print("none of the backends %s is available here (available: %s)" % (wanted, available), file=sys.stderr)
        return 3
    backends = [ann.BackendId(b) for b in usable]
    write_frame({"type": "hello", "protocol": PROTOCOL, "runtime": "armnn", "version": ann.GetVersion(),
                 "backends": usable, "formats": ["tflite"], "maxFrameBytes": max_frame})

    models = {}
    next_model = 1
    while True:
        try:
            header, body = read_frame(max_frame)
        except Refused as e:
            write_frame({"type": "error", "id": None, "code": e.code, "message": e.message})
            return 2
        if header is None:
            return 0
        kind = header.get("type")
        request = header.get("id")
        try:
            if kind == "shutdown":
                return 0
            elif kind == "ping":
                write_frame({"type": "pong", "id": request, "models": len(models)})
            elif kind == "load":
                if isinstance(header.get("maxFrameBytes"), int) and header["maxFrameBytes"] > 0:
                    ANSWER_LIMIT[0] = min(max_frame, header["maxFrameBytes"])
                # "threads" is not applied: this binding has no per-network thread setting.
                try:
                    model = Model(runtime, backends, header["path"])
                except Refused:
                    raise
                except Exception as e:  # Arm NN raises RuntimeError subclasses naming the problem
                    raise Refused("load_failed", "%s: %s" % (type(e).__name__, e))
                try:
                    inputs, outputs = model.signature()
                except Refused:
                    model.close()  # loaded into Arm NN already: free it before refusing
                    raise
                model_id = "m%d" % next_model
                next_model += 1
                models[model_id] = model
                write_frame({"type": "loaded", "id": request, "model": model_id, "inputs": inputs, "outputs": outputs})
            elif kind == "run":
                model = models.get(header.get("model"))
                if model is None:
                    raise Refused("unknown_model", "no model %s is loaded" % header.get("model"))
                try:
                    tensors, out = model.run(header.get("tensors", []), body)
                except Refused:
                    raise
                except Exception as e:
                    raise Refused("run_failed", "%s: %s" % (type(e).__name__, e))
                write_frame({"type": "result", "id": request, "tensors": tensors}, out)
            elif kind == "unload":
                model = models.pop(header.get("model"), None)
                if model is not None:
                    model.close()
                write_frame({"type": "unloaded", "id": request})
            else:
                raise Refused("unsupported", "unknown request type %r" % kind)
        except Refused as e:
            write_frame({"type": "error", "id": request, "code": e.code, "message": e.message})


if __name__ == "__main__":
    sys.exit(main())
