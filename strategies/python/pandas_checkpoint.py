"""pandas-checkpoint: the seed's remedy 1 (``--checkpoint-interval N --batch-commit``). Each writer keeps
its results in memory and commits every ``interval`` of them to data/main.parquet in one locked
read-modify-write; a result is acked only once its checkpoint is committed."""

import parquet_chaos_kit as kit
from parquet_data_manager import POINTS, ParquetDataManager

ctx = kit.init()
manager = ParquetDataManager(ctx, publish=ctx.options.get("publish", "atomic"))
interval = int(ctx.options.get("interval", 5))
buffer = []


def checkpoint() -> list:
    if not buffer:
        return []
    try:
        manager.commit_batch(buffer)
    except Exception as error:  # noqa: BLE001 - the batch stays buffered and is committed next time
        kit.log(f"checkpoint of {len(buffer)} results failed, kept for the next one: {error}")
        kit.count("checkpointFailures")
        return []
    ids = [record["id"] for record in buffer]
    buffer.clear()
    return ids


def save(record: dict) -> list:
    buffer.append(record)
    return checkpoint() if len(buffer) >= interval else []


def close() -> list:
    ids = checkpoint()
    if buffer:
        raise RuntimeError(f"{len(buffer)} buffered results could not be committed at close")
    return ids


kit.run_writer(save, close=close, points=POINTS["main"] + POINTS["publish"])
