"""The seed's parquet_data_manager, SafeWriteManager and its four remedies, in pandas + pyarrow.

Written the way the seed's analysis shows its code (``df.to_parquet(path)``, ``incremental/{process_id}_
{timestamp}.parquet``, ``with self.acquire_lock():``, ``sqlite3.connect('queue.db')``, ``smart_append``),
with one switch where the seed's way and the careful way differ:

* ``publish="inplace"``: ``df.to_parquet(path)`` straight over the file, as the seed saves. The file is
  truncated first: a process that dies while writing leaves a torn file, and every row that was in it
  (acked long ago) with it.
* ``publish="atomic"``: the SafeWriteManager's "temporary file for transactional protection", done
  fully: temp file in the same folder -> fsync -> os.replace -> fsync of the folder (the kit's
  atomic_path).

Every read-modify-write keeps each ``id`` once, so a record retried after a crash is stored once.
The crash points marked here are listed in POINTS (the manifests declare them).
"""

import glob
import json
import os
import sqlite3
from datetime import datetime

import pandas as pd

import parquet_chaos_kit as kit
from file_lock_manager import FileLockManager

MAIN_FILE = "main.parquet"
POINTS = {
    # after main was read, before it is written (the read-modify-write's window)
    "main": ["main:read"],
    # the new file is open for writing, no byte written yet (atomic: the temp file; inplace: main
    # itself, truncated: every row it held is gone until the write completes)
    # and (atomic only) the temp file is written and fsynced, not yet renamed over main
    "publish": ["main:writing", "publish:temp-written"],
    "merge": ["merge:inputs-read", "merge:main-published", "merge:input-deleted"],
    "consume": ["consume:claimed", "consume:main-published", "consume:batch-done"],
    "reconcile": ["reconcile:main-written"],
}


class SafeWriteManager:
    """``with SafeWriteManager(path, publish) as target: df.to_parquet(target)``."""

    def __init__(self, path: str, publish: str):
        if publish not in ("atomic", "inplace"):
            raise ValueError(f"publish must be atomic or inplace, got {publish!r}")
        self.path, self.publish = path, publish

    def write(self, df: pd.DataFrame) -> None:
        if self.publish == "inplace":
            # What df.to_parquet(path) does: open (truncating) and write; the point sits in between.
            with open(self.path, "wb") as f:
                kit.point("main:writing")
                df.to_parquet(f)
            return
        with kit.atomic_path(self.path) as temp:
            with open(temp, "wb") as f:
                kit.point("main:writing")
                df.to_parquet(f)
            kit.point("publish:temp-written")


def records_frame(records) -> pd.DataFrame:
    return pd.DataFrame(list(records))


