import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../core/logging.js';
import { BindError } from '../core/runtime/listen.js';
import { ConnectionBudget, budgetSize } from '../transport/connection-budget.js';
import { newGrpcServer, serveGrpc } from './transport.js';

const log = logger('serve-grpc-test');
const limits = { perPort: 10, perSource: 10, idleFirstByteMs: 10_000, budget: new ConnectionBudget(budgetSize(undefined, 0), log) };

let blocker: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = undefined;
});

describe('serveGrpc', () => {
  it('on a port in use, fails with a BindError and shuts the gRPC server down itself (ADS and KDS alike)', async () => {
    blocker = createServer();
    const taken = await new Promise<number>((resolve) => blocker?.listen(0, '127.0.0.1', () => resolve((blocker?.address() as { port: number }).port)));
    const server = newGrpcServer();
    const shutdown = vi.spyOn(server, 'forceShutdown');
    await expect(serveGrpc(server, { name: 'test-server', host: '127.0.0.1', port: taken, log, plaintext: true, limits })).rejects.toBeInstanceOf(BindError);
    expect(shutdown).toHaveBeenCalledTimes(1);
  });
});
