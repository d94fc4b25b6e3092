/**
 * A pool of Docker engines behind the one {@link SandboxDriver} interface: `create(spec)` places the sandbox
 * on an engine with a free slot where the spec's declared resources fit ({@link chooseEngine}), waiting
 * while every fitting engine is full; the sandbox it returns ({@link PooledSandbox}) names its engine.
 *
 * **Health.** Every engine is pinged at an interval with a deadline; after `failures` consecutive failed
 * pings it is marked down. A call of a sandbox that fails also pings its engine at once (twice), so a
 * `kill -9`ed engine is marked down within milliseconds of the first failed call, not at the next round.
 * When an engine is marked down every sandbox on it is **lost**: each pending and later call rejects with
 * {@link EngineDownError}, an infrastructure error the runner records with source `infra` and reschedules
 * on the other engines. A down engine keeps being pinged; when it answers again, the containers that this
 * process (or any dead process of this host) left on it are removed, then it takes sandboxes again.
 *
 * **Images.** `buildImage` builds a family's image once, on one engine; before a sandbox starts on an engine
 * that lacks its image (task image or base image), the image is streamed there from an engine that has it
 * ({@link transferImage}: save → load), or rebuilt there from its recipe when no engine that has it is up.
 * Base images no engine has are built on the target by the driver itself (from this machine's cached
 * root filesystem).
 *
 * @module
 */
import type Docker from "../../deps/dockerode.ts";
import { DEFAULT_DISK_GB, DEFAULT_MEMORY_GB, DockerSandbox } from "../docker.ts";
import { buildDockerImage } from "../docker_image.ts";
import { type BaseImageOptions, baseImageTag, hostSuite, imageExists } from "../image.ts";
import { normalizePackages } from "../packages.ts";
import { bootId, processIsAlive } from "../cleanup.ts";
import {
  type CopyOutOptions,
  type CopyOutReport,
  type ExecOptions,
  type ExecResult,
  type ImageRecipe,
  type ImageRef,
  type ReadOptions,
  type Sandbox,
  type SandboxDriver,
  type SandboxLimitKind,
  SandboxSpec,
  type WriteOptions,
} from "../types.ts";
import type { EngineConfig, HealthConfig, ResolvedPoolConfig } from "./config.ts";
import { engineClient, errorLine, pingEngine } from "./client.ts";
import { EngineDownError, NoEngineError, SandboxPlacementError } from "./errors.ts";
import { chooseEngine, type EngineLoad, neverFits, type PlacementRequest } from "./placement.ts";
import { transferImage } from "./images.ts";

/** Options of an {@link EnginePool}. */
export interface EnginePoolOptions {
  /** How base images are built where no engine has them (suite, mirror, progress). */
  image?: BaseImageOptions;
  /**
   * Engines images may be copied from but that take no sandboxes (e.g. this machine's own engine, where the
   * images were built). Each `{name, docker}`.
   */
  imageSources?: { name: string; docker: Docker }[];
  /** Only engines carrying these labels take sandboxes. */
  requireLabels?: Record<string, string>;
  /** How long `create` waits for an engine that can take the sandbox to be up, ms. Default 10 minutes. */
  waitForEngineMs?: number;
  /** Progress lines (engine down, rejoined, images copied). Default: silent. */
  log?: (line: string) => void;
  /** Start the periodic health check. Default true (tests of placement alone turn it off). */
  monitor?: boolean;
  /** dockerode clients by engine name, instead of ones built from the addresses (benchmarks, tests). */
  clients?: Record<string, Docker>;
}

/** Something that happened to an engine (kept in {@link EnginePool.history}). */
export interface PoolEvent {
  /** Milliseconds since the epoch. */
  t: number;
  engine: string;
  kind: "down" | "up" | "swept" | "image-copied" | "image-built";
  detail: string;
}

