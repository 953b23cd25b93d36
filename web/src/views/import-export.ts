/**
 * Import and export (#/import, docs/design.md §19): bring a bookmark file in
 * (a file picker, its format, private, tags), follow the job with a progress
 * bar until it is done, then show its counts and the entries not imported with
 * why; take every link out as Netscape HTML, JSON or CSV.
 */
import { ApiError } from '../api.ts';
import { field, h } from '../dom.ts';
import { onSubmit } from '../forms.ts';
import { announce } from '../status.ts';
import type { View } from '../view.ts';
import './import-export.css';

interface ImportStatus {
  import_id: string;
  state: 'running' | 'done' | 'failed';
  total: number;
  processed: number;
  imported: number;
  updated: number;
  unchanged?: number;
  skipped: number;
  errors: Array<{ url: string; err: string }>;
}

/** How often the job is asked about while it runs. */
const pollMs = 700;
/** The last import started in this tab: shown again after a reload or a visit to another screen. */
const lastImportKey = 'delinkcious.last-import';

async function send<T>(method: string, path: string, body?: FormData): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { method, body: body ?? null, headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'Delinkcious could not be reached: check your connection, then try again.');
  }
  const data = (await response.json().catch(() => undefined)) as ({ err?: unknown } & T) | undefined;
  const err = typeof data?.err === 'string' ? data.err : '';
  if (!response.ok || err || !data) throw new ApiError(response.status, err || `the server answered ${response.status}`);
  return data;
}

const exportFormats = [
  { format: 'netscape', label: 'Netscape HTML', hint: 'for browsers and most bookmark services' },
  { format: 'json', label: 'JSON', hint: 'everything, to import here again' },
  { format: 'csv', label: 'CSV', hint: 'for spreadsheets' },
] as const;

