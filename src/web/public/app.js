// @ts-check
// ferry's migration web app: the seed's three steps as screens, plus chats and exports.
/* global window, document */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './ui.js';
import { AccountsScreen } from './accounts.js';
import { CreateBackupScreen } from './create-backup.js';
import { ImportBackupScreen } from './import-backup.js';
import { ChatsScreen } from './chats.js';
import { ExportScreen } from './export.js';

const SCREENS = /** @type {const} */ ([
  { id: 'accounts', title: 'Accounts', component: AccountsScreen },
  { id: 'backup', title: 'Create backup', component: CreateBackupScreen },
  { id: 'import', title: 'Import backup', component: ImportBackupScreen },
  { id: 'chats', title: 'Chats', component: ChatsScreen },
  { id: 'export', title: 'Export', component: ExportScreen },
]);

function screenFromHash() {
  const id = window.location.hash.replace(/^#\/?/, '').split('/')[0];
  return SCREENS.some((s) => s.id === id) ? id : 'accounts';
}

function App() {
  const [current, setCurrent] = useState(screenFromHash());
  useEffect(() => {
    const onHash = () => setCurrent(screenFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const [first, setFirst] = useState(true);
  useEffect(() => {
    const screen = SCREENS.find((s) => s.id === current);
    document.title = `${screen?.title ?? 'ferry'} — ferry`;
    // Moving focus to the new screen helps screen readers; not on the first load.
    if (!first) document.getElementById('main')?.focus();
    setFirst(false);
  }, [current]);
  const screen = SCREENS.find((s) => s.id === current) ?? SCREENS[0];
  const Screen = screen.component;
  return html`
    <a
      class="skip"
      href="#main"
      onClick=${(/** @type {MouseEvent} */ e) => {
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}
      >Skip to content</a
    >
    <header>
      <h1>ferry</h1>
      <p class="tagline">Move your chats to a new device</p>
      <nav aria-label="Steps">
        <ul>
          ${SCREENS.map(
            (s) =>
              html`<li>
                <a href=${`#${s.id}`} aria-current=${s.id === current ? 'page' : undefined}
                  >${s.title}</a
                >
              </li>`,
          )}
        </ul>
      </nav>
    </header>
    <main id="main" tabindex="-1">
      <${Screen} go=${(/** @type {string} */ id) => (window.location.hash = id)} />
    </main>
  `;
}

// After a reload the screens are built anew and an outcome scrolls itself into view (ui.js
// Outcome); the browser putting back the old scroll position after that would move it away.
window.history.scrollRestoration = 'manual';
const root = /** @type {HTMLElement} */ (document.getElementById('app'));
root.textContent = '';
render(html`<${App} />`, root);
