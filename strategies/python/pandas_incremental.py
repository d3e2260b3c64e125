"""pandas-incremental: the seed's remedy 2. Every result is its own file
data/incremental/{process_id}_{timestamp}.parquet (``df.to_parquet(filename)``); a merger process lists
the folder, merges the files into data/main.parquet and deletes them. ``merge=naive`` cleans up by
listing again after merging (the seed's scenario 2: files written meanwhile are deleted unmerged);
``merge=safe`` (default) deletes only what it merged. One program for the writer, merger and finalize roles."""

import parquet_chaos_kit as kit
from parquet_data_manager import POINTS, ParquetDataManager

ctx = kit.init()
options = ctx.options
manager = ParquetDataManager(ctx, publish=options.get("publish", "atomic"))
merge = options.get("merge", "safe")


def recover() -> None:
    kit.durable_makedirs(manager.incremental_dir)
    # Nothing else runs now: a temp file left is a dead process's.
    kit.remove_stale_temps(manager.incremental_dir)
    kit.remove_stale_temps(manager.data_dir)
    manager.merge_incremental(merge)


if ctx.role == "writer":
    kit.run_writer(manager.save_incremental, setup=lambda: kit.durable_makedirs(manager.incremental_dir))
elif ctx.role == "merger":
    kit.durable_makedirs(manager.incremental_dir)
    kit.run_background(lambda: manager.merge_incremental(merge), every_s=int(options.get("mergeEveryMs", 200)) / 1000,
                       points=POINTS["main"] + POINTS["publish"] + POINTS["merge"])
else:
    kit.run_finalize(recover, points=POINTS["main"] + POINTS["publish"] + POINTS["merge"])
