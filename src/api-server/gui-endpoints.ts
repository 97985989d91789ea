import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Endpoint, Reply } from './endpoint.js';
import type { Router } from './router.js';

/** Where `npm run build` puts the GUI (src/gui compiled by its own tsconfig), relative to this file in dist/. */
const GUI_DIR = resolve(import.meta.dirname, '../../gui');
const ENTRY = 'gui/main.js';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kuma-cp</title>
<link rel="icon" href="data:,">
</head>
<body>
<noscript>The kuma-cp GUI needs JavaScript.</noscript>
<script type="module" src="/gui/app/${ENTRY}"></script>
</body>
</html>
`;

const html: Readonly<Reply> = { status: 200, text: PAGE, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' } };

function jsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .map((f) => relative(dir, join(dir, f)).split('\\').join('/'));
}

/**
 * The web GUI at `/gui` (Kuma's path), public like Kuma's (the API calls it makes are authenticated as
 * usual). The page loads the bundle compiled at build time from src/gui: only the files found in the
 * build output at start are routed, one route each, so no request path ever reaches the file system.
 */
export function addGuiRoutes(router: Router<Endpoint>): void {
  const title = 'Could not load the GUI';
  const files = jsFiles(GUI_DIR);
  // Unit tests run the API from the sources, where no GUI was built: /gui is then simply not there.
  if (!files.includes(ENTRY)) return;
  router.add('GET', '/gui', { title, handle: () => Promise.resolve(html) });
  for (const file of files) {
    const reply: Reply = { status: 200, text: readFileSync(join(GUI_DIR, file), 'utf8'), headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' } };
    router.add('GET', `/gui/app/${file}`, { title, handle: () => Promise.resolve(reply) });
  }
}
