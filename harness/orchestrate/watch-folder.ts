import { watch, type FSWatcher } from 'node:fs';

/** Calls `onChange` whenever something in `dir` changes (inotify), and every `safetyMs` in case an event is missed. */
export function watchFolder(dir: string, onChange: () => void, safetyMs: number): { active: boolean; stop(): void } {
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, onChange);
  } catch {
    // No inotify (or the folder is gone): the poll alone still works.
  }
  const poll = setInterval(onChange, safetyMs);
  const handle = {
    active: true,
    stop() {
      handle.active = false;
      clearInterval(poll);
      watcher?.close();
    },
  };
  return handle;
}
