/**
 * Small bash programs every driver runs inside a sandbox as root. They need only bash, coreutils and tar,
 * which every Debian (minbase) system has, so the two drivers share one implementation of file transfer and
 * process-tree killing.
 *
 * @module
 */

/**
 * Kills every process of one exec: those carrying `EVALKIT_EXEC=<marker>` in their environment, every member
 * of their sessions (each exec runs in its own session) and every descendant (by parent pid) of those.
 * Kills parents before their children, so no shell runs on after its child's death. Repeats until nothing is
 * left, so processes forked during the sweep are caught too. `$1` is the marker.
 */
export const KILL_TREE_SCRIPT = `
marker="$1"; self=$$
for round in 1 2 3 4 5 6 7 8 9 10; do
  declare -A ppid=() sid=() doomed=() sessions=()
  for d in /proc/[0-9]*; do
    pid=\${d#/proc/}
    [ "$pid" = "$self" ] && continue
    read -r st < "$d/stat" 2>/dev/null || continue
    rest=\${st##*) }
    set -- $rest
    ppid[$pid]=$2; sid[$pid]=$4
    while IFS= read -r -d '' kv; do
      if [ "$kv" = "EVALKIT_EXEC=$marker" ]; then doomed[$pid]=1; break; fi
    done < "$d/environ" 2>/dev/null
  done
  mysid=\${sid[$BASHPID]:-x}
  for pid in "\${!doomed[@]}"; do
    s=\${sid[$pid]}
    if [ "$s" != 0 ] && [ "$s" != "$mysid" ]; then sessions[$s]=1; fi
  done
  for pid in "\${!sid[@]}"; do
    [ -n "\${sessions[\${sid[$pid]}]}" ] && doomed[$pid]=1
  done
  changed=1
  while [ $changed = 1 ]; do
    changed=0
    for pid in "\${!ppid[@]}"; do
      if [ -z "\${doomed[$pid]}" ] && [ -n "\${doomed[\${ppid[$pid]}]}" ]; then doomed[$pid]=1; changed=1; fi
    done
  done
  unset 'doomed[1]' "doomed[$self]"
  [ \${#doomed[@]} = 0 ] && exit 0
  # Parents before children, level by level (builtins only: nothing forks while the process limit may be
  # exhausted): a shell whose child died first could otherwise run on, and print, before its own kill.
  declare -A depth=(); maxd=0
  for pid in "\${!doomed[@]}"; do
    d=0; p=$pid
    while [ -n "\${doomed[\${ppid[$p]:-x}]:-}" ] && [ $d -lt 64 ]; do p=\${ppid[$p]}; d=$((d + 1)); done
    depth[$pid]=$d; [ $d -gt $maxd ] && maxd=$d
  done
  for ((d = 0; d <= maxd; d++)); do
    batch=()
    for pid in "\${!depth[@]}"; do [ "\${depth[$pid]}" = $d ] && batch+=("$pid"); done
    [ \${#batch[@]} -gt 0 ] && kill -9 "\${batch[@]}" 2>/dev/null
  done
  sleep 0.05
  unset ppid sid doomed sessions depth
done
`;

/**
 * Creates the missing parents of `$1` and chowns the new ones to `$2` (uid:gid). Sourced by others; forks
 * nothing when the parent directory exists.
 */
const MAKE_PARENTS = `
make_parents() {
  local x="\${1%/*}"; local created=()
  [ -d "\${x:-/}" ] && return 0
  while [ -n "$x" ] && [ ! -e "$x" ] && [ ! -L "$x" ]; do created=("$x" "\${created[@]}"); x="\${x%/*}"; done
  mkdir -p -- "\${1%/*}"
  if [ \${#created[@]} -gt 0 ]; then chown -h "$2" -- "\${created[@]}"; fi
}
`;

/**
 * Writes stdin to `$1` owned by `$2` (uid:gid) with mode `$3` (octal), as whoever runs it (the agent for
 * agent-owned files, so a link planted in the path gets no more than the agent's rights). The data goes to a
 * fresh temporary file in the same directory, created exclusively (bash's noclobber is `O_EXCL` for a path
 * that does not exist) and then checked through its open descriptor to be a new, empty regular file; owner
 * and mode are set through `/proc/self/fd` (the file just created, not whatever the name points at by then);
 * finally it is renamed over the target, so a symlink planted at the target is replaced, never followed.
 */
