import { get } from './api.js';
import { h } from './dom.js';
import type { CpConfig } from './model.js';
import { meshPage } from './pages/mesh.js';
import { overviewPage } from './pages/overview.js';
import { zonePage } from './pages/zone.js';
import { STYLES } from './styles.js';

/** How often the page is re-read from the API (live refresh without reloading). */
const REFRESH_MS = 2000;

async function render(config: CpConfig): Promise<HTMLElement> {
  const route = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (route[0] === 'meshes' && route[1]) return meshPage(route[1]);
  if (route[0] === 'zones' && route[1]) return zonePage(route[1]);
  return overviewPage(config);
}

function header(config: CpConfig): HTMLElement {
  const zone = config.multizone?.remote?.zone;
  const mode = config.mode === 'remote' ? `zone control plane${zone ? ` ${zone}` : ''}` : `${config.mode} control plane`;
  return h('header', {}, h('a', { href: '#/' }, 'kuma-cp'), h('span', { class: 'mode', 'data-testid': 'mode' }, mode), h('span', { class: 'refresh', 'data-testid': 'refreshed' }, ''));
}

async function start(): Promise<void> {
  const style = document.createElement('style');
  style.textContent = STYLES;
  document.head.append(style);
  const config = await get<CpConfig>('/config');
  const top = header(config);
  const main = h('main', {});
  document.body.replaceChildren(top, main);
  let busy = false;
  let shown = '';
  const refresh = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    const hash = location.hash;
    try {
      const page = await render(config);
      // A navigation while loading wins: drop the stale page.
      if (hash === location.hash) {
        main.replaceChildren(page);
        shown = hash;
      }
    } catch (err) {
      if (shown !== hash) main.replaceChildren();
      main.querySelector('.error')?.remove();
      main.prepend(h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
    } finally {
      busy = false;
      const stamp = top.querySelector('[data-testid="refreshed"]');
      if (stamp) stamp.textContent = `refreshed ${new Date().toLocaleTimeString()}`;
    }
  };
  window.addEventListener('hashchange', () => void refresh());
  await refresh();
  setInterval(() => void refresh(), REFRESH_MS);
}

void start();