/** One engine's state, as {@link EnginePool.status} reports it. */
export interface EngineStatus {
  name: string;
  address: string;
  up: boolean;
  capacity: number;
  /** Slots taken: sandboxes starting, open or closing. */
  inFlight: number;
  /** Sandboxes started and not yet closed. */
  open: number;
  /** Sandboxes placed on the engine since the pool opened. */
  placed: number;
  labels: Record<string, string>;
  resources: EngineConfig["resources"];
  /** Round trip of the last successful ping, ms. */
  lastPingMs: number | null;
  /** The last failure (ping or call), if any. */
  lastError: string | null;
  /** Since when the engine is down (ms since the epoch), or null. */
  downSince: number | null;
}

/** One engine of the pool and its bookkeeping. */
class EngineSlot implements EngineLoad {
  up = true;
  inFlight = 0;
  cpusInUse = 0;
  memoryGbInUse = 0;
  diskGbInUse = 0;
  placed = 0;
  failures = 0;
  lastPingMs: number | null = null;
  lastError: string | null = null;
  downSince: number | null = null;
  rejoining = false;
  readonly sandboxes = new Set<PooledSandbox>();
  /** Containers of this pool lost with the engine, removed when it rejoins. */
  readonly lostContainers = new Set<string>();
  /** A ping confirming a failure, shared by the calls that failed at the same time. */
  confirming?: Promise<boolean>;
  /** When a confirming ping last succeeded (calls failing just after do not ping again). */
  confirmedUpAt = -Infinity;

  constructor(readonly config: EngineConfig, readonly docker: Docker) {}
  get name(): string {
    return this.config.name;
  }
  get capacity(): number {
    return this.config.capacity;
  }
  get resources(): EngineConfig["resources"] {
    return this.config.resources;
  }
  get labels(): Record<string, string> {
    return this.config.labels;
  }
}

/** The resources a spec declares, as placement counts them. */
export function placementRequest(spec: SandboxSpec, labels?: Record<string, string>): PlacementRequest {
  const parsed = SandboxSpec.parse(spec);
  return {
    cpus: parsed.cpus ?? 0,
    memoryGb: parsed.memoryGb ?? DEFAULT_MEMORY_GB,
    diskGb: parsed.diskGb ?? DEFAULT_DISK_GB,
    labels,
  };
}

/** A pool of Docker engines that is itself a sandbox driver (name `docker`). */
export class EnginePool implements SandboxDriver {
  /** Always `docker`: sandboxes are Docker containers, wherever they run. */
  readonly name = "docker" as const;
  /** What happened to the engines since the pool opened, oldest first. */
  readonly history: PoolEvent[] = [];
  private readonly slots: EngineSlot[];
  private readonly health: HealthConfig;
  private timer?: ReturnType<typeof setInterval>;
  private checking?: Promise<void>;
  private closed = false;
  private wake = new Set<() => void>();
  /** Per `engine\0tag`: the image is there (or being brought there). */
  private readonly imagesOn = new Map<string, Promise<void>>();
  /** Per recipe key: the family image's build. */
  private readonly builds = new Map<string, Promise<ImageRef>>();
  /** Recipes by tag, to rebuild on another engine when no engine that has the image is up. */
  private readonly recipes = new Map<string, ImageRecipe>();

  private constructor(config: ResolvedPoolConfig, private readonly options: EnginePoolOptions) {
    this.health = config.health;
    this.slots = config.engines.map((engine) =>
      new EngineSlot(engine, options.clients?.[engine.name] ?? engineClient(engine))
    );
  }

