/**
 * The local driver's seccomp filter, written here as classic BPF, and the tiny static program that installs
 * it before anything else runs in a sandbox command.
 *
 * The filter denies (EPERM) the system calls Docker's default profile denies to a container without
 * `CAP_SYS_ADMIN` — mounts and the new mount API, `open_by_handle_at`/`name_to_handle_at`, `pivot_root`,
 * `unshare` and `clone` with any namespace flag (so no new user namespace), `keyctl`/`add_key`/`request_key`,
 * `bpf`, `perf_event_open`, `userfaultfd`, `io_uring_*`, module loading, `kexec_*`, clock setting, swap,
 * reboot, `acct`, `quotactl`, `syslog`, `ptrace`-free memory access of other processes
 * (`process_vm_readv/writev`), NUMA policy calls, `iopl`/`ioperm`, `modify_ldt` — answers `clone3` with
 * ENOSYS (its flags cannot be inspected; C libraries then fall back to `clone`, which is checked), denies the
 * x32 ABI, and kills a process that calls in with any architecture but x86-64.
 *
 * One difference from Docker: `setns` is allowed, because every command enters its sandbox with `nsenter`
 * *after* the filter is installed (so that the filter is already in force when the first sandbox process
 * exists). `setns` still needs `CAP_SYS_ADMIN` over the target namespace, which nothing inside a sandbox has
 * beyond the sandbox's own namespaces.
 *
 * The installer is a small static x86-64 ELF program made here per sandbox (no compiler needed): it joins the
 * sandbox's control groups, sets RLIMIT_NPROC, sets `no_new_privs`, installs the filter with
 * `prctl(PR_SET_SECCOMP)`, and `execve`s its arguments (exit code 127 when any step fails). Other
 * architectures are refused with a clear message (use the docker driver there).
 *
 * @module
 */

/** `AUDIT_ARCH_X86_64`. */
const AUDIT_ARCH_X86_64 = 0xc000003e;
const SECCOMP_RET_KILL_PROCESS = 0x80000000;
const SECCOMP_RET_ERRNO = 0x00050000;
const SECCOMP_RET_ALLOW = 0x7fff0000;
const EPERM = 1;
const ENOSYS = 38;
const X32_SYSCALL_BIT = 0x40000000;

/** Every `CLONE_NEW*` flag `clone` accepts (NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET). */
export const CLONE_NAMESPACE_FLAGS = 0x7e020000;

/** x86-64 system calls the filter denies with EPERM, by name. */
export const DENIED_SYSCALLS_X86_64: Readonly<Record<string, number>> = Object.freeze({
  syslog: 103,
  uselib: 134,
  ustat: 136,
  sysfs: 139,
  vhangup: 153,
  modify_ldt: 154,
  pivot_root: 155,
  _sysctl: 156,
  acct: 163,
  settimeofday: 164,
  mount: 165,
  umount2: 166,
  swapon: 167,
  swapoff: 168,
  reboot: 169,
  sethostname: 170,
  setdomainname: 171,
  iopl: 172,
  ioperm: 173,
  create_module: 174,
  init_module: 175,
  delete_module: 176,
  get_kernel_syms: 177,
  query_module: 178,
  quotactl: 179,
  nfsservctl: 180,
  lookup_dcookie: 212,
  clock_settime: 227,
  mbind: 237,
  set_mempolicy: 238,
  get_mempolicy: 239,
  kexec_load: 246,
  add_key: 248,
  request_key: 249,
  keyctl: 250,
  unshare: 272,
  move_pages: 279,
  perf_event_open: 298,
  fanotify_init: 300,
  name_to_handle_at: 303,
  open_by_handle_at: 304,
  clock_adjtime: 305,
  process_vm_readv: 310,
  process_vm_writev: 311,
  kcmp: 312,
  finit_module: 313,
  kexec_file_load: 320,
  bpf: 321,
  userfaultfd: 323,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  mount_setattr: 442,
  quotactl_fd: 443,
});

const SYS_CLONE = 56;
const SYS_CLONE3 = 435;

// Classic BPF opcodes.
const LD_W_ABS = 0x20;
const JMP_JEQ_K = 0x15;
const JMP_JGE_K = 0x35;
const ALU_AND_K = 0x54;
const RET_K = 0x06;

/** One `struct sock_filter`. */
interface Instruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