export const WRITE_FILE_SCRIPT = MAKE_PARENTS + `
set -e
make_parents "$1" "$2"
tmp="\${1%/*}/.evalkit-write.$$.$RANDOM$RANDOM$RANDOM"
trap 'rm -f -- "$tmp" 2>/dev/null' EXIT
mode=$((8#$3))
# A mode without exec or special bits is given at creation (bash creates with 0666 & ~umask): no chmod.
if [ $((mode & 8#7111)) = 0 ]; then printf -v mask '%o' $((8#666 & ~mode)); umask "$mask"; fi
set -C
exec 3>"$tmp"
set +C
if [ ! -f /proc/self/fd/3 ] || [ -s /proc/self/fd/3 ]; then echo "temporary file $tmp was tampered with" >&2; exit 1; fi
cat >&3
if [ "$EUID:$EUID" != "$2" ]; then chown "$2" /proc/self/fd/3; fi
if [ $((mode & 8#7111)) != 0 ]; then chmod "$3" /proc/self/fd/3; fi
exec 3>&-
mv -fT -- "$tmp" "$1"
trap - EXIT
`;

/**
 * Extracts a tar archive from stdin into directory `$1` (created if missing), everything owned by `$2`. A
 * symlink at `$1` itself is replaced by a fresh directory, never followed. Run as the agent for agent-owned
 * copies, so links inside an existing target get no more than the agent's rights.
 */
export const UNTAR_DIR_SCRIPT = MAKE_PARENTS + `
set -e
make_parents "$1" "$2"
if [ -L "$1" ]; then rm -f -- "$1"; fi
if [ ! -d "$1" ]; then mkdir -- "$1"; chown -h "$2" -- "$1"; fi
tar -x --no-same-owner --no-same-permissions -C "$1"
chown -R -h "$2" -- "$1"
`;

/**
 * Prints the contents of `$1`, at most `$2` bytes, to stdout. Unless `$3` is `1` (allow special files), a
 * symlink at `$1` is refused (both by the type check and by opening with `O_NOFOLLOW`), as are directories,
 * devices, FIFOs and sockets, and the file is opened non-blocking (a FIFO swapped in after the check yields
 * at most what its writer sends, never a hang). Exit 3 means "refused: not a regular file".
 */
export const READ_FILE_SCRIPT = `
p="$1"; n="$2"
if [ "$3" = 1 ]; then
  exec dd if="$p" iflag=count_bytes,fullblock bs=65536 count="$n" status=none
fi
kind=
if [ -L "$p" ]; then kind="symbolic link"
elif [ -d "$p" ]; then kind=directory
elif [ -p "$p" ]; then kind=fifo
elif [ -S "$p" ]; then kind=socket
elif [ -b "$p" ] || [ -c "$p" ]; then kind=device
fi
if [ -n "$kind" ]; then
  echo "refused: it is a $kind, not a regular file (pass allowSpecial to read it anyway)" >&2; exit 3
fi
# O_NOFOLLOW closes the race with a link planted after the test; O_NONBLOCK with a FIFO planted after it.
exec dd if="$p" iflag=nofollow,nonblock,count_bytes,fullblock bs=65536 count="$n" status=none
`;

/** tar's flags for archives read by the host: plain GNU format, numeric ids, no link dereferencing. */
const TAR_CREATE = "tar -c -f - --format=gnu --numeric-owner --no-xattrs --no-acls --no-selinux";

/**
 * Writes a tar archive of `$2` (a name inside directory `$1`, or `.`) to stdout without following any link
 * (no `-h`), cut at `$3` bytes. tar's complaints go to stderr, cut at 64 KiB (and the rest drained, so tar
 * itself never dies of a closed stderr).
 */
export const TAR_OUT_SCRIPT = `
exec 2> >(head -c 65536 >&2; cat >/dev/null)
cd -- "$1" || exit 1
${TAR_CREATE} -- "$2" | head -c "$3"
`;

/**
 * Writes a tar archive of every path under directory `$1` matching the \`find -path\` pattern `$2` to
 * stdout, cut at `$3` bytes. Names travel NUL-separated and verbatim (a newline or a leading dash in a name is
 * just a character); a matched directory is archived whole, once.
 */
export const TAR_MATCHES_SCRIPT = `
exec 2> >(head -c 65536 >&2; cat >/dev/null)
cd -- "$1" || exit 1
find . -mindepth 1 -path "$2" -print0 -prune |
  ${TAR_CREATE} --null --no-unquote --verbatim-files-from -T - | head -c "$3"
`;
