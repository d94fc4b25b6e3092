/**
 * The two halves of the "OOM killer chooses the root processes" scenario, shared by the docker sandbox test
 * and the runner's limit test: root makes every root process (docker: the container's init and the exec
 * server) the OOM killer's first choice, as an agent whose processes each stay small achieves against the
 * server's larger footprint; the agent then runs many small allocations against the sandbox's cap.
 *
 * @module
 */

/** Root's half: every process's OOM score raised to the maximum (raising needs no privilege). */
export const ROOT_PROCESSES_FIRST_FOR_OOM =
  "for p in /proc/[0-9]*; do echo 1000 > $p/oom_score_adj 2>/dev/null; done";

/**
 * The agent's half: twenty 10 MB processes (pages touched), each with the OOM score it inherited put back
 * to 0, sleeping so they hold their memory; more than a 128 MB cap holds.
 */
export const SPLIT_MEMORY_BOMB = "echo 0 > /proc/self/oom_score_adj; for i in $(seq 20); do " +
  "python3 -c 'import time; a = bytearray(10**7); a[::4096] = b\"x\" * len(a[::4096]); time.sleep(60)' & " +
  "done; wait";
