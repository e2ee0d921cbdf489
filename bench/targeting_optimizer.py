"""Time the targeting optimiser on 1.5 million workers, 2 sources and 21 kecamatan with quotas.

    uv run python bench/targeting_optimizer.py [workers] [--apbdes]

A seeded instance built with Polars only: apbd is open to everyone, dbhcht to the ~20% of
workers who work with tobacco; priorities 0-1,000,000 (mostly distinct), every kecamatan has a
minimum and a maximum. Prints the time to build the instance and to optimise it (grouping with
Polars included) and the size of the answer.

With --apbdes the second source is APBDes instead, open to everyone and reducible under
PP 50/2025: ~8% of the workers are transport workers (ojek, sopir), whom it pays 100.800 a year
instead of 126.000 (fiscal year 2026), so the optimizer searches the split of its budget.
"""

import platform
import sys
import time

import polars as pl

from lindung.targeting.optimizer import Quota, Source, optimize

SEED = 20240528
KECAMATAN = [f"K{i:02d}" for i in range(21)]


def _instance(n: int) -> pl.DataFrame:
    ids = pl.int_range(n, dtype=pl.Int64, eager=True)
    frame = pl.DataFrame({"worker_id": ids + 1_000_000})
    return frame.with_columns(
        pl.col("worker_id").hash(SEED).mod(1_000_001).cast(pl.Int64).alias("priority"),
        pl.col("worker_id")
        .hash(SEED + 1)
        .mod(len(KECAMATAN))
        .cast(pl.Int64)
        .replace_strict(list(range(len(KECAMATAN))), KECAMATAN, return_dtype=pl.String)
        .alias("kecamatan"),
        pl.when(pl.col("worker_id").hash(SEED + 2).mod(100) < 20)
        .then(pl.lit(["apbd", "dbhcht"], dtype=pl.List(pl.String)))
        .otherwise(pl.lit(["apbd"], dtype=pl.List(pl.String)))
        .alias("eligible"),
        (pl.col("worker_id").hash(SEED + 3).mod(100) < 8).alias("transport"),
    )


def main() -> None:
    numbers = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(numbers[0]) if numbers else 1_500_000
    apbdes = "--apbdes" in sys.argv
    started = time.perf_counter()
    workers = _instance(n)
    if apbdes:
        workers = workers.with_columns(
            pl.col("eligible").list.eval(pl.element().replace("dbhcht", "apbdes"))
        ).with_columns(
            pl.when(pl.col("eligible").list.len() == 1)
            .then(pl.lit(["apbd", "apbdes"], dtype=pl.List(pl.String)))
            .otherwise(pl.col("eligible"))
            .alias("eligible")
        )
    built = time.perf_counter() - started
    per = n // len(KECAMATAN)
    quotas = [
        Quota(k, minimum=per // 20, maximum=per // 10 + 400 * i) for i, k in enumerate(KECAMATAN)
    ]
    sources = [
        Source("apbd", budget=150_000 * 403_200, cost=403_200),  # 150.000 workers
        Source("dbhcht", budget=20_160_000_000, cost=201_600),  # 100.000 workers
    ]
    if apbdes:  # 50.000 workers of other sectors, or up to 62.500 transport workers: it binds
        sources[1] = Source("apbdes", budget=6_300_000_000, cost=126_000, transport_cost=100_800)
    started = time.perf_counter()
    solution = optimize(workers, sources, quotas)
    solved = time.perf_counter() - started
    started = time.perf_counter()
    explanations = solution.explanations()
    explained = time.perf_counter() - started
    print(f"{platform.processor() or platform.machine()}, Polars {pl.__version__}")
    print(f"{n:,} workers, {len(sources)} sources ({', '.join(s.code for s in sources)}), "
          f"{len(quotas)} kecamatan quotas")  # fmt: skip
    print(f"build instance   {built:6.2f} s")
    print(f"optimize         {solved:6.2f} s  ({solution.assignment.height:,} covered)")
    print(f"explanations     {explained:6.2f} s  ({explanations.height:,} rows)")
    print(f"objective {solution.objective:,}, optimal={solution.optimal}, gap={solution.gap}")
    print(solution.per_source)


if __name__ == "__main__":
    main()
