"""Writer protocol 1 through the Python kit, saving nothing: every record acked at once (bench's protocol part)."""

import parquet_chaos_kit as kit

kit.init()
kit.run_writer(lambda record: None)
