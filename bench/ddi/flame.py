"""Flame graphs for run.sh's PROFILE=1, with nothing but python3.

  flame.py jfr RECORDING.json > STACKS.folded     stacks of `jfr print --json --events jdk.ExecutionSample`
  flame.py svg STACKS.folded OUT.svg TITLE        folded stacks (async-profiler's `collapsed` output or
                                                  the above) as an SVG flame graph
  flame.py top STACKS.folded [N]                  the N frames with most samples on top of the stack

Folded stacks: one line per distinct stack, frames root first separated by ';', then a space and
the number of samples. The SVG is static (hover a frame for its name, samples and share).
"""
import html
import json
import sys
import zlib


def jfr_to_folded(path):
    with open(path) as f:
        events = json.load(f)["recording"]["events"]
    counts = {}
    for event in events:
        trace = event["values"].get("stackTrace") or {}
        frames = []
        for frame in reversed(trace.get("frames") or []):
            method = frame["method"]
            frames.append(method["type"]["name"] + "." + method["name"])
        if trace.get("truncated"):
            frames.insert(0, "[truncated]")
        key = ";".join(frames) or "[no stack]"
        counts[key] = counts.get(key, 0) + 1
    for stack, n in sorted(counts.items()):
        print(stack, n)


def read_folded(path):
    root = {"children": {}, "value": 0}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            stack, _, n = line.rpartition(" ")
            n = int(n)
            root["value"] += n
            node = root
            for frame in stack.split(";"):
                node = node["children"].setdefault(frame, {"children": {}, "value": 0})
                node["value"] += n
    return root


def top_self(path, n):
    own, total = {}, 0
    with open(path) as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            leaf = stack.split(";")[-1]
            own[leaf] = own.get(leaf, 0) + int(count)
            total += int(count)
    for leaf, count in sorted(own.items(), key=lambda kv: -kv[1])[:n]:
        print("%5.1f%%  %s" % (count * 100.0 / total, leaf))


def colour(name):
    # Warm colours as usual, stable per name; Java frames a little redder than native ones.
    h = zlib.crc32(name.encode())
    java = "." in name and "::" not in name and not name.startswith("[")
    r = 205 + h % 50
    g = (h >> 8) % (150 if java else 230)
    b = (h >> 16) % 55
    return "rgb(%d,%d,%d)" % (r, g, b)


def to_svg(root, out, title, width=1800, row=16, min_width=0.3):
    total = root["value"] or 1
    rects = []
    depth_max = [0]

    def walk(node, name, x, depth):
        w = node["value"] / total * (width - 20)
        if w < min_width:
            return
        depth_max[0] = max(depth_max[0], depth)
        rects.append((name, x, depth, w, node["value"]))
        cx = x
        for child_name, child in sorted(node["children"].items()):
            walk(child, child_name, cx, depth + 1)
            cx += child["value"] / total * (width - 20)

    walk(root, "all", 10, 0)
    height = (depth_max[0] + 1) * row + 60
    lines = ['<?xml version="1.0" standalone="no"?>',
             '<svg version="1.1" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg" '
             'font-family="Verdana, sans-serif" font-size="11">' % (width, height),
             '<rect x="0" y="0" width="%d" height="%d" fill="#f8f8f8"/>' % (width, height),
             '<text x="%d" y="24" font-size="16" text-anchor="middle">%s</text>' % (width // 2, html.escape(title)),
             '<text x="10" y="44" fill="#555">%d samples; width = share of samples, stacks grow upwards, '
             'hover a frame for its name</text>' % total]
    for name, x, depth, w, value in rects:
        y = height - (depth + 1) * row - 4
        label = "%s (%d samples, %.2f%%)" % (name, value, value * 100.0 / total)
        lines.append('<g><title>%s</title><rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s" rx="2"/>'
                     % (html.escape(label), x, y, w, row - 1, colour(name)))
        chars = int(w / 7)
        if chars >= 3:
            text = name if len(name) <= chars else name[:chars - 2] + ".."
            lines.append('<text x="%.1f" y="%d">%s</text>' % (x + 3, y + row - 4, html.escape(text)))
        lines.append('</g>')
    lines.append('</svg>')
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "jfr":
        jfr_to_folded(sys.argv[2])
    elif sys.argv[1] == "top":
        top_self(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 20)
    elif sys.argv[1] == "svg":
        to_svg(read_folded(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