const op = (code: number, k: number, jt = 0, jf = 0): Instruction => ({ code, jt, jf, k });

/** The filter as `struct sock_filter` instructions (see the module doc for what it does). */
export function filterInstructions(): Instruction[] {
  const denied = [...new Set(Object.values(DENIED_SYSCALLS_X86_64))].sort((a, b) => a - b);
  const head: Instruction[] = [
    op(LD_W_ABS, 4), // seccomp_data.arch
    op(JMP_JEQ_K, AUDIT_ARCH_X86_64, 1, 0),
    op(RET_K, SECCOMP_RET_KILL_PROCESS),
    op(LD_W_ABS, 0), // seccomp_data.nr
  ];
  // Checks, each jumping forward to one of the tail's return instructions.
  const checks: { code: number; k: number; target: "deny" | "nosys" | "clone" }[] = [
    { code: JMP_JGE_K, k: X32_SYSCALL_BIT, target: "deny" },
    { code: JMP_JEQ_K, k: SYS_CLONE3, target: "nosys" },
    { code: JMP_JEQ_K, k: SYS_CLONE, target: "clone" },
    ...denied.map((k) => ({ code: JMP_JEQ_K, k, target: "deny" as const })),
  ];
  // Tail layout, right after the checks: allow, deny, nosys, then the clone flag test.
  const tail = { allow: 0, deny: 1, nosys: 2, clone: 3 };
  const body = checks.map((check, index) => {
    const distance = checks.length - index - 1 + tail[check.target];
    if (distance > 255) throw new RangeError("seccomp filter too long for 8-bit jumps");
    return op(check.code, check.k, distance, 0);
  });
  return [
    ...head,
    ...body,
    op(RET_K, SECCOMP_RET_ALLOW),
    op(RET_K, SECCOMP_RET_ERRNO | EPERM),
    op(RET_K, SECCOMP_RET_ERRNO | ENOSYS),
    op(LD_W_ABS, 16), // low 32 bits of seccomp_data.args[0]: clone's flags
    op(ALU_AND_K, CLONE_NAMESPACE_FLAGS),
    op(JMP_JEQ_K, 0, 0, 1),
    op(RET_K, SECCOMP_RET_ALLOW),
    op(RET_K, SECCOMP_RET_ERRNO | EPERM),
  ];
}

/** The filter as the raw bytes bubblewrap's `--seccomp FD` reads (8 bytes per instruction, little-endian). */
export function filterBytes(instructions: Instruction[] = filterInstructions()): Uint8Array {
  const bytes = new Uint8Array(instructions.length * 8);
  const view = new DataView(bytes.buffer);
  instructions.forEach((instruction, index) => {
    view.setUint16(index * 8, instruction.code, true);
    view.setUint8(index * 8 + 2, instruction.jt);
    view.setUint8(index * 8 + 3, instruction.jf);
    view.setUint32(index * 8 + 4, instruction.k, true);
  });
  return bytes;
}

const LOAD_ADDRESS = 0x400000;
const ELF_HEADER_SIZE = 64;
const PROGRAM_HEADER_SIZE = 56;
const CODE_OFFSET = ELF_HEADER_SIZE + 2 * PROGRAM_HEADER_SIZE;
const RLIMIT_NPROC = 6;
const O_WRONLY_CLOEXEC = 0x80001;

/** What the installer does before installing the filter. */
export interface InstallerOptions {
  /** `cgroup.procs` files the process joins (writes "0" to each) before anything else. */
  joinCgroups?: string[];
  /** RLIMIT_NPROC (soft and hard) for the process and everything it runs; unset to leave it. */
  maxProcesses?: number;
}

/** Addresses of the installer's data, patched into its code. */
interface DataAddresses {
  fprog: number;
  rlimit: number;
  zero: number;
  paths: number[];
}

/**
 * x86-64 machine code: close every descriptor above 2; for each cgroup file, open it and write "0" (moves this
 * process into the group); then
 * setrlimit(RLIMIT_NPROC); prctl(PR_SET_NO_NEW_PRIVS, 1); prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog);
 * execve(argv[1], &argv[1], envp). On any failure, exit_group(127).
 */
