/*
 * crashfs: the power-loss layer under a cell's data/ and state/ folders (libfuse3, high-level API).
 *
 * It is a plain pass-through to a backing folder that also appends every change it passes on to a
 * journal: creates, writes (with their bytes), truncates, renames, unlinks, mkdirs, rmdirs and the
 * fsyncs of files and folders, in the order it carried them out. It keeps no model of durability
 * itself: after a power loss the harness replays the journal into the simulation's file system
 * (harness/sim/fs.ts) under the named persistence model, so the rules of what an fsync makes durable
 * and what a power loss may keep are written once, in TypeScript, for the simulation and for this
 * layer alike. The daemon runs single-threaded so that the journal's order is the order the
 * operations took effect in the backing folder.
 *
 * Usage: crashfs MOUNTPOINT -o backing=DIR,journal=FILE [libfuse options]
 * Prints "ready" on stdout once the kernel has sent INIT. Dies with its parent (PR_SET_PDEATHSIG);
 * mounted with auto_unmount, so the mount goes when the daemon goes, however it goes.
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <fuse.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <unistd.h>

/* Journal record kinds; harness/fuse/journal.ts reads them. */
enum {
  J_END = 0, J_CREATE = 1, J_OPEN_TRUNC = 2, J_WRITE = 3, J_TRUNCATE = 4, J_RENAME = 5,
  J_UNLINK = 6, J_MKDIR = 7, J_RMDIR = 8, J_FSYNC = 9, J_FSYNCDIR = 10,
};

struct options {
  const char *backing;
  const char *journal;
};
static struct options opts;
static int root_fd = -1;
static FILE *journal;
/* A call id per open file: the writes of one open share it (ext4's replace-by-truncate is per call). */
static uint64_t next_call = 1;
#define MAX_FD 65536
static uint64_t call_of_fd[MAX_FD];

static const struct fuse_opt option_spec[] = {
  { "backing=%s", offsetof(struct options, backing), 1 },
  { "journal=%s", offsetof(struct options, journal), 1 },
  FUSE_OPT_END,
};

/* A FUSE path ("/a/b") relative to the backing folder ("a/b"; "." for the root). */
static const char *rel(const char *path) {
  return path[1] == '\0' ? "." : path + 1;
}

/* libfuse hides a file unlinked or replaced while open under this name until it is closed. */
static int hidden(const char *path) {
  const char *base = strrchr(path, '/');
  return strncmp(base ? base + 1 : path, ".fuse_hidden", 12) == 0;
}

static void put_u32(uint32_t v) { fwrite(&v, sizeof v, 1, journal); }
static void put_u64(uint64_t v) { fwrite(&v, sizeof v, 1, journal); }

/* One record: kind, two numbers, two paths, and data (little-endian, lengths first). */
static void write_record(uint8_t kind, uint64_t a, uint64_t b, const char *p1, const char *p2, const void *data, uint32_t size) {
  uint32_t l1 = p1 ? (uint32_t)strlen(p1) : 0, l2 = p2 ? (uint32_t)strlen(p2) : 0;
  fputc(kind, journal);
  put_u64(a);
  put_u64(b);
  put_u32(l1);
  put_u32(l2);
  put_u32(size);
  if (l1) fwrite(p1, 1, l1, journal);
  if (l2) fwrite(p2, 1, l2, journal);
  if (size) fwrite(data, 1, size, journal);
  if (ferror(journal)) {
    /* A journal that cannot be written makes every later power loss a guess: stop serving. */
    fprintf(stderr, "crashfs: cannot write the journal %s\n", opts.journal);
    fuse_exit(fuse_get_context()->fuse);
  }
}

/*
 * libfuse hides a file instead of unlinking it while it is open, and hides the target of a rename
 * that replaces an open file just before that rename. A hide is journaled as an unlink, except in
 * the second case: there the very next operation is the replacing rename, journaled alone, since
 * on a real file system it is one atomic replacement and no crash can separate its two halves.
 */
static char *pending_hide;

static void flush_hide(void) {
  if (!pending_hide) return;
  write_record(J_UNLINK, 0, 0, pending_hide, NULL, NULL, 0);
  free(pending_hide);
  pending_hide = NULL;
}

static void hide(const char *path) {
  flush_hide();
  pending_hide = strdup(path);
}

static void record(uint8_t kind, uint64_t a, uint64_t b, const char *p1, const char *p2, const void *data, uint32_t size) {
  if (pending_hide && kind == J_RENAME && strcmp(p2, pending_hide) == 0) {
    free(pending_hide);
    pending_hide = NULL;
  }
  flush_hide();
  write_record(kind, a, b, p1, p2, data, size);
}

static int fail(int result) { return result < 0 ? -errno : result; }

