#!/usr/bin/env python3
"""Markdown tables from `bench_kernels --benchmark_out=FILE --benchmark_out_format=json`.

With --benchmark_repetitions=N, or several files (runs at different times), the fastest run of
each benchmark is shown: the least disturbed one on a shared machine.

    kernels_table.py run1.json [run2.json ...]
"""
import json
import re
import sys


def main(paths):
    runs = [r for p in paths for r in json.load(open(p))["benchmarks"]]
    by = {}
    for r in runs:
        if r.get("error_occurred") or r.get("run_type") == "aggregate":
            continue
        name = re.sub(r"/(min_time:[0-9.]+|iterations:\d+|repeats:\d+|real_time)", "",
                      r.get("run_name", r["name"]))
        if name not in by or r["real_time"] < by[name]["real_time"]:
            by[name] = r

    def ms(r):
        return r["real_time"] * {"ms": 1, "us": 1e-3, "ns": 1e-6, "s": 1e3}[r["time_unit"]]

    print("| shape [N x K] | M | bf16 oneDNN ms (GB/s) | bf16 gemv ms (GB/s) | f32 oneDNN ms (GB/s) "
          "| f32 gemv ms (GB/s) | bf16 oneDNN GFLOP/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    shapes = []
    for n in by:
        m = re.match(r"matmul/([^/]+)/", n)
        if m and m.group(1) not in shapes:
            shapes.append(m.group(1))
    for s in shapes:
        for M in (1, 8, 64, 512):
            cells = []
            for dt in ("bf16", "f32"):
                for path in ("dnnl", "gemv"):
                    r = by.get(f"matmul/{s}/{dt}/{path}/M:{M}")
                    cells.append(f"{ms(r):.3f} ({r['GB/s']:.1f})" if r else "-")
            r = by.get(f"matmul/{s}/bf16/dnnl/M:{M}")
            cells.append(f"{r['GFLOP/s']:.0f}" if r else "-")
            print(f"| {s} | {M} | " + " | ".join(cells) + " |")
    print()
    print("| benchmark | time | rate |")
    print("|---|---:|---:|")
    for n, r in by.items():
        if n.startswith("matmul/"):
            continue
        rates = [f"{k} {r[k]:.2f}" for k in ("GB/s", "KV_GB/s", "GFLOP/s") if k in r]
        if "items_per_second" in r:
            rates.append(f"{r['items_per_second']:.0f} tok/s")
        print(f"| {n} | {r['real_time']:.3g} {r['time_unit']} | {', '.join(rates)} |")


if __name__ == "__main__":
    main(sys.argv[1:])
