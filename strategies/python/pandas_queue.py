"""pandas-queue: the seed's remedy 3. A writer inserts each result into a sqlite3 queue
(state/queue.db, ``INSERT INTO queue VALUES (?)`` with the result as JSON); a background consumer moves
queued results into data/main.parquet in batches and deletes them from the queue. One program for the
writer, consumer and finalize roles."""

import parquet_chaos_kit as kit
from parquet_data_manager import POINTS, ParquetDataManager

ctx = kit.init()
manager = ParquetDataManager(ctx)
batch = int(ctx.options.get("batch", 50))
consumer_points = POINTS["main"] + POINTS["publish"] + POINTS["consume"]


def drain() -> None:
    manager.create_queue()
    while manager.consume_queue(batch):
        pass


if ctx.role == "writer":
    kit.run_writer(manager.queue_result, setup=manager.create_queue)
elif ctx.role == "consumer":
    manager.create_queue()
    kit.run_background(drain, every_s=int(ctx.options.get("consumeEveryMs", 100)) / 1000, points=consumer_points)
else:
    kit.run_finalize(drain, points=consumer_points)
