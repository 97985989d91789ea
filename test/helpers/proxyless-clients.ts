/**
 * Real proxyless gRPC data planes for the e2e tests: @grpc/grpc-js-xds clients (in this process, one XdsClient
 * per channel through its per-channel bootstrap option), gRPC C-core clients (Debian python3-grpcio,
 * test/fixtures/greeter_client.py) and xDS-enabled servers of both libraries (test/fixtures/greeter_xds_server.*),
 * each in its own process with its own bootstrap.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { XdsChannelCredentials } from '@grpc/grpc-js-xds';

export const FIXTURES = resolve(import.meta.dirname, '../fixtures');
/** Debian's interpreter: python3-grpcio is installed for it only. */
export const PYTHON = '/usr/bin/python3';
const BOOTSTRAP_OPTION = 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config';

export interface Tally {
  counts: Record<string, number>;
  /** Numeric status code -> count. */
  errors: Record<string, number>;
}

export interface GreeterClient {
  readonly name: string;
  call(n: number, target?: string): Promise<Tally>;
  start(): Promise<void>;
  stop(): Promise<Tally>;
  close(): void;
}

export interface ClientOptions {
  /** The target of calls that name none. */
  readonly target: string;
  /** Use xDS credentials (gRFC A29: TLS from the control plane, plaintext only when it sends none). */
  readonly xdsCredentials?: boolean;
}

export const total = (t: Tally): number => Object.values(t.counts).reduce((a, b) => a + b, 0);
export const failed = (t: Tally): number => Object.values(t.errors).reduce((a, b) => a + b, 0);

type SayHello = (req: { name: string }, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, reply?: { message: string }) => void) => void;
type GreeterCtor = new (target: string, creds: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => grpc.Client & { SayHello: SayHello };
export type Handler = (call: unknown, cb: (err: Partial<grpc.StatusObject> | null, res?: { message: string }) => void) => void;

function greeterPackage(): { Greeter: GreeterCtor & { service: grpc.ServiceDefinition } } {
  const def = protoLoader.loadSync(resolve(FIXTURES, 'greeter.proto'), { keepCase: true });
  return (grpc.loadPackageDefinition(def) as unknown as { greeter: { Greeter: GreeterCtor & { service: grpc.ServiceDefinition } } }).greeter;
}

/** A plain (not xDS-enabled) grpc-js Greeter backend on a free loopback port. */
export async function startBackend(handler: Handler): Promise<{ port: number; server: grpc.Server }> {
  const server = new grpc.Server();
  server.addService(greeterPackage().Greeter.service, { SayHello: handler });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  return { port, server };
}

export class JsClient implements GreeterClient {
  private readonly clients = new Map<string, grpc.Client & { SayHello: SayHello }>();
  private loop: { stop: boolean; done: Promise<Tally> } | undefined;

  constructor(
    readonly name: string,
    private readonly bootstrap: string,
    private readonly opts: ClientOptions,
  ) {}

  private client(target: string): grpc.Client & { SayHello: SayHello } {
    let c = this.clients.get(target);
    if (!c) {
      const insecure = grpc.credentials.createInsecure();
      const creds = this.opts.xdsCredentials ? new XdsChannelCredentials(insecure) : insecure;
      this.clients.set(target, (c = new (greeterPackage().Greeter)(target, creds, { [BOOTSTRAP_OPTION]: this.bootstrap })));
    }
    return c;
  }

  private one(t: Tally, target = this.opts.target): Promise<void> {
    return new Promise((res) => {
      this.client(target).SayHello({ name: 'js' }, { deadline: Date.now() + 10_000 }, (err, reply) => {
        if (err) t.errors[String(err.code)] = (t.errors[String(err.code)] ?? 0) + 1;
        else if (reply) t.counts[reply.message] = (t.counts[reply.message] ?? 0) + 1;
        res();
      });
    });
  }

  async call(n: number, target?: string): Promise<Tally> {
    const t: Tally = { counts: {}, errors: {} };
    for (let i = 0; i < n; i++) await this.one(t, target);
    return t;
  }

  start(): Promise<void> {
    const t: Tally = { counts: {}, errors: {} };
    const state = { stop: false, done: Promise.resolve(t) };
    state.done = (async () => {
      while (!state.stop) await this.one(t);
      return t;
    })();
    this.loop = state;
    return Promise.resolve();
  }

  async stop(): Promise<Tally> {
    if (!this.loop) throw new Error('not started');
    this.loop.stop = true;
    return this.loop.done;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
  }
}

/** A child process answering one JSON line per line written to it (the Python fixtures). */
class LineProcess {
  private readonly lines: string[] = [];
  private readonly waiters: ((line: string) => void)[] = [];
  protected readonly proc: ChildProcessWithoutNullStreams;
  private stderr = '';

  constructor(command: string, args: string[], env: Record<string, string>) {
    this.proc = spawn(command, args, { env: { ...process.env, ...env } });
    this.proc.stderr.setEncoding('utf8').on('data', (c: string) => (this.stderr = (this.stderr + c).slice(-4000)));
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      const w = this.waiters.shift();
      if (w) w(line);
      else this.lines.push(line);
    });
  }

  protected command(cmd: string): Promise<string> {
    this.proc.stdin.write(`${cmd}\n`);
    return this.nextLine();
  }

  nextLine(): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((res, rej) => {
      if (this.proc.exitCode !== null) rej(new Error(`${this.proc.spawnfile} exited: ${this.stderr}`));
      this.proc.once('exit', () => rej(new Error(`${this.proc.spawnfile} exited: ${this.stderr}`)));
      this.waiters.push(res);
    });
  }

  close(): void {
    this.proc.stdin.end();
    this.proc.kill();
  }
}