  /**
   * Opens a pool: pings every engine once (those that answer are up; the others down, and watched), removes
   * the containers dead processes of this host left on the engines that are up, and starts the periodic
   * health check. Rejects when no engine answers.
   */
  static async open(config: ResolvedPoolConfig, options: EnginePoolOptions = {}): Promise<EnginePool> {
    const pool = new EnginePool(config, options);
    await Promise.all(pool.slots.map(async (slot) => {
      try {
        slot.lastPingMs = await pingEngine(slot.docker, pool.health.timeoutMs);
        await pool.sweep(slot);
      } catch (error) {
        slot.up = false;
        slot.downSince = Date.now();
        slot.lastError = errorLine(error);
        pool.record(slot, "down", slot.lastError);
      }
    }));
    if (!pool.slots.some((s) => s.up)) {
      throw new Error(
        `no engine of the pool answers: ${pool.slots.map((s) => `${s.name} (${s.lastError})`).join("; ")}`,
      );
    }
    if (options.monitor !== false) pool.startMonitor();
    return pool;
  }

  /** Engines by name (for tests and the `engines` command). */
  engineNames(): string[] {
    return this.slots.map((s) => s.name);
  }

  /** The dockerode client of an engine. */
  client(name: string): Docker {
    const slot = this.slots.find((s) => s.name === name);
    if (!slot) throw new Error(`no engine named ${name} in the pool (${this.engineNames().join(", ")})`);
    return slot.docker;
  }

  /** Sum of the capacities of every engine: the most sandboxes the pool runs at once. */
  totalCapacity(): number {
    return this.slots.reduce((n, s) => n + s.capacity, 0);
  }

  /** Each engine's health, load and configuration. */
  status(): EngineStatus[] {
    return this.slots.map((s) => ({
      name: s.name,
      address: s.config.address,
      up: s.up,
      capacity: s.capacity,
      inFlight: s.inFlight,
      open: s.sandboxes.size,
      placed: s.placed,
      labels: s.labels,
      resources: s.resources,
      lastPingMs: s.lastPingMs,
      lastError: s.lastError,
      downSince: s.downSince,
    }));
  }

  /** Starts a sandbox on the engine placement chooses (waiting for a free one); see the module doc. */
  async create(input: SandboxSpec): Promise<PooledSandbox> {
    if (this.closed) throw new Error("the engine pool is closed");
    const spec = SandboxSpec.parse(input);
    const request = placementRequest(spec, this.options.requireLabels);
    const reasons = this.slots.map((s) => neverFits(s, request));
    if (reasons.every((r) => r !== undefined)) {
      throw new SandboxPlacementError(spec.label, reasons.join("; "));
    }
    let lastError: Error | undefined;
    for (let placement = 0; placement < 3; placement++) {
      const slot = await this.acquire(request, spec.label);
      let handedOver = false;
      try {
        await this.ensureImages(slot, spec);
        const inner = await DockerSandbox.start(spec, {
          docker: slot.docker,
          endpoint: slot.config.address,
          image: this.options.image,
        });
        const sandbox = new PooledSandbox(inner, slot.name, this, () => this.release(slot, request));
        slot.sandboxes.add(sandbox);
        handedOver = true;
        if (!slot.up) {
          slot.lostContainers.add(sandbox.id);
          sandbox.lose(new EngineDownError(slot.name, slot.lastError ?? "marked down"));
        }
        return sandbox;
      } catch (error) {
        if (!(await this.confirmDown(slot, error))) throw error;
        lastError = new EngineDownError(slot.name, errorLine(error));
      } finally {
        if (!handedOver) this.release(slot, request);
      }
    }
    throw lastError!;
  }

  /**
   * Builds a family's image once, on the first engine that is up (a cache hit there when it has the tag),
   * and remembers the recipe, so engines that need the image later get it copied, or rebuilt if none that has
   * it is up.
   */
  buildImage(recipe: ImageRecipe): Promise<ImageRef> {
    let build = this.builds.get(recipe.key);
    if (!build) {
      build = (async () => {
        const slot = this.slots.find((s) => s.up);
        if (!slot) throw new NoEngineError(recipe.name, "every engine is down");
        const ref = await buildDockerImage(slot.docker, recipe);
        if (ref.kind === "docker") {
          this.recipes.set(ref.tag, recipe);
          this.imagesOn.set(`${slot.name}\0${ref.tag}`, Promise.resolve());
          this.record(slot, "image-built", ref.tag);
        }
        return ref;
      })();
      this.builds.set(recipe.key, build);
      build.catch(() => this.builds.delete(recipe.key));
    }
    return build;
  }

