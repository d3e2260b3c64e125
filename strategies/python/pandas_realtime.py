"""pandas-realtime: the seed's real-time save. Every result is read-modify-written into
data/main.parquet under an fcntl lock (30 s timeout; ``lock=none``: without one, the seed's scenario 1);
``publish=inplace`` saves it with ``df.to_parquet(main)`` over the file as the seed does,
``publish=atomic`` (default) through a temp file."""

import parquet_chaos_kit as kit
from parquet_data_manager import POINTS, ParquetDataManager

ctx = kit.init()
manager = ParquetDataManager(ctx, publish=ctx.options.get("publish", "atomic"))

locked = ctx.options.get("lock", "fcntl") == "fcntl"

kit.run_writer(lambda record: manager.save_realtime(record, lock=locked), points=POINTS["main"] + POINTS["publish"])
