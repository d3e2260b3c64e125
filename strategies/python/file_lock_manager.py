"""The seed's file_lock_manager: an ``fcntl`` lock with a 30 s timeout around writes to the main file.

``with FileLockManager(path).acquire_lock(): ...`` as in the seed's ``with self.acquire_lock():``;
``acquire_lock(timeout=5)`` for remedy 4's short tries. Built on the kit's FileLock, which reports every
wait to the harness (the cell's lock statistics) and raises ``TimeoutError`` (a kit.LockTimeout, so a
write that never got the lock is answered ``fail``: nothing was written).
"""

import parquet_chaos_kit as kit

#: The seed's "30秒超时保护" (30 s timeout protection).
DEFAULT_TIMEOUT_S = 30.0


class FileLockManager:
    def __init__(self, lock_path: str, timeout: float = DEFAULT_TIMEOUT_S, name: str = "main"):
        # The lock file lives in state/, never beside main.parquet: os.replace would swap a locked
        # main for a new, unlocked inode, and two writers would each hold "the" lock.
        self.lock_path = lock_path
        self.timeout = timeout
        self.name = name

    def acquire_lock(self, timeout: float = None) -> kit.FileLock:
        return kit.FileLock(self.lock_path, self.timeout if timeout is None else timeout, self.name)