static void *cf_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
  /* O_TRUNC arrives with open() instead of as a separate truncate, so it is journaled as part of the open. */
  if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC) conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  cfg->use_ino = 0;
  /* An open file that is unlinked or renamed over is hidden by libfuse (a rename to .fuse_hidden…),
     so that it stays readable and writable by handle as on a real file system; see cf_rename. */
  cfg->hard_remove = 0;
  cfg->nullpath_ok = 0;
  cfg->kernel_cache = 0;
  printf("ready\n");
  fflush(stdout);
  return NULL;
}

static void cf_destroy(void *data) {
  (void)data;
  record(J_END, 0, 0, NULL, NULL, NULL, 0);
  fclose(journal);
  journal = NULL;
}

static int cf_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
  if (fi) return fail(fstat((int)fi->fh, st));
  return fail(fstatat(root_fd, rel(path), st, AT_SYMLINK_NOFOLLOW));
}

static int cf_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t offset, struct fuse_file_info *fi, enum fuse_readdir_flags flags) {
  (void)offset; (void)fi; (void)flags;
  int fd = openat(root_fd, rel(path), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return -errno;
  DIR *dir = fdopendir(fd);
  if (!dir) {
    int e = errno;
    close(fd);
    return -e;
  }
  for (struct dirent *e; (e = readdir(dir)) != NULL;) {
    struct stat st = { .st_ino = e->d_ino, .st_mode = (mode_t)DTTOIF(e->d_type) };
    if (fill(buf, e->d_name, &st, 0, 0)) break;
  }
  closedir(dir);
  return 0;
}

static int cf_mkdir(const char *path, mode_t mode) {
  if (mkdirat(root_fd, rel(path), mode) < 0) return -errno;
  record(J_MKDIR, 0, 0, path, NULL, NULL, 0);
  return 0;
}

static int cf_rmdir(const char *path) {
  if (unlinkat(root_fd, rel(path), AT_REMOVEDIR) < 0) return -errno;
  record(J_RMDIR, 0, 0, path, NULL, NULL, 0);
  return 0;
}

static int cf_unlink(const char *path) {
  if (unlinkat(root_fd, rel(path), 0) < 0) return -errno;
  /* The end of a hidden file: its unlink was journaled when it was hidden. */
  if (!hidden(path)) record(J_UNLINK, 0, 0, path, NULL, NULL, 0);
  return 0;
}

static int cf_rename(const char *from, const char *to, unsigned int flags) {
  /* Exchanges are not in the persistence models: refused rather than journaled wrongly. */
  if (flags & ~RENAME_NOREPLACE) return -EINVAL;
  if (renameat2(root_fd, rel(from), root_fd, rel(to), flags) < 0) return -errno;
  if (hidden(to)) hide(from);
  else record(J_RENAME, 0, 0, from, to, NULL, 0);
  return 0;
}

/* Links and symlinks are not in the persistence models either. */
static int cf_link(const char *from, const char *to) { (void)from; (void)to; return -EPERM; }
static int cf_symlink(const char *from, const char *to) { (void)from; (void)to; return -EPERM; }

static int cf_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
  if (fi) return fail(fchmod((int)fi->fh, mode));
  return fail(fchmodat(root_fd, rel(path), mode, 0));
}

static int cf_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi) {
  if (fi) return fail(fchown((int)fi->fh, uid, gid));
  return fail(fchownat(root_fd, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW));
}

static int cf_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi) {
  if (fi) return fail(futimens((int)fi->fh, tv));
  return fail(utimensat(root_fd, rel(path), tv, AT_SYMLINK_NOFOLLOW));
}

static int cf_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
  if (fi) {
    if (ftruncate((int)fi->fh, size) < 0) return -errno;
  } else {
    int fd = openat(root_fd, rel(path), O_WRONLY);
    if (fd < 0) return -errno;
    int r = ftruncate(fd, size);
    int e = errno;
    close(fd);
    if (r < 0) return -e;
  }
  /* A file unlinked while open has no path: its data no longer matters to any post-crash state. */
  if (!hidden(path)) record(J_TRUNCATE, (uint64_t)size, 0, path, NULL, NULL, 0);
  return 0;
}

static int open_backing(const char *path, int flags, mode_t mode, struct fuse_file_info *fi, int created) {
  /* The kernel gives every write its offset (O_APPEND included): the backing file must not move it. */
  int fd = openat(root_fd, rel(path), flags & ~O_APPEND, mode);
  if (fd < 0) return -errno;
  if (fd >= MAX_FD) {
    close(fd);
    return -EMFILE;
  }
  fi->fh = (uint64_t)fd;
  uint64_t call = next_call++;
  call_of_fd[fd] = call;
  if (created) record(J_CREATE, (uint64_t)flags, call, path, NULL, NULL, 0);
  else if (flags & O_TRUNC) record(J_OPEN_TRUNC, (uint64_t)flags, call, path, NULL, NULL, 0);
  return 0;
}