  /**
   * Brings image `tag` to every engine that is up (from an engine or image source that has it); for
   * preparing a grid before it starts. Resolves to the engines it had to copy it to.
   */
  async distributeImage(tag: string): Promise<string[]> {
    const copied: string[] = [];
    await Promise.all(
      this.slots.filter((s) => s.up).map(async (slot) => {
        const had = await imageExists(slot.docker, tag);
        await this.ensureImage(slot, tag);
        if (!had) copied.push(slot.name);
      }),
    );
    return copied;
  }

  /** Stops the health check; sandboxes still open stay usable until closed. Idempotent. */
  close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    for (const wake of this.wake) wake();
    return this.checking ?? Promise.resolve();
  }

  /** Runs one health round now (every engine pinged; down/up transitions applied). */
  checkNow(): Promise<void> {
    this.checking ??= Promise.all(this.slots.map((slot) => this.checkEngine(slot))).then(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private startMonitor(): void {
    const timer = setInterval(() => {
      if (!this.closed) this.checkNow().catch(() => {});
    }, this.health.intervalMs);
    Deno.unrefTimer(timer);
    this.timer = timer;
  }

  private async checkEngine(slot: EngineSlot): Promise<void> {
    try {
      slot.lastPingMs = await pingEngine(slot.docker, this.health.timeoutMs);
      slot.failures = 0;
      if (!slot.up) await this.rejoin(slot);
    } catch (error) {
      slot.failures++;
      slot.lastError = errorLine(error);
      if (slot.up && slot.failures >= this.health.failures) this.markDown(slot, slot.lastError);
    }
  }

  /** A down engine answers again: sweep what was left on it, then let it take sandboxes. */
  private async rejoin(slot: EngineSlot): Promise<void> {
    if (slot.rejoining) return;
    slot.rejoining = true;
    try {
      await this.sweep(slot);
      // Whatever the engine had may be gone (a new data root): check images again before using them.
      for (const key of [...this.imagesOn.keys()]) {
        if (key.startsWith(`${slot.name}\0`)) this.imagesOn.delete(key);
      }
      slot.up = true;
      slot.downSince = null;
      slot.failures = 0;
      this.record(slot, "up", `rejoined after ${slot.lastError ?? "being down"}`);
      this.notify();
    } catch (error) {
      slot.lastError = errorLine(error);
    } finally {
      slot.rejoining = false;
    }
  }

  /**
   * Removes the evalkit containers on an engine that belong to this host and are no longer anyone's: those
   * of dead processes, and this process's own that were lost with the engine or were made before it went
   * down and are not running. Other containers of live processes are left alone.
   */
  private async sweep(slot: EngineSlot): Promise<string[]> {
    const containers: Docker.ContainerInfo[] = await slot.docker.listContainers({
      all: true,
      filters: JSON.stringify({ label: ["evalkit=1"] }),
    });
    const host = Deno.hostname();
    const boot = bootId();
    const leftovers = containers.filter((info) => {
      const labels = info.Labels ?? {};
      if (labels["evalkit.host"] !== host) return false;
      const name = (info.Names?.[0] ?? "").replace(/^\//, "");
      const pid = Number(labels["evalkit.owner-pid"]);
      const start = labels["evalkit.owner-start"] ? Number(labels["evalkit.owner-start"]) : undefined;
      const ownerAlive = labels["evalkit.boot-id"] === boot && processIsAlive(pid, start);
      if (!ownerAlive) return true;
      if (pid !== Deno.pid) return false;
      // This process's: lost with the engine; or, after the engine was down, any of its containers made
      // before that and not running (one being created when the engine died is in no list, and an engine
      // restarted without live-restore has stopped everything it ran).
      if (slot.lostContainers.has(name)) return true;
      return slot.downSince !== null && info.State !== "running" &&
        info.Created * 1000 <= slot.downSince + 1000;
    });
    const removed: string[] = [];
    await Promise.all(leftovers.map(async (info) => {
      try {
        await slot.docker.getContainer(info.Id).remove({ force: true, v: true });
        const name = (info.Names?.[0] ?? info.Id).replace(/^\//, "");
        slot.lostContainers.delete(name);
        removed.push(name);
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      }
    }));
    if (removed.length) {
      this.record(slot, "swept", `${removed.length} leftover container(s): ${removed.join(", ")}`);
    }
    return removed;
  }

  private markDown(slot: EngineSlot, reason: string): void {
    if (!slot.up) return;
    slot.up = false;
    slot.downSince = Date.now();
    slot.lastError = reason;
    this.record(slot, "down", `${reason}; ${slot.sandboxes.size} sandbox(es) lost`);
    for (const sandbox of slot.sandboxes) {
      slot.lostContainers.add(sandbox.id);
      sandbox.lose(new EngineDownError(slot.name, reason));
    }
  }

  /**
   * After a failed call on `slot`: true when the engine is down (already marked, or two pings fail now, and
   * it is then marked down); false when it answers (the failure was the call's own).
   */
  async confirmDown(slot: EngineSlot | string, error: unknown): Promise<boolean> {
    const s = typeof slot === "string" ? this.slots.find((x) => x.name === slot)! : slot;
    if (!s.up) return true;
    if (performance.now() - s.confirmedUpAt < 250) return false;
    s.confirming ??= (async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          s.lastPingMs = await pingEngine(s.docker, Math.min(this.health.timeoutMs, 2000));
          s.confirmedUpAt = performance.now();
          return false;
        } catch (pingError) {
          s.lastError = `${errorLine(error)}; ping: ${errorLine(pingError)}`;
        }
        if (attempt === 0) await new Promise((r) => setTimeout(r, 100));
      }
      this.markDown(s, s.lastError ?? errorLine(error));
      return true;
    })().finally(() => {
      s.confirming = undefined;
    });
    return await s.confirming;
  }

  /** Waits for an engine that can take the request; reserves a slot on it. */
  private async acquire(request: PlacementRequest, label: string): Promise<EngineSlot> {
    const deadline = Date.now() + (this.options.waitForEngineMs ?? 600_000);
    while (true) {
      if (this.closed) throw new Error("the engine pool is closed");
      const slot = chooseEngine(this.slots, request);
      if (slot) {
        slot.inFlight++;
        slot.placed++;
        slot.cpusInUse += request.cpus;
        slot.memoryGbInUse += request.memoryGb;
        slot.diskGbInUse += request.diskGb;
        return slot;
      }
      const left = deadline - Date.now();
      const anyUp = this.slots.some((s) => s.up && neverFits(s, request) === undefined);
      if (left <= 0) {
        throw new NoEngineError(
          label,
          anyUp
            ? "every fitting engine stayed full"
            : `every fitting engine is down (${
              this.slots.map((s) => `${s.name}: ${s.up ? "up" : `down, ${s.lastError}`}`).join("; ")
            })`,
        );
      }
      // Wait for a release or a rejoin; poll now and then in case a health round changed things.
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.wake.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, 1000));
        this.wake.add(done);
      });
    }
  }

  private release(slot: EngineSlot, request: PlacementRequest): void {
    slot.inFlight--;
    slot.cpusInUse -= request.cpus;
    slot.memoryGbInUse -= request.memoryGb;
    slot.diskGbInUse -= request.diskGb;
    this.notify();
  }

  /** Called by a sandbox when it is closed: it no longer counts on its engine. */
  forget(sandbox: PooledSandbox): void {
    for (const slot of this.slots) slot.sandboxes.delete(sandbox);
  }

  private notify(): void {
    for (const wake of [...this.wake]) wake();
  }

  /** The task image, or the base image for the spec's packages, on the engine. */
  private async ensureImages(slot: EngineSlot, spec: ReturnType<typeof SandboxSpec.parse>): Promise<void> {
    if (spec.image?.kind === "docker") return await this.ensureImage(slot, spec.image.tag);
    if (spec.image) return; // a rootfs image: the driver refuses it with its own message
    const tag = await baseImageTag(
      normalizePackages(spec.packages, spec.label),
      this.options.image?.suite ?? hostSuite(),
    );
    await this.ensureImage(slot, tag, { optional: true });
  }

  /**
   * Makes sure the engine has `tag`: already there; else copied from an engine (or image source) that has
   * it; else rebuilt there from its recipe. With `optional`, a tag nobody has is left to the driver (base
   * images are built on the target from the machine's root filesystem cache).
   */
  private ensureImage(slot: EngineSlot, tag: string, { optional = false } = {}): Promise<void> {
    const key = `${slot.name}\0${tag}`;
    let ready = this.imagesOn.get(key);
    if (!ready) {
      ready = (async () => {
        if (await imageExists(slot.docker, tag)) return;
        const sources = [
          ...this.slots.filter((s) => s !== slot && s.up).map((s) => ({ name: s.name, docker: s.docker })),
          ...(this.options.imageSources ?? []),
        ];
        for (const source of sources) {
          if (!(await imageExists(source.docker, tag).catch(() => false))) continue;
          this.options.log?.(`copying image ${tag} from ${source.name} to ${slot.name}`);
          const report = await transferImage(source.docker, slot.docker, tag);
          this.record(
            slot,
            "image-copied",
            `${tag} from ${source.name}: ${(report.bytes / 1e6).toFixed(1)} MB in ${
              (report.ms / 1000).toFixed(1)
            } s`,
          );
          return;
        }
        const recipe = this.recipes.get(tag);
        if (recipe) {
          this.options.log?.(`building image ${tag} on ${slot.name} (no engine that has it is up)`);
          await buildDockerImage(slot.docker, recipe);
          this.record(slot, "image-built", tag);
          return;
        }
        if (!optional) {
          throw new Error(
            `image ${tag} is on no engine of the pool that is up, and no recipe for it is known`,
          );
        }
      })();
      this.imagesOn.set(key, ready);
      ready.catch(() => this.imagesOn.delete(key));
    }
    return ready;
  }

  private record(slot: EngineSlot, kind: PoolEvent["kind"], detail: string): void {
    this.history.push({ t: Date.now(), engine: slot.name, kind, detail });
    if (this.history.length > 1000) this.history.shift();
    if (kind !== "image-copied" && kind !== "image-built") {
      this.options.log?.(`engine ${slot.name}: ${kind}: ${detail}`);
    }
  }
}

