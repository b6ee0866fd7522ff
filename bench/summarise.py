#!/usr/bin/env python3
"""Turns herald_extract_bench's JSON output into the Markdown tables of bench/README.md.

    bench/summarise.py results.json

Uses the median aggregates (run with --benchmark_repetitions=N) and CPU time, and counts
MB as 10^6 bytes (Google Benchmark's own "M/s" column is MiB/s).
"""

import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    runs = {}
    for b in data["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        stage, page = b["run_name"].split("/", 1)
        us = b["cpu_time"] * {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[b["time_unit"]]
        runs[(page, stage)] = {"us": us, "bytes": int(b["page_bytes"]), "items": int(b["page_items"])}
    return runs


def mbps(run):
    return run["bytes"] / run["us"]  # bytes per microsecond == MB/s


def main(path):
    runs = load(path)
    pages = list(dict.fromkeys(page for page, _ in runs))

    print("| page | bytes | items | gumbo-only MB/s | full pipeline MB/s | pipeline / gumbo | pipeline items/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for page in pages:
        full = runs[(page, "BM_FullPipeline")]
        gumbo = runs.get((page, "BM_GumboParseOnly"))
        ratio = f"{full['us'] / gumbo['us']:.2f}" if gumbo else "n/a"
        gumbo_mbps = f"{mbps(gumbo):.1f}" if gumbo else "n/a (feed)"
        items_s = full["items"] / full["us"] * 1e6
        print(f"| {page} | {full['bytes']:,} | {full['items']} | {gumbo_mbps} | {mbps(full):.1f} "
              f"| {ratio} | {items_s:,.0f} |")

    print()
    print("Per stage, µs per page (CPU time, median); share of the full pipeline in brackets.")
    print()
    print("| page | decode | gumbo alone | HtmlDocument::parse (gumbo + tree) | tree build (parse − gumbo) "
          "| extract | normalise | full pipeline |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for page in pages:
        full = runs[(page, "BM_FullPipeline")]["us"]

        def cell(stage):
            run = runs.get((page, stage))
            return f"{run['us']:,.0f} ({run['us'] / full:.0%})" if run else "–"

        parse = runs.get((page, "BM_HtmlDocumentParse")) or runs.get((page, "BM_ParseFeed"))
        gumbo = runs.get((page, "BM_GumboParseOnly"))
        tree = f"{parse['us'] - gumbo['us']:,.0f} ({(parse['us'] - gumbo['us']) / full:.0%})" if gumbo else "–"
        parse_cell = f"{parse['us']:,.0f} ({parse['us'] / full:.0%})"
        if not gumbo:
            parse_cell += " parse_feed"
        print(f"| {page} | {cell('BM_Decode')} | {cell('BM_GumboParseOnly')} | {parse_cell} | {tree} "
              f"| {cell('BM_Extract')} | {cell('BM_Normalise')} | {full:,.0f} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