function installerCode(options: InstallerOptions, at: DataAddresses): Uint8Array {
  const imm32 = (value: number) => [value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >>> 24];
  const code: number[] = [];
  const fixups: number[] = []; // offsets of rel32 jumps to `fail`
  const emit = (...bytes: number[]) => code.push(...bytes);
  const jumpToFail = (...opcode: number[]) => {
    emit(...opcode, 0, 0, 0, 0);
    fixups.push(code.length - 4);
  };
  const syscall = (nr: number) => emit(0xb8, ...imm32(nr), 0x0f, 0x05); // mov eax, nr; syscall
  const failUnlessZero = () => {
    emit(0x48, 0x85, 0xc0); // test rax, rax
    jumpToFail(0x0f, 0x85); // jnz fail
  };
  // close_range(3, ~0U, 0): nothing evalkit itself inherited (a parent's stray descriptors) reaches the
  // sandbox. A kernel older than 5.9 answers ENOSYS; the result is not checked.
  emit(0xbf, ...imm32(3)); // mov edi, 3
  emit(0xbe, ...imm32(0xffffffff)); // mov esi, ~0U
  emit(0x31, 0xd2); // xor edx, edx
  syscall(436); // close_range
  for (const path of at.paths) {
    emit(0xbf, ...imm32(path)); // mov edi, path
    emit(0xbe, ...imm32(O_WRONLY_CLOEXEC)); // mov esi, O_WRONLY|O_CLOEXEC
    emit(0x31, 0xd2); // xor edx, edx
    syscall(2); // open
    emit(0x48, 0x85, 0xc0); // test rax, rax
    jumpToFail(0x0f, 0x88); // js fail
    emit(0x49, 0x89, 0xc4); // mov r12, rax
    emit(0x48, 0x89, 0xc7); // mov rdi, rax
    emit(0xbe, ...imm32(at.zero)); // mov esi, "0"
    emit(0xba, ...imm32(1)); // mov edx, 1
    syscall(1); // write
    emit(0x48, 0x83, 0xf8, 0x01); // cmp rax, 1
    jumpToFail(0x0f, 0x85); // jne fail
    emit(0x4c, 0x89, 0xe7); // mov rdi, r12
    syscall(3); // close
  }
  if (options.maxProcesses !== undefined) {
    emit(0xbf, ...imm32(RLIMIT_NPROC)); // mov edi, RLIMIT_NPROC
    emit(0xbe, ...imm32(at.rlimit)); // mov esi, &rlimit
    syscall(160); // setrlimit
    failUnlessZero();
  }
  // prctl(PR_SET_NO_NEW_PRIVS = 38, 1, 0, 0, 0)
  emit(0xbf, ...imm32(38)); // mov edi, 38
  emit(0xbe, ...imm32(1)); // mov esi, 1
  emit(0x31, 0xd2); // xor edx, edx
  emit(0x4d, 0x31, 0xd2); // xor r10, r10
  emit(0x4d, 0x31, 0xc0); // xor r8, r8
  syscall(157); // prctl
  failUnlessZero();
  // prctl(PR_SET_SECCOMP = 22, SECCOMP_MODE_FILTER = 2, &fprog)
  emit(0xbf, ...imm32(22)); // mov edi, 22
  emit(0xbe, ...imm32(2)); // mov esi, 2
  emit(0xba, ...imm32(at.fprog)); // mov edx, &fprog
  syscall(157); // prctl
  failUnlessZero();
  // execve(argv[1], &argv[1], envp): at entry [rsp] = argc, argv at rsp+8, envp at rsp+8*(argc+2)
  emit(0x48, 0x8b, 0x0c, 0x24); // mov rcx, [rsp]
  emit(0x48, 0x83, 0xf9, 0x02); // cmp rcx, 2
  jumpToFail(0x0f, 0x8c); // jl fail
  emit(0x48, 0x8b, 0x7c, 0x24, 0x10); // mov rdi, [rsp+16]
  emit(0x48, 0x8d, 0x74, 0x24, 0x10); // lea rsi, [rsp+16]
  emit(0x48, 0x8d, 0x54, 0xcc, 0x10); // lea rdx, [rsp+rcx*8+16]
  syscall(59); // execve
  const fail = code.length;
  emit(0xbf, ...imm32(127)); // fail: mov edi, 127
  syscall(231); // exit_group
  for (const at of fixups) {
    const rel = fail - (at + 4);
    code.splice(at, 4, ...imm32(rel));
  }
  return new Uint8Array(code);
}