def new_rows(existing: pd.DataFrame, incoming: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``incoming`` whose id is neither in ``existing`` nor earlier in ``incoming``."""
    seen = set(existing["id"]) if len(existing) else set()
    incoming = incoming.drop_duplicates(subset="id", keep="first")
    return incoming[~incoming["id"].isin(seen)]


class ParquetDataManager:
    def __init__(self, ctx: kit.Context, publish: str = "atomic", lock_timeout: float = 30.0):
        self.ctx = ctx
        self.data_dir = ctx.data_dir
        # The seed: self.process_id = f"{os.getpid()}_{datetime.now().strftime('%Y%m%d_%H%M%S')}"
        self.process_id = ctx.process_id
        self.main_file = os.path.join(self.data_dir, MAIN_FILE)
        self.incremental_dir = os.path.join(self.data_dir, "incremental")
        self.fallback_dir = os.path.join(self.data_dir, "fallback")
        self.queue_db = os.path.join(ctx.state_dir, "queue.db")
        self.publish = publish
        self.file_lock = FileLockManager(os.path.join(ctx.state_dir, "main.lock"), lock_timeout)

    # ---- the main file -------------------------------------------------------------------------

    def load_main(self) -> pd.DataFrame:
        if not os.path.exists(self.main_file):
            return pd.DataFrame()
        return pd.read_parquet(self.main_file)

    def write_main(self, df: pd.DataFrame) -> None:
        SafeWriteManager(self.main_file, self.publish).write(df)

    def merge_into_main(self, incoming: pd.DataFrame) -> int:
        """Read-modify-write of main (the caller holds the lock): adds the rows main lacks; how many."""
        existing = self.load_main()
        kit.point("main:read")
        fresh = new_rows(existing, incoming)
        if len(fresh):
            self.write_main(pd.concat([existing, fresh], ignore_index=True) if len(existing) else fresh.reset_index(drop=True))
        return len(fresh)

    def save_realtime(self, test_result: dict, lock: bool = True) -> None:
        """The seed's real-time save: every result straight into main, under the 30 s fcntl lock
        (``lock=False``: without it, the seed's scenario 1: B overwrites A's update)."""
        if not lock:
            self.merge_into_main(records_frame([test_result]))
            return
        with self.file_lock.acquire_lock():
            self.merge_into_main(records_frame([test_result]))

    # ---- remedy 1: checkpoint every N tests, batch commit -------------------------------------

    def commit_batch(self, test_results: list) -> None:
        with self.file_lock.acquire_lock():
            self.merge_into_main(records_frame(test_results))

    # ---- remedy 2: one incremental file per test, merged by another process -------------------

    def save_incremental(self, test_result: dict) -> None:
        timestamp = datetime.now().strftime("%Y%m%d_%H%M%S_%f")
        filename = os.path.join(self.incremental_dir, f"{self.process_id}_{timestamp}.parquet")
        df = pd.DataFrame([test_result])
        if self.publish == "inplace":
            df.to_parquet(filename)
        else:
            with kit.atomic_path(filename) as temp:
                df.to_parquet(temp)

    def incremental_files(self) -> list:
        return sorted(glob.glob(os.path.join(self.incremental_dir, "*.parquet")))

    def merge_incremental(self, merge: str) -> int:
        """One fold of incremental/ into main; how many files it merged. ``merge="naive"`` is the seed's
        scenario 2: after merging it lists the folder again and cleans up everything there, including
        files written meanwhile that were never merged. ``safe`` deletes only the files it read."""
        with self.file_lock.acquire_lock():
            files = self.incremental_files()
            if not files:
                return 0
            frames, read = [], []
            for path in files:
                try:
                    frames.append(pd.read_parquet(path))
                    read.append(path)
                except Exception as error:  # noqa: BLE001 - still being written (in place): next round
                    kit.log(f"merge: skipped unreadable {os.path.basename(path)}: {error}")
            kit.point("merge:inputs-read")
            if frames:
                self.merge_into_main(pd.concat(frames, ignore_index=True))
            kit.point("merge:main-published")
            doomed = read if merge == "safe" else self.incremental_files()
            for path in doomed:
                os.remove(path)
                kit.point("merge:input-deleted")
            return len(read)

    # ---- remedy 3: a sqlite3 queue, consumed by a background process --------------------------

    def create_queue(self) -> None:
        with sqlite3.connect(self.queue_db, timeout=30) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS queue (data TEXT)")
        conn.close()

    def queue_result(self, test_result: dict) -> None:
        conn = sqlite3.connect(self.queue_db, timeout=30)
        try:
            # `with conn` commits (fsynced: journal_mode DELETE, synchronous FULL) or rolls back.
            with conn:
                conn.execute("INSERT INTO queue VALUES (?)", [json.dumps(test_result)])
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                # Rolled back by `with conn`: the row was not queued.
                raise kit.DefinitelyNotSaved(f"queue: {error}") from error
            raise
        finally:
            conn.close()

    def consume_queue(self, batch: int) -> int:
        """Moves up to ``batch`` queued results into main; how many rows it took off the queue.
        Main is published before the rows are deleted: a consumer that dies in between finds the
        same rows again, and the id check keeps them once."""
        conn = sqlite3.connect(self.queue_db, timeout=30)
        try:
            rows = conn.execute("SELECT rowid, data FROM queue ORDER BY rowid LIMIT ?", [batch]).fetchall()
            if not rows:
                return 0
            kit.point("consume:claimed")
            with self.file_lock.acquire_lock():
                self.merge_into_main(records_frame(json.loads(data) for _, data in rows))
            kit.point("consume:main-published")
            with conn:
                conn.executemany("DELETE FROM queue WHERE rowid = ?", [(rowid,) for rowid, _ in rows])
            kit.point("consume:batch-done")
            return len(rows)
        finally:
            conn.close()

    # ---- remedy 4: smart lock upgrade --------------------------------------------------------

    def append_summary_record(self, data: dict) -> None:
        self.merge_into_main(records_frame([data]))

    def write_to_fallback(self, data: dict) -> str:
        path = os.path.join(self.fallback_dir, f"{self.process_id}_{data['seq']}.parquet")
        with kit.atomic_path(path) as temp:
            pd.DataFrame([data]).to_parquet(temp)
        return path

    def smart_append(self, data: dict, timeout: float, max_retries: int = 3) -> bool:
        """The seed's smart_append; True when the record went to main, False to the fallback folder."""
        for i in range(max_retries):
            try:
                with self.file_lock.acquire_lock(timeout=timeout):
                    self.append_summary_record(data)
                    return True
            except TimeoutError:
                if i == max_retries - 1:
                    self.write_to_fallback(data)
        return False

    def reconcile_fallbacks(self) -> int:
        """Folds every fallback file into main (main first, then the files are deleted: a crash in
        between leaves rows twice, and running it again removes the copies)."""
        files = sorted(glob.glob(os.path.join(self.fallback_dir, "*.parquet")))
        if not files:
            return 0
        with self.file_lock.acquire_lock():
            self.merge_into_main(pd.concat([pd.read_parquet(f) for f in files], ignore_index=True))
            kit.point("reconcile:main-written")
            for path in files:
                os.remove(path)
            kit.fsync_dir(self.fallback_dir)
        return len(files)
