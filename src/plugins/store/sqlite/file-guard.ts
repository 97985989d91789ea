import { statSync } from 'node:fs';

interface FileId {
  readonly dev: number;
  readonly ino: number;
}

function identify(path: string): FileId | 'missing' {
  try {
    const st = statSync(path);
    return { dev: st.dev, ino: st.ino };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
}

/**
 * Notices the database file being deleted or replaced under the running process (the open descriptor keeps
 * writing to the old inode, so writes would be answered and then lost). Once a problem is seen it stays:
 * only a restart on a sound file clears it.
 */
export class DatabaseFileGuard {
  private readonly original: FileId | undefined;
  private problem: string | undefined;

  constructor(private readonly path: string) {
    const id = path === ':memory:' ? 'missing' : identify(path);
    this.original = id === 'missing' ? undefined : id;
  }

  /** undefined while the path still names the file that was opened; else why not. */
  check(): string | undefined {
    if (this.problem !== undefined || this.original === undefined) return this.problem;
    const now = identify(this.path);
    if (now === 'missing') this.problem = `the database file "${this.path}" was deleted while in use`;
    else if (now.dev !== this.original.dev || now.ino !== this.original.ino) {
      this.problem = `the database file "${this.path}" was replaced by another file while in use`;
    }
    return this.problem;
  }
}