/**
 * A sandbox of the pool: a Docker container on one engine ({@link PooledSandbox.engine}). Every call races
 * its engine's loss: once the engine is marked down, pending and later calls reject with
 * {@link EngineDownError} and {@link PooledSandbox.lostError} says so; `close()` then releases the slot at
 * once and leaves the container to the rejoin sweep.
 */
export class PooledSandbox implements Sandbox {
  /** Always `docker`. */
  readonly driver = "docker" as const;
  private lost?: EngineDownError;
  /** Rejecters of the calls in progress, called when the engine is lost. */
  private readonly pending = new Set<(error: EngineDownError) => void>();
  private closing?: Promise<void>;

  /** Made by {@link EnginePool.create}. */
  constructor(
    /** The container on the engine. */
    readonly inner: DockerSandbox,
    /** The name of the engine the sandbox runs on. */
    readonly engine: string,
    private readonly pool: EnginePool,
    private readonly releaseSlot: () => void,
  ) {}

  /** The container's name. */
  get id(): string {
    return this.inner.id;
  }

  /** The error that lost this sandbox (its engine went down), or undefined while its engine is up. */
  lostError(): EngineDownError | undefined {
    return this.lost;
  }

  /** Marks the sandbox lost (its engine is down): pending and later calls reject with `error`. */
  lose(error: EngineDownError): void {
    if (this.lost) return;
    this.lost = error;
    for (const reject of this.pending) reject(error);
    this.pending.clear();
  }