/**
 * The installer program: a static, position-dependent x86-64 ELF executable holding {@link installerCode},
 * its data (`struct sock_fprog`, the rlimit, the cgroup file names) and the filter. Usage:
 * `seccomp-exec /abs/path/program args...`. Made per sandbox, with that sandbox's groups and process cap.
 */
export function installerElf(
  options: InstallerOptions = {},
  instructions: Instruction[] = filterInstructions(),
): Uint8Array {
  const filter = filterBytes(instructions);
  const encoder = new TextEncoder();
  const paths = (options.joinCgroups ?? []).map((path) => {
    if (path.includes("\0")) {
      throw new TypeError(`cgroup file name holds a NUL byte: ${JSON.stringify(path)}`);
    }
    return encoder.encode(path + "\0");
  });
  const layout = (codeLength: number) => {
    const fprog = Math.ceil((CODE_OFFSET + codeLength) / 8) * 8;
    const rlimit = fprog + 16;
    const zero = rlimit + 16;
    let next = zero + 2;
    const pathOffsets = paths.map((bytes) => {
      const offset = next;
      next += bytes.length;
      return offset;
    });
    const filterOffset = Math.ceil(next / 8) * 8;
    return { fprog, rlimit, zero, pathOffsets, filterOffset, size: filterOffset + filter.length };
  };
  const addresses = (l: ReturnType<typeof layout>): DataAddresses => ({
    fprog: LOAD_ADDRESS + l.fprog,
    rlimit: LOAD_ADDRESS + l.rlimit,
    zero: LOAD_ADDRESS + l.zero,
    paths: l.pathOffsets.map((offset) => LOAD_ADDRESS + offset),
  });
  // Code length does not depend on the addresses (all immediates are 32-bit), so one dry run fixes the layout.
  const draft = layout(installerCode(options, addresses(layout(0))).length);
  const code = installerCode(options, addresses(draft));
  const size = draft.size;
  const file = new Uint8Array(size);
  const view = new DataView(file.buffer);
  // ELF header.
  file.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // magic, 64-bit, little-endian, version 1, SysV
  view.setUint16(16, 2, true); // ET_EXEC
  view.setUint16(18, 0x3e, true); // EM_X86_64
  view.setUint32(20, 1, true); // EV_CURRENT
  view.setBigUint64(24, BigInt(LOAD_ADDRESS + CODE_OFFSET), true); // e_entry
  view.setBigUint64(32, BigInt(ELF_HEADER_SIZE), true); // e_phoff
  view.setUint16(52, ELF_HEADER_SIZE, true);
  view.setUint16(54, PROGRAM_HEADER_SIZE, true);
  view.setUint16(56, 2, true); // e_phnum
  view.setUint16(58, 64, true); // e_shentsize
  // PT_LOAD, read + execute, the whole file at LOAD_ADDRESS.
  let ph = ELF_HEADER_SIZE;
  view.setUint32(ph, 1, true);
  view.setUint32(ph + 4, 5, true);
  view.setBigUint64(ph + 16, BigInt(LOAD_ADDRESS), true);
  view.setBigUint64(ph + 24, BigInt(LOAD_ADDRESS), true);
  view.setBigUint64(ph + 32, BigInt(size), true);
  view.setBigUint64(ph + 40, BigInt(size), true);
  view.setBigUint64(ph + 48, 0x1000n, true);
  // PT_GNU_STACK, read + write: a non-executable stack.
  ph += PROGRAM_HEADER_SIZE;
  view.setUint32(ph, 0x6474e551, true);
  view.setUint32(ph + 4, 6, true);
  view.setBigUint64(ph + 48, 16n, true);
  file.set(code, CODE_OFFSET);
  // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
  view.setUint16(draft.fprog, instructions.length, true);
  view.setBigUint64(draft.fprog + 8, BigInt(LOAD_ADDRESS + draft.filterOffset), true);
  // struct rlimit { rlim_t cur, max; }
  const nproc = BigInt(options.maxProcesses ?? 0);
  view.setBigUint64(draft.rlimit, nproc, true);
  view.setBigUint64(draft.rlimit + 8, nproc, true);
  file[draft.zero] = 0x30; // "0"
  paths.forEach((bytes, index) => file.set(bytes, draft.pathOffsets[index]));
  file.set(filter, draft.filterOffset);
  return file;
}

/** True when this machine can run the installer (x86-64 Linux). */
export function seccompSupported(): boolean {
  return Deno.build.os === "linux" && Deno.build.arch === "x86_64";
}
