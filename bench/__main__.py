"""Print the benchmark table: every figure measured in this one run."""

from __future__ import annotations

import platform
import sys

from bench import analytics_collection, api_create, imports, text_counting
from bench.stats import median_ms, spread_ms


def main() -> int:
    print(f"Herald benchmarks - Python {platform.python_version()} on {platform.machine()}, "
          f"{platform.processor() or 'cpu'}; medians, ranges in brackets", flush=True)
    print("measuring import times (fresh processes)...", file=sys.stderr, flush=True)
    imported = imports.measure()
    print("measuring POST /v1/posts against its raw AWS calls (moto server)...", file=sys.stderr, flush=True)
    created = api_create.measure()
    print("collecting the metrics of 1,000 test-mode posts (moto server)...", file=sys.stderr, flush=True)
    collected = analytics_collection.measure()
    print("counting adversarial 100,000-character texts...", file=sys.stderr, flush=True)
    counted = text_counting.measure()

    baseline = median_ms(imported["import boto3"])
    rows = [("import boto3 alone", f"{baseline:.0f} ms [{spread_ms(imported['import boto3'])}]", "1.00x")]
    for name, samples in imported.items():
        if name != "import boto3":
            ms = median_ms(samples)
            rows.append((f"import {name}/app.py", f"{ms:.0f} ms [{spread_ms(samples)}]", f"{ms / baseline:.2f}x"))
    handler, raw = median_ms(created["handler"]), median_ms(created["raw"])
    rows.append(("raw AWS calls of one create", f"{raw:.1f} ms [{spread_ms(created['raw'])}]", "1.00x"))
    rows.append(("POST /v1/posts in-process", f"{handler:.1f} ms [{spread_ms(created['handler'])}]",
                 f"{handler / raw:.2f}x"))
    rows.append(("slowest count of a hostile 100k-char text", f"{max(counted) * 1000:.0f} ms", "-"))
    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'measure'.ljust(width)}  {'time'.ljust(26)}  ratio")
    print(f"{'-' * width}  {'-' * 26}  -----")
    for name, value, ratio in rows:
        print(f"{name.ljust(width)}  {value.ljust(26)}  {ratio}")
    print()
    print(f"AWS calls per scheduled create: {len(created['calls'])} ({', '.join(created['calls'])})")
    snapshot_writes = collected["writes"].get("TransactWriteItems", 0)
    print(f"Analytics, one collection of {collected['posts']} posts on {collected['accounts']} accounts: "
          f"{collected['messages']} queue messages; {collected['metric_calls']} network calls for metrics "
          f"(minimum ceil(posts/batch) per account: {collected['minimum_calls']}) plus "
          f"{collected['identity_calls']} for follower counts; "
          f"{snapshot_writes / collected['snapshots']:.1f} DynamoDB item writes per snapshot "
          f"(snapshot + tracked target, one transaction; measured on {collected['snapshots']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
