"""pandas-smart-append: the seed's remedy 4 (smart lock upgrade). A writer tries the main-file lock
``retries`` times for ``timeoutMs`` each and, holding it, read-modify-writes data/main.parquet; when every
try times out the result goes to its own file under data/fallback/ (acked from there), which finalize
folds into main."""

import parquet_chaos_kit as kit
from parquet_data_manager import POINTS, ParquetDataManager

ctx = kit.init()
manager = ParquetDataManager(ctx)
timeout_s = int(ctx.options.get("timeoutMs", 50)) / 1000
retries = int(ctx.options.get("retries", 3))


def save(record: dict) -> None:
    if not manager.smart_append(record, timeout=timeout_s, max_retries=retries):
        kit.count("fallbacks")
        kit.log(f"fallback {record['id']} after {retries} tries of {timeout_s * 1000:g} ms")


def reconcile() -> None:
    kit.remove_stale_temps(manager.fallback_dir)
    kit.remove_stale_temps(manager.data_dir)
    manager.reconcile_fallbacks()


if ctx.role == "writer":
    kit.run_writer(save, points=POINTS["main"] + POINTS["publish"], setup=lambda: kit.durable_makedirs(manager.fallback_dir))
else:
    kit.run_finalize(reconcile, points=POINTS["main"] + POINTS["publish"] + POINTS["reconcile"])
