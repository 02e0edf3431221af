"""`make bench`: one table, every figure measured in this run, Herald beside its baseline."""

from __future__ import annotations

import math
import os
import platform
import sys
import time
from datetime import UTC, datetime

from bench import analytics_collection, cold_start, costs, lambda_like, lifecycle, text_counting, throughput
from bench.stats import median_ms, spread_ms

GOALS = {"api": 1.5, "publish": 1.3}
THROUGHPUT_POSTS = int(os.environ.get("HERALD_BENCH_POSTS") or 1000)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def section(self, title: str) -> None:
        self.rows.append((title,))

    def row(self, name: str, herald: str, baseline: str = "", ratio: str = "", goal: str = "") -> None:
        self.rows.append((name, herald, baseline, ratio, goal))

    def print(self) -> None:
        header = ("measure", "Herald", "baseline", "ratio", "goal")
        widths = [max(len(r[i]) for r in [header, *[r for r in self.rows if len(r) > 1]]) for i in range(5)]
        line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
        print(line)
        print("  ".join("-" * w for w in widths))
        for r in self.rows:
            if len(r) == 1:
                print(f"\n{r[0]}")
            else:
                print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def _ms(samples: list[float]) -> str:
    return f"{median_ms(samples):.0f} ms [{spread_ms(samples)}]"


def _ratio(herald: list[float], raw: list[float]) -> float:
    return median_ms(herald) / median_ms(raw)


def _goal(ratio: float, goal: float | None) -> str:
    if goal is None:
        return ""
    return f"<= {goal:.1f}x " + ("met" if ratio <= goal else "MISSED")


def _calls(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name.split(':')[1]}" for name, n in sorted(counts.items()))


