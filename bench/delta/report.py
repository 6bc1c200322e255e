"""The tables of bench/delta/README.md from run.sh's raw results (one line of key=value pairs per case):
python3 report.py RESULTS LEVEL BUILD_HEAP APPLY_HEAP. LEVEL picks which of our levels the main tables show;
every level measured is also shown side by side."""
import sys

rows = [dict(kv.split("=", 1) for kv in line.split()) for line in open(sys.argv[1]) if line.strip()]
level, build_heap, apply_heap = sys.argv[2:5]


def pct(r, k): return "—" if r[k] == "-" else f"{100.0 * int(r[k]) / int(r['v2']):.1f} %"
def mb(n): return f"{int(n) / 1e6:.1f} MB"
def mib(kb): return f"{int(kb) / 1024:.0f} MiB"
def tool(r, k): return "not run" if r[k] == "-" else f"{float(r[k + '_s']):.1f} s, {mib(r[k + '_kb'])}"
def secs(ms): return f"{int(ms) / 1000:.1f} s"


def levels(r): return sorted(int(k[len("delta_"):]) for k in r if k.startswith("delta_") and k[len("delta_"):].isdigit())


L = level
def each(k): return "/".join(sorted({r[k] for r in rows}))


xdelta = "/".join(sorted({"-" + r["xdelta_level"] for r in rows if r["xdelta_level"] != "none"}))
print(f"Our encoder at zstd level {L}; zstd at -{each('tool_level')} --long=31; xdelta3 at {xdelta or 'none'}"
      f"{' (not run on some rows)' if any(r['xdelta_level'] == 'none' for r in rows) else ''}; "
      f"models: weights N(0, {each('weight_std')}²), fine-tune noise {each('noise')}; "
      f"encoder JVM -Xmx{build_heap}; applier JVM -Xmx{apply_heap}.\n")
print("| v1 → v2 | v2 | bytes changed | zstd v2 | zstd --patch-from | xdelta3 | **our delta** (method) | our compressed full (method) |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    best = min(int(r[k]) for k in ("patch", "xdelta", "zstd") if r[k] != "-")
    print(f"| {r['case']} | {mb(r['v2'])} | {pct(r, 'changed')} | {pct(r, 'zstd')} | {pct(r, 'patch')} | {pct(r, 'xdelta')} "
          f"| **{pct(r, 'delta_' + L)}** ({r['delta_method_' + L]}; {100.0 * int(r['delta_' + L]) / best:.0f} % of the best generic) "
          f"| {pct(r, 'full_' + L)} ({r['full_method_' + L]}; {100.0 * int(r['full_' + L]) / int(r['zstd']):.0f} % of zstd v2) |")
print()
print("| v1 → v2 | build our delta: time, peak RSS | build our full: time, peak RSS | zstd --patch-from: time, RSS "
      "| xdelta3: time, RSS | zstd v2: time, RSS | apply our delta: time, RSS beyond idle JVM | apply our full: time, "
      "RSS beyond idle | idle JVM RSS |")
print("|---|---|---|---|---|---|---|---|---|")
for r in rows:
    idle = int(r["idle_kb"])
    print(f"| {r['case']} | {secs(r['delta_ms_' + L])}, {mib(r['delta_kb_' + L])} | {secs(r['full_ms_' + L])}, {mib(r['full_kb_' + L])} "
          f"| {tool(r, 'patch')} | {tool(r, 'xdelta')} | {tool(r, 'zstd')} "
          f"| {secs(r['apply_ms_' + L])}, {mib(int(r['apply_kb_' + L]) - idle)} "
          f"| {secs(r['applyfull_ms_' + L])}, {mib(int(r['applyfull_kb_' + L]) - idle)} | {mib(idle)} |")
if any(len(levels(r)) > 1 for r in rows):
    print()
    print("| v1 → v2 | level | our delta | build time, peak RSS | our compressed full | build time, peak RSS |")
    print("|---|---|---|---|---|---|")
    for r in (r for r in rows if len(levels(r)) > 1):
        for lv in levels(r):
            k = str(lv)
            print(f"| {r['case']} | {k} | {pct(r, 'delta_' + k)} ({int(r['delta_' + k]):,} bytes) "
                  f"| {secs(r['delta_ms_' + k])}, {mib(r['delta_kb_' + k])} | {pct(r, 'full_' + k)} ({int(r['full_' + k]):,} bytes) "
                  f"| {secs(r['full_ms_' + k])}, {mib(r['full_kb_' + k])} |")