static int cf_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
  /* The kernel sends create only after a lookup found no such name (or for O_EXCL). */
  struct stat st;
  int existed = fstatat(root_fd, rel(path), &st, AT_SYMLINK_NOFOLLOW) == 0;
  return open_backing(path, fi->flags | O_CREAT, mode, fi, !existed);
}

static int cf_open(const char *path, struct fuse_file_info *fi) {
  return open_backing(path, fi->flags, 0, fi, 0);
}

static int cf_read(const char *path, char *buf, size_t size, off_t offset, struct fuse_file_info *fi) {
  (void)path;
  return fail((int)pread((int)fi->fh, buf, size, offset));
}

static int cf_write(const char *path, const char *buf, size_t size, off_t offset, struct fuse_file_info *fi) {
  ssize_t n = pwrite((int)fi->fh, buf, size, offset);
  if (n < 0) return -errno;
  if (!hidden(path)) record(J_WRITE, (uint64_t)offset, call_of_fd[fi->fh], path, NULL, buf, (uint32_t)n);
  return (int)n;
}

static int cf_statfs(const char *path, struct statvfs *st) {
  (void)path;
  return fail(fstatvfs(root_fd, st));
}

static int cf_release(const char *path, struct fuse_file_info *fi) {
  (void)path;
  close((int)fi->fh);
  return 0;
}

/* fsync and fdatasync alike: the persistence models do not tell them apart. The backing file is
   synced too, so that the layer's cost includes the real device's. */
static int cf_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
  (void)datasync;
  if (fsync((int)fi->fh) < 0) return -errno;
  if (!hidden(path)) record(J_FSYNC, 0, 0, path, NULL, NULL, 0);
  return 0;
}

static int cf_opendir(const char *path, struct fuse_file_info *fi) {
  int fd = openat(root_fd, rel(path), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return -errno;
  if (fd >= MAX_FD) {
    close(fd);
    return -EMFILE;
  }
  fi->fh = (uint64_t)fd;
  return 0;
}

static int cf_releasedir(const char *path, struct fuse_file_info *fi) {
  (void)path;
  close((int)fi->fh);
  return 0;
}

static int cf_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi) {
  (void)datasync;
  if (fsync((int)fi->fh) < 0) return -errno;
  record(J_FSYNCDIR, 0, 0, path, NULL, NULL, 0);
  return 0;
}

static const struct fuse_operations operations = {
  .init = cf_init,
  .destroy = cf_destroy,
  .getattr = cf_getattr,
  .readdir = cf_readdir,
  .mkdir = cf_mkdir,
  .rmdir = cf_rmdir,
  .unlink = cf_unlink,
  .rename = cf_rename,
  .link = cf_link,
  .symlink = cf_symlink,
  .chmod = cf_chmod,
  .chown = cf_chown,
  .utimens = cf_utimens,
  .truncate = cf_truncate,
  .create = cf_create,
  .open = cf_open,
  .read = cf_read,
  .write = cf_write,
  .statfs = cf_statfs,
  .release = cf_release,
  .fsync = cf_fsync,
  .opendir = cf_opendir,
  .releasedir = cf_releasedir,
  .fsyncdir = cf_fsyncdir,
};

int main(int argc, char *argv[]) {
  /* Die with the harness that started us: the auto_unmount helper then takes the mount away. */
  pid_t parent = getppid();
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) return 1;
  struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
  if (fuse_opt_parse(&args, &opts, option_spec, NULL) == -1) return 2;
  if (!opts.backing || !opts.journal) {
    fprintf(stderr, "usage: crashfs MOUNTPOINT -o backing=DIR,journal=FILE\n");
    return 2;
  }
  root_fd = open(opts.backing, O_RDONLY | O_DIRECTORY);
  if (root_fd < 0) {
    perror(opts.backing);
    return 2;
  }
  journal = fopen(opts.journal, "wb");
  if (!journal) {
    perror(opts.journal);
    return 2;
  }
  setvbuf(journal, NULL, _IOFBF, 1 << 20);
  /* The fsname names this daemon, so that a mount whose daemon is gone can be told from a live one. */
  char fsname[64];
  snprintf(fsname, sizeof fsname, "-ofsname=crashfs-%d,subtype=crashfs", (int)getpid());
  if (fuse_opt_add_arg(&args, fsname) == -1) return 2;
  umask(0);
  int status = fuse_main(args.argc, args.argv, &operations, NULL);
  fuse_opt_free_args(&args);
  return status;
}