def main() -> int:
    started = time.perf_counter()
    # The table is the output: the functions' INFO lines and metrics would bury it.
    os.environ.update({"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"})
    print(f"Herald benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC - Python {platform.python_version()} on "
          f"{platform.machine()}, {os.cpu_count()} CPUs; medians, ranges in brackets", flush=True)
    _progress("building the Lambda-like package folders (.bench/)...")
    lambda_like.prepare(arm64=True)
    _progress("cold starts: fresh processes, one event each, against boto3 making the same calls...")
    cold = cold_start.measure()
    _progress("handler times and AWS calls of a post's lifecycle (moto server, in-process)...")
    steps = lifecycle.measure()
    _progress("collecting the metrics of 1,000 test-mode posts (moto server)...")
    collected = analytics_collection.measure()
    _progress("counting adversarial 100,000-character texts...")
    counted = text_counting.measure()
    _progress(f"throughput: {THROUGHPUT_POSTS} posts due the same minute through the local cloud...")
    flow = throughput.measure(THROUGHPUT_POSTS)

    table = Table()
    table.section("Cold start: fresh process, import + one typical event (boto3 baseline: same clients, same calls)")
    for name, result in cold.items():
        ratio = _ratio(result["herald"], result["raw"])
        table.row(f"{name} ({len(result['calls'])} AWS calls)", _ms(result["herald"]), _ms(result["raw"]),
                  f"{ratio:.2f}x", _goal(ratio, GOALS.get(name)))
    table.section("Handler time, warm, in-process vs the raw AWS calls it makes (moto server)")
    for name, times in steps["times"].items():
        ratio = _ratio(times["handler"], times["raw"])
        table.row(name, f"{median_ms(times['handler']):.1f} ms", f"{median_ms(times['raw']):.1f} ms", f"{ratio:.2f}x")

    phases = steps["phases"]
    one, three = phases["publish"], phases["publish_three"]
    per_target = {k: (three.counts()[k] - one.counts()[k]) / 2 for k in three.counts()}
    table.section("AWS calls per post lifecycle (botocore events; DynamoDB capacity from item sizes)")
    table.row("create (scheduled, 1 target)", _calls(phases["create"].counts()),
              f"{phases['create'].wru:.0f} WRU, {phases['create'].rru:.0f} RRU")
    table.row("publish, 1 target", _calls(one.counts()), f"{one.wru:.0f} WRU, {one.rru:.0f} RRU")
    table.row("publish, each further target", _calls({k: v for k, v in per_target.items() if v}),  # type: ignore[arg-type]
              f"{(three.wru - one.wru) / 2:.0f} WRU, {(three.rru - one.rru) / 2:.0f} RRU")
    first = collected["first_message"]
    wru_per_snapshot = first.wru / max(1, collected["snapshots"])
    table.row(f"analytics, one message ({collected['snapshots']} snapshots)", _calls(first.counts()),
              f"{wru_per_snapshot:.1f} WRU/snapshot, {first.rru:.0f} RRU")
    table.row("get / list (20)", f"{len(phases['get'].calls)} / {len(phases['list'].calls)} calls",
              f"{phases['get'].rru:.0f} / {phases['list'].rru:.0f} RRU")

    table.section("Network calls per analytics collection")
    table.row(f"metrics of {collected['posts']} posts on {collected['accounts']} accounts",
              f"{collected['metric_calls']} calls", f"{collected['minimum_calls']} = ceil(posts/batch)",
              f"{collected['metric_calls'] / collected['minimum_calls']:.2f}x")
    table.row("follower counts", f"{collected['identity_calls']} calls", f"{collected['accounts']} accounts")

    create_seconds = median_ms(steps["times"]["create"]["handler"]) / 1000
    publish_seconds = median_ms(steps["times"]["publish"]["handler"]) / 1000
    lines = costs.estimate(
        {"seconds": create_seconds, "wru": phases["create"].wru, "rru": phases["create"].rru, "kms": 0},
        {"seconds": publish_seconds, "wru": one.wru, "rru": one.rru, "kms": one.counts()["kms:Decrypt"]},
        {"messages_per_post": collected["messages"] / collected["posts"], "wru_per_snapshot": wru_per_snapshot,
         "rru_per_message": first.rru, "kms_per_message": first.counts()["kms:Decrypt"]},
    )
    table.section("Estimated AWS cost per 1M posts, 1 target each (list prices: bench/costs.py)")
    for line in lines:
        unit = costs.PRICES[line.price][0]
        table.row(line.name, f"${line.per_million:,.2f}", f"{line.per_post:.3g} {unit}/post", "", line.note)
    table.row("total", f"${sum(line.per_million for line in lines):,.2f}", "", "", "before free tiers")

    table.section("Package size (unzipped; the layer as built for arm64 by layers/herald/Makefile)")
    layer = lambda_like.size_bytes(lambda_like.ARM64)
    for name in sorted(p.name for p in (lambda_like.ROOT / "functions").iterdir() if p.is_dir()):
        code = lambda_like.size_bytes(lambda_like.ROOT / "functions" / name)
        table.row(name, f"{(layer + code) / 1e6:.1f} MB", f"code {code / 1e3:.1f} kB + layer", "", "<= 250 MB")

    lags = flow["lags"]
    table.section(f"Throughput: {flow['posts']} posts ({flow['targets']} targets) due the same minute, local cloud")
    for p in (50, 90, 99):
        table.row(f"lag p{p}, scheduled -> published", f"{throughput.percentile(lags, p):.2f} s")
    table.row("lag min / max", f"{min(lags):.2f} s / {max(lags):.2f} s", "", "", "min >= 0 (never early)")
    table.row("wall, due minute -> last published", f"{flow['wall_seconds']:.1f} s")
    table.row("published / left waiting", f"{flow['published_targets']} of {flow['targets']} targets / "
              f"{flow['left_waiting']} posts", "", "", "all / 0")
    table.row("targets published twice", f"{flow['published_twice']} ({flow['create_calls']} network creates)",
              "", "", "0")

    table.section("Text")
    table.row("slowest count of a hostile 100k-char text", f"{max(counted) * 1000:.0f} ms")
    print()
    table.print()
    print(f"\n(bench ran {math.ceil((time.perf_counter() - started) / 60)} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
