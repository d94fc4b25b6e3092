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
 * Repeats until nothing is left, so processes forked during the sweep are caught too. `$1` is the marker.
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
  kill -9 "\${!doomed[@]}" 2>/dev/null
  sleep 0.05
  unset ppid sid doomed sessions
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
 * Writes stdin to `$1` owned by `$2` (uid:gid) with mode `$3` (octal). The data goes to a fresh temporary
 * file (created exclusively, so nothing planted there is followed) in the same directory which is then
 * renamed over the target, so a symlink planted at the target is replaced, never followed.
 */
export const WRITE_FILE_SCRIPT = MAKE_PARENTS + `
set -e
make_parents "$1" "$2"
tmp="\${1%/*}/.evalkit-write.$$.$RANDOM$RANDOM"
trap 'rm -f -- "$tmp"' EXIT
set -C
cat > "$tmp"
set +C
chown "$2" -- "$tmp"; chmod "$3" -- "$tmp"
mv -fT -- "$tmp" "$1"
trap - EXIT
`;

/** Extracts a tar archive from stdin into directory `$1` (created if missing), everything owned by `$2`. */
export const UNTAR_DIR_SCRIPT = MAKE_PARENTS + `
set -e
make_parents "$1" "$2"
if [ ! -d "$1" ]; then mkdir -- "$1"; chown "$2" -- "$1"; fi
tar -x --no-same-owner --no-same-permissions -C "$1"
chown -R -h "$2" -- "$1"
`;

/** Prints `dir`, `file` or `missing` for `$1`. */
export const KIND_SCRIPT = `
if [ -d "$1" ]; then echo dir; elif [ -e "$1" ]; then echo file; else echo missing; fi
`;

/** Writes a tar archive of the contents of directory `$1` to stdout. */
export const TAR_DIR_SCRIPT = `set -e; tar -c -C "$1" .`;