export function importExportView(): View {
  const file = h('input', { type: 'file', name: 'file', accept: '.html,.htm,.json,text/html,application/json' });
  const format = h(
    'select',
    { name: 'format' },
    h('option', { value: 'auto' }, 'Find out from the file'),
    h('option', { value: 'netscape' }, 'Netscape HTML (browsers, Pinboard, Shaarli…)'),
    h('option', { value: 'pinboard' }, 'Pinboard JSON'),
    h('option', { value: 'delinkcious' }, 'Delinkcious JSON'),
  );
  const makePrivate = h('input', { type: 'checkbox', role: 'switch', name: 'private' });
  const tags = h('input', { name: 'tags', autocomplete: 'off', placeholder: 'e.g. imported, firefox' });
  const form = h(
    'form',
    { class: 'card import-form', 'aria-labelledby': 'import-title' },
    h('h2', { id: 'import-title' }, 'Import bookmarks'),
    h('p', { class: 'hint' }, 'A bookmarks file exported from a browser, Pinboard, Delicious, Shaarli or Delinkcious. Links you already have only gain new tags, and a description where they have none.'),
    field({ label: 'File', control: file }),
    field({ label: 'Format', control: format }),
    h('div', { class: 'field' }, h('label', { class: 'switch' }, makePrivate, ' Import every link as private')),
    field({ label: 'Add tags', control: tags, hint: 'Added to every imported link, separated by commas or spaces.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, 'Import')),
  );

  const progress = h('progress', { max: 1, value: 0, 'aria-labelledby': 'import-progress-label' });
  const progressLabel = h('p', { id: 'import-progress-label', class: 'muted' });
  const result = h('div', { class: 'import-result', 'aria-live': 'polite' });
  const progressPanel = h('section', { class: 'card import-progress', hidden: true, 'aria-labelledby': 'import-progress-title' }, h('h2', { id: 'import-progress-title' }, 'Import'), progressLabel, progress, result);

  const exportPanel = h(
    'section',
    { class: 'card', 'aria-labelledby': 'export-title' },
    h('h2', { id: 'export-title' }, 'Export your links'),
    h('p', { class: 'hint' }, 'Every one of your links, private ones included, as a file to download.'),
    h(
      'ul',
      { class: 'export-list' },
      exportFormats.map(({ format: name, label, hint }) =>
        h('li', {}, h('a', { class: 'button', href: `/v1/export?format=${name}`, download: '', 'data-format': name }, `Download ${label}`), ' ', h('span', { class: 'muted' }, hint)),
      ),
    ),
  );

  const element = h(
    'section',
    { class: 'view import-export-view', 'aria-labelledby': 'view-title' },
    h('div', { class: 'view-head' }, h('h1', { id: 'view-title', tabindex: '-1' }, 'Import and export')),
    form,
    progressPanel,
    exportPanel,
  );

  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  /** Whether the job was seen running here: only then is its end announced. */
  let watching = false;

  onSubmit(form, { fields: { file: ['file', 'the file', 'the form'], format: ['format'], tags: ['tags'], private: ['private'] }, byStatus: { 413: 'file' } }, async () => {
    const chosen = file.files?.[0];
    if (!chosen) throw new ApiError(400, 'the file: choose a bookmarks file to import');
    const body = new FormData();
    body.append('file', chosen, chosen.name);
    const query = new URLSearchParams({ format: format.value });
    if (makePrivate.checked) query.set('private', 'true');
    if (tags.value.trim()) query.set('tags', tags.value.trim());
    const started = await send<{ import_id: string }>('POST', `/v1/import?${query}`, body);
    clearTimeout(timer);
    progressPanel.hidden = false;
    result.replaceChildren();
    progressLabel.textContent = 'Importing…';
    progress.value = 0;
    announce('Import started.');
    watching = true;
    sessionStorage.setItem(lastImportKey, started.import_id);
    follow(started.import_id);
  });

  const last = sessionStorage.getItem(lastImportKey);
  if (last) {
    progressPanel.hidden = false;
    progressLabel.textContent = 'Your last import…';
    follow(last);
  }

  function follow(id: string): void {
    void send<ImportStatus>('GET', `/v1/imports/${encodeURIComponent(id)}`)
      .then((status) => {
        if (disposed) return;
        show(status);
        if (status.state === 'running') timer = setTimeout(() => follow(id), pollMs);
      })
      .catch((error: unknown) => {
        if (disposed) return;
        // Gone (another account signed in in this tab): nothing to show.
        if (error instanceof ApiError && error.status === 404) {
          sessionStorage.removeItem(lastImportKey);
          progressPanel.hidden = true;
          return;
        }
        progressLabel.textContent = `Could not follow the import: ${error instanceof Error ? error.message : String(error)}. It goes on; reload to see it.`;
      });
  }

  function show(status: ImportStatus): void {
    progress.max = Math.max(1, status.total);
    progress.value = status.processed;
    progressLabel.textContent =
      status.state === 'running' ? `Importing… ${status.processed} of ${status.total}` : status.state === 'done' ? `Done: ${status.total} entries read.` : 'The import failed.';
    if (status.state === 'running') {
      watching = true;
      return;
    }
    const counts = h(
      'ul',
      { class: 'import-counts' },
      h('li', { 'data-count': 'imported' }, `${status.imported} new links`),
      h('li', { 'data-count': 'updated' }, `${status.updated} links you had gained tags or a description`),
      h('li', { 'data-count': 'unchanged' }, `${status.unchanged ?? 0} links you had already`),
      h('li', { 'data-count': 'skipped' }, `${status.skipped} not imported`),
    );
    const skipped =
      status.errors.length > 0
        ? h(
            'details',
            { class: 'import-skipped', open: true },
            h('summary', {}, `Not imported (${status.skipped})`),
            h('ul', {}, status.errors.map((error) => h('li', {}, h('span', { class: 'skipped-url' }, error.url || '(no URL)'), ': ', h('span', { class: 'skipped-reason' }, error.err)))),
            status.skipped > status.errors.length ? h('p', { class: 'muted' }, `… and ${status.skipped - status.errors.length} more.`) : null,
          )
        : null;
    result.replaceChildren(counts, skipped ?? '', h('p', {}, h('a', { href: '#/links' }, 'See your links')));
    const announced = watching;
    watching = false;
    if (announced) announce(status.state === 'done' ? `Import done: ${status.imported} new links, ${status.skipped} not imported.` : 'The import failed.', status.state === 'done' ? 'ok' : 'error');
  }

  return {
    element,
    dispose() {
      disposed = true;
      clearTimeout(timer);
    },
  };
}