export class PyClient extends LineProcess implements GreeterClient {
  private constructor(
    readonly name: string,
    bootstrap: string,
    opts: ClientOptions,
  ) {
    super(PYTHON, [resolve(FIXTURES, 'greeter_client.py'), opts.target, ...(opts.xdsCredentials ? ['--xds-credentials'] : [])], { GRPC_XDS_BOOTSTRAP_CONFIG: bootstrap });
  }

  /** Spawns the client and waits until it is ready for commands. */
  static async start(name: string, bootstrap: string, opts: ClientOptions): Promise<PyClient> {
    const py = new PyClient(name, bootstrap, opts);
    const ready = JSON.parse(await py.nextLine()) as unknown;
    if (JSON.stringify(ready) !== '{"ready":true}') throw new Error(`${name}: unexpected first line ${JSON.stringify(ready)}`);
    return py;
  }

  async call(n: number, target?: string): Promise<Tally> {
    return JSON.parse(await this.command(target ? `${n} ${target}` : String(n))) as Tally;
  }

  async start(): Promise<void> {
    await this.command('start');
  }

  async stop(): Promise<Tally> {
    return JSON.parse(await this.command('stop')) as Tally;
  }
}

/**
 * An xDS-enabled Greeter server (gRFC A36) bound to `address` (`<ip>:<port>`, no port 0) in its own process:
 * `js` = grpc-js-xds (GRPC_XDS_EXPERIMENTAL_RBAC=true, without which it refuses the RBAC filter), `py` = C-core.
 * It replies "<name> <caller's SPIFFE id or none>". Resolves once the process has started binding; RPCs
 * succeed once the server got its Listener and is serving.
 */
export async function startXdsServer(kind: 'js' | 'py', name: string, address: string, bootstrap: string): Promise<{ close(): void }> {
  const env = { GRPC_XDS_BOOTSTRAP_CONFIG: bootstrap, GRPC_XDS_EXPERIMENTAL_RBAC: 'true' };
  const server = kind === 'js' ? new LineProcess(process.execPath, [resolve(FIXTURES, 'greeter_xds_server.mjs'), address, name], env) : new LineProcess(PYTHON, [resolve(FIXTURES, 'greeter_xds_server.py'), address, name], env);
  // py prints {"started":true} at once; js prints {"serving":port} when serving, which may take a while: wait for py only.
  if (kind === 'py') await server.nextLine();
  return server;
}