  /** `promise`, or a rejection with the engine's loss if that comes first. */
  private raceLoss<T>(promise: Promise<T>): Promise<T> {
    if (this.lost) return Promise.reject(this.lost);
    let reject!: (error: EngineDownError) => void;
    const lost = new Promise<never>((_, r) => reject = r);
    this.pending.add(reject);
    promise.catch(() => {}); // if the loss wins, the call's own failure is expected and ignored
    return Promise.race([promise, lost]).finally(() => this.pending.delete(reject));
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.lost) throw this.lost;
    try {
      return await this.raceLoss(call());
    } catch (error) {
      if (!this.lost && !this.closing) await this.pool.confirmDown(this.engine, error);
      if (this.lost) throw this.lost;
      throw error;
    }
  }

  /** See {@link Sandbox.exec}. */
  exec(command: string | string[], options?: ExecOptions): Promise<ExecResult> {
    return this.guard(() => this.inner.exec(command, options));
  }
  /** See {@link Sandbox.spawnBackground}. */
  spawnBackground(command: string, options?: Pick<ExecOptions, "user" | "cwd" | "env">): Promise<void> {
    return this.guard(() => this.inner.spawnBackground(command, options));
  }
  /** See {@link Sandbox.readFile}. */
  readFile(path: string, options?: ReadOptions): Promise<Uint8Array> {
    return this.guard(() => this.inner.readFile(path, options));
  }
  /** See {@link Sandbox.readTextFile}. */
  readTextFile(path: string, options?: ReadOptions): Promise<string> {
    return this.guard(() => this.inner.readTextFile(path, options));
  }
  /** See {@link Sandbox.writeFile}. */
  writeFile(path: string, data: string | Uint8Array, options?: WriteOptions): Promise<void> {
    return this.guard(() => this.inner.writeFile(path, data, options));
  }
  /** See {@link Sandbox.copyIn}. */
  copyIn(hostPath: string, sandboxPath: string, options?: WriteOptions): Promise<void> {
    return this.guard(() => this.inner.copyIn(hostPath, sandboxPath, options));
  }
  /** See {@link Sandbox.copyOut}. */
  copyOut(sandboxPath: string, hostPath: string, options?: CopyOutOptions): Promise<CopyOutReport> {
    return this.guard(() => this.inner.copyOut(sandboxPath, hostPath, options));
  }
  /** See {@link Sandbox.limitsHit}. */
  limitsHit(): Promise<SandboxLimitKind[]> {
    return this.guard(() => this.inner.limitsHit());
  }

  /**
   * Removes the container and frees its slot. On a lost engine the removal is given 5 s and its failure is
   * ignored: the container is removed by the sweep when the engine rejoins.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        if (this.lost) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([
            this.inner.close().catch(() => {}),
            new Promise((r) => timer = setTimeout(r, 5000)),
          ]).finally(() => clearTimeout(timer));
        } else {
          await this.raceLoss(this.inner.close()).catch((error) => {
            if (!this.lost) throw error;
          });
        }
      } finally {
        this.pool.forget(this);
        this.releaseSlot();
      }
    })();
    return this.closing;
  }
}

/** The engine a sandbox runs on, when it is a pool's sandbox; null otherwise. */
export function engineOfSandbox(sandbox: Sandbox): string | null {
  return sandbox instanceof PooledSandbox ? sandbox.engine : null;
}

/** The infrastructure failure that lost a pool's sandbox (its engine went down), if any. */
export function sandboxInfrastructureFailure(sandbox: Sandbox): EngineDownError | undefined {
  return sandbox instanceof PooledSandbox ? sandbox.lostError() : undefined;
}
