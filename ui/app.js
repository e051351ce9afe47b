// The Ferry console: plain DOM, no framework. Every text from the server is set as text, never as HTML.
const csrf = document.querySelector('meta[name="ferry-csrf"]').content;
const main = document.getElementById('main');
const fmt = new Intl.NumberFormat('en-US');

/** An element: h('td', { class: 'num' }, 'text', child…). */
/** `ferry test` of a pipeline's cases: "2/2 passed", or each failure as the CLI prints it; "—" without cases. */
function testsCell(tests) {
  if (!tests) return '—';
  if (tests.failed.length === 0) return h('span', { class: 'ok' }, `${tests.total}/${tests.total} passed`);
  return h('span', { class: 'error' }, `${tests.total - tests.failed.length}/${tests.total} passed\n${tests.failed.join('\n')}`);
}

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

async function api(method, path, body, raw) {
  const headers = { 'x-ferry-csrf': csrf };
  if (body !== undefined && !raw) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: raw ? body : body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (!res.ok) throw new Error(data.error || `HTTP ${res.status}`);
  return data;
}

function confirmDialog(title, body, yes = 'Confirm') {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-body').replaceChildren(body);
  document.getElementById('confirm-yes').textContent = yes;
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
}

const errorBox = (err) => h('p', { class: 'error', 'data-test': 'error' }, err instanceof Error ? err.message : String(err));
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
const statusBadge = (s) => h('span', { class: `status ${s}`, 'data-test': 'status' }, s);

// ---- the shared live feed: one EventSource per tab; the server polls the engine once for all tabs.
let jobs = [];
const listeners = new Set();
const events = new EventSource('/api/events');
events.onmessage = (e) => {
  jobs = JSON.parse(e.data);
  for (const fn of listeners) fn(jobs);
};

function progressCell(job) {
  if (job.percent === null) return h('td', {}, h('span', { class: 'muted' }, job.status === 'pending' ? 'waiting' : '—'));
  const pace = job.perSecond !== null ? ` · ${fmt.format(job.perSecond)} records/s · ETA ${job.eta}` : '';
  // Its width set through the CSSOM: the page's CSP (style-src 'self') drops a style attribute.
  const filled = h('span');
  filled.style.width = `${job.percent}%`;
  return h('td', { 'data-test': 'progress' }, h('span', { class: 'bar' }, filled), ` ${job.percent}%${pace}`);
}

function countsText(s, kind) {
  if (!s) return '—';
  const parts = [`${fmt.format(s.total)} total`];
  if (kind === 'export') parts.push(`${fmt.format(s.exported)} exported`);
  else parts.push(`${fmt.format(s.inserted)} inserted`, `${fmt.format(s.updated)} updated`, `${fmt.format(s.unchanged)} unchanged`);
  parts.push(`${fmt.format(s.rejected)} rejected`);
  return parts.join(' · ');
}

// ---- pages
const pages = {
  jobs(view) {
    const tbody = h('tbody');
    const draw = (list) => {
      tbody.replaceChildren(
        ...(list.length === 0 ? [h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No jobs yet. Run a pipeline.'))] : []),
        ...list.map((j) =>
          h(
            'tr',
            { 'data-job': j.id },
            h('td', {}, h('a', { href: `#/jobs/${encodeURIComponent(j.id)}` }, j.id)),
            h('td', {}, j.pipeline, h('div', { class: 'muted' }, `${j.kind} · ${j.engine}`)),
            h('td', {}, statusBadge(j.status)),
            progressCell(j),
            h('td', {}, countsText(j.summary, j.kind)),
            h('td', {}, when(j.startedAt)),
            h('td', {}, when(j.endedAt)),
          ),
        ),
      );
    };
    view.append(
      h('h2', {}, 'Jobs'),
      h(
        'table',
        { id: 'jobs' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Job', 'Pipeline', 'Status', 'Progress', 'Records', 'Started', 'Ended'].map((t) => h('th', {}, t)),
          ),
        ),
        tbody,
      ),
    );
    draw(jobs);
    api('GET', '/api/jobs').then(draw, (e) => view.append(errorBox(e)));
    return draw;
  },

  job(view, id) {
    const head = h('div');
    const body = h('div');
    view.append(head, body);
    let last = '';
    const load = async () => {
      const job = await api('GET', `/api/jobs/${encodeURIComponent(id)}`);
      // The progress bar comes from the live feed's row: a job that had ended before the feed
      // listed it must be drawn again once it does, or its page never shows the bar.
      const row = jobs.find((j) => j.id === id);
      const key = JSON.stringify([job.status, job.summary, job.artifacts, row?.percent, row?.perSecond]);
      if (key === last) return;
      last = key;
      drawJob(head, job);
      if (!body.firstChild && job.kind !== 'export') body.append(rejectsTable(job));
      else if (body.firstChild) body.firstChild.dispatchEvent(new Event('refresh'));
    };
    load().catch((e) => head.replaceChildren(errorBox(e)));
    return (list) => {
      const row = list.find((j) => j.id === id);
      if (row) load().catch(() => undefined);
    };
  },

  async run(view) {
    view.append(h('h2', {}, 'Run a pipeline'));
    const list = await api('GET', '/api/pipelines');
    const runnable = list.filter((p) => p.kind === 'import' || p.kind === 'migrate');
    const select = h(
      'select',
      { id: 'run-pipeline' },
      runnable.map((p) => h('option', { value: p.file }, `${p.name} (${p.file})`)),
    );
    let upload = null;
    const uploaded = h('span', { id: 'upload-status', class: 'muted' }, 'No file: the pipeline reads its own source.');
    const fileInput = h('input', {
      type: 'file',
      id: 'upload-input',
      accept: '.csv,.json,.ndjson,.jsonl',
      onchange: () => fileInput.files[0] && send(fileInput.files[0]),
    });
    const send = async (file) => {
      uploaded.textContent = `Uploading ${file.name}…`;
      try {
        const r = await api('POST', `/api/uploads?name=${encodeURIComponent(file.name)}`, file, true);
        upload = r.upload;
        uploaded.textContent = `${r.name} uploaded (${fmt.format(r.bytes)} bytes, ${r.format})`;
        uploaded.className = 'ok';
      } catch (e) {
        upload = null;
        uploaded.textContent = e.message;
        uploaded.className = 'error';
      }
    };
    const drop = h(
      'div',
      {
        class: 'drop',
        id: 'drop',
        ondragover: (e) => {
          e.preventDefault();
          drop.classList.add('over');
        },
        ondragleave: () => drop.classList.remove('over'),
        ondrop: (e) => {
          e.preventDefault();
          drop.classList.remove('over');
          if (e.dataTransfer.files[0]) send(e.dataTransfer.files[0]);
        },
      },
      'Drop a CSV, JSON or NDJSON file here, or ',
      fileInput,
    );
    const result = h('div', { id: 'dry-run' });
    const dryRunButton = h(
      'button',
      {
        class: 'primary',
        id: 'dry-run-button',
        onclick: async () => {
          result.replaceChildren(h('p', { class: 'muted' }, 'Dry run in progress: nothing is written…'));
          try {
            const report = await api('POST', '/api/runs/dry-run', { pipeline: select.value, upload });
            result.replaceChildren(
              drawDryRun(report, async () => {
                const { job } = await api('POST', '/api/runs', { pipeline: select.value, upload, dryRun: report.id });
                location.hash = `#/jobs/${encodeURIComponent(job)}`;
              }),
            );
          } catch (e) {
            result.replaceChildren(errorBox(e));
          }
        },
      },
      'Dry run',
    );
    view.append(
      h(
        'div',
        { class: 'card' },
        h('div', { class: 'row' }, h('label', {}, 'Pipeline'), select),
        drop,
        h('p', {}, uploaded),
        dryRunButton,
        h('p', { class: 'muted' }, 'A run always starts with its dry run: what would be inserted, updated, left unchanged and rejected.'),
      ),
      result,
    );
    for (const p of list.filter((p) => p.diagnostics.length > 0)) view.append(h('p', { class: 'error' }, p.diagnostics.join('\n')));
  },

  async export(view) {
    view.append(h('h2', {}, 'Export builder'));
    const { connections, defaultColumns } = await api('GET', '/api/connections');
    const draft = {
      name: 'users-export',
      connection: connections[0],
      query: '*',
      sort: { by: 'created_at', order: 'desc' },
      format: 'csv',
      columns: defaultColumns.map((c) => ({ ...c })),
    };
    const count = h('button', { class: 'primary big', id: 'export-count', disabled: true }, 'Export … users');
    const queryError = h('span', { class: 'error', id: 'query-error' });
    let timer;
    const recount = () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        try {
          const r = await api('POST', '/api/export/count', { connection: draft.connection, query: draft.query });
          if ('error' in r) {
            queryError.textContent = r.offset === null ? r.error : `at character ${r.offset + 1}: ${r.error}`;
            count.textContent = 'Export … users';
          } else {
            queryError.textContent = '';
            count.textContent = `Export ${fmt.format(r.count)} user${r.count === 1 ? '' : 's'}`;
            count.dataset.count = String(r.count);
          }
          count.disabled = 'error' in r;
        } catch (e) {
          queryError.textContent = e.message;
        }
      }, 250);
    };
    const bind = (el, set) => {
      el.addEventListener('input', () => {
        set(el.value);
        if (el.dataset.counts) recount();
      });
      return el;
    };
    const columns = h('tbody', { id: 'export-columns' });
    const drawColumns = () =>
      columns.replaceChildren(
        ...draft.columns.map((c, i) =>
          h(
            'tr',
            { 'data-column': c.expression },
            h(
              'td',
              {},
              bind(h('input', { value: c.header, 'data-test': 'col-header' }), (v) => (c.header = v)),
            ),
            h(
              'td',
              {},
              bind(h('input', { value: c.expression, class: 'wide', 'data-test': 'col-expression' }), (v) => (c.expression = v)),
            ),
            h(
              'td',
              {},
              h(
                'button',
                {
                  class: 'danger',
                  'data-test': 'col-remove',
                  onclick: () => {
                    draft.columns.splice(i, 1);
                    drawColumns();
                  },
                },
                'Remove',
              ),
            ),
          ),
        ),
      );
    drawColumns();
    const output = h('div', { id: 'export-output' });
    const act = (label, id, fn) =>
      h(
        'button',
        {
          id,
          onclick: async () => {
            output.replaceChildren(h('p', { class: 'muted' }, `${label}…`));
            try {
              await fn();
            } catch (e) {
              output.replaceChildren(errorBox(e));
            }
          },
        },
        label,
      );
    view.append(
      h(
        'div',
        { class: 'card' },
        h(
          'div',
          { class: 'row' },
          h('label', {}, 'Connection'),
          bind(
            h(
              'select',
              { id: 'export-connection', 'data-counts': 1 },
              connections.map((c) => h('option', { value: c }, c)),
            ),
            (v) => (draft.connection = v),
          ),
          h('label', {}, 'Name'),
          bind(h('input', { id: 'export-name', value: draft.name }), (v) => (draft.name = v)),
        ),
        h(
          'div',
          { class: 'row' },
          h('label', {}, 'Query (Lucene)'),
          bind(
            h('input', { id: 'export-query', class: 'wide', value: draft.query, placeholder: '_exists_:email AND email_verified:true', 'data-counts': 1 }),
            (v) => (draft.query = v),
          ),
          queryError,
        ),
        h(
          'div',
          { class: 'row' },
          count,
          act('Preview 10 rows', 'export-preview', async () => {
            const r = await api('POST', '/api/export/preview', { draft });
            output.replaceChildren(h('h3', {}, `Preview (${r.format})`), h('pre', { id: 'preview-text' }, r.text));
          }),
          act('Save as pipeline', 'export-save', async () => {
            const r = await api('POST', '/api/export/save', { draft });
            output.replaceChildren(h('p', { class: 'ok', id: 'saved' }, `Saved ${r.file}: `, h('code', {}, `ferry run ${r.file}`), ' runs it.'));
          }),
        ),
        output,
        h(
          'div',
          { class: 'row' },
          h('label', {}, 'Sort by'),
          bind(h('input', { id: 'export-sort', value: draft.sort.by }), (v) => (draft.sort = v ? { ...draft.sort, by: v } : null)),
          bind(
            h('select', { id: 'export-order' }, h('option', { value: 'desc' }, 'descending'), h('option', { value: 'asc' }, 'ascending')),
            (v) => draft.sort && (draft.sort.order = v),
          ),
          h('label', {}, 'Format'),
          bind(
            h(
              'select',
              { id: 'export-format' },
              ['csv', 'json', 'ndjson'].map((f) => h('option', { value: f }, f)),
            ),
            (v) => (draft.format = v),
          ),
        ),
        h('h3', {}, 'Columns'),
        h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Header'), h('th', {}, 'JSONata expression over the stored user'), h('th'))), columns),
        h(
          'div',
          { class: 'row' },
          h(
            'button',
            {
              id: 'add-defaults',
              onclick: () => {
                for (const d of defaultColumns) if (!draft.columns.some((c) => c.header === d.header)) draft.columns.push({ ...d });
                drawColumns();
              },
            },
            'Add default columns',
          ),
          h(
            'button',
            {
              id: 'add-computed',
              onclick: () => {
                draft.columns.push({ header: `column_${draft.columns.length + 1}`, expression: "given_name & ' ' & family_name" });
                drawColumns();
              },
            },
            'Add computed column',
          ),
        ),
      ),
    );
    count.addEventListener('click', async () => {
      try {
        const { job } = await api('POST', '/api/export/run', { draft });
        location.hash = `#/jobs/${encodeURIComponent(job)}`;
      } catch (e) {
        output.replaceChildren(errorBox(e));
      }
    });
    recount();
  },

  async pipelines(view) {
    const list = await api('GET', '/api/pipelines');
    view.append(
      h('h2', {}, 'Pipelines'),
      h(
        'table',
        { id: 'pipelines' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['File', 'Name', 'Kind', 'Schedule', 'Validation', 'Tests'].map((t) => h('th', {}, t)),
          ),
        ),
        h(
          'tbody',
          {},
          list.map((p) =>
            h(
              'tr',
              {},
              h('td', {}, h('code', {}, p.file)),
              h('td', {}, p.name ?? '—'),
              h('td', {}, p.kind ?? '—'),
              h('td', {}, p.schedule ?? '—'),
              h('td', {}, p.diagnostics.length ? h('span', { class: 'error' }, p.diagnostics.join('\n')) : h('span', { class: 'ok' }, 'valid')),
              h('td', { class: 'tests' }, testsCell(p.tests)),
            ),
          ),
        ),
      ),
    );
  },

  async schedules(view) {
    const list = await api('GET', '/api/schedules');
    view.append(
      h('h2', {}, 'Schedules'),
      list.length === 0
        ? h('p', { class: 'muted' }, 'No pipeline has a schedule:.')
        : h(
            'table',
            { id: 'schedules' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Pipeline', 'Cron', 'Time zone', 'Next run', 'Last run'].map((t) => h('th', {}, t)),
              ),
            ),
            h(
              'tbody',
              {},
              list.map((s) =>
                h(
                  'tr',
                  {},
                  h('td', {}, s.pipeline),
                  h('td', {}, h('code', {}, s.cron)),
                  h('td', {}, s.timezone ?? 'server'),
                  h('td', {}, s.nextRun ?? 'never'),
                  h('td', {}, s.lastRun ? `${when(s.lastRun)}${s.lastJob ? ` (${s.lastJob})` : ''}` : '—'),
                ),
              ),
            ),
          ),
    );
  },
};

function drawJob(head, job) {
  const s = job.summary;
  const row = jobs.find((j) => j.id === job.id);
  const jobUrl = `/api/jobs/${encodeURIComponent(job.id)}`;
  const actions = h('div', { class: 'row' });
  const action = (label, id, confirmText, fn, cls) =>
    actions.append(
      h(
        'button',
        {
          id,
          class: cls,
          onclick: async () => {
            const text = typeof confirmText === 'function' ? await confirmText() : confirmText;
            if (text === null || !(await confirmDialog(label, text instanceof Node ? text : h('p', {}, text), label))) return;
            try {
              const r = await fn(text);
              if (r.job && r.job !== job.id) location.hash = `#/jobs/${encodeURIComponent(r.job)}`;
            } catch (e) {
              head.append(errorBox(e));
            }
          },
        },
        label,
      ),
    );
  const live = job.status === 'running' || job.status === 'pending';
  const ended = job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled';
  if (live) action('Cancel', 'action-cancel', `Stop job ${job.id} after its batches in flight? It can be resumed.`, () => api('POST', `${jobUrl}/cancel`));
  if (['failed', 'cancelled', 'interrupted'].includes(job.status))
    action('Resume', 'action-resume', `Continue job ${job.id} from its journal? Finished batches are not redone.`, () => api('POST', `${jobUrl}/resume`));
  if (ended && job.kind === 'import' && s && s.rejected > 0)
    action('Retry rejects', 'action-retry', `Run the ${s.rejected} rejected record(s) of ${job.id} again through the pipeline as it is now?`, () =>
      api('POST', `${jobUrl}/retry-rejects`),
    );
  if (!live && (job.kind === 'import' || job.kind === 'migrate')) {
    let force = false;
    action(
      'Roll back',
      'action-rollback',
      async () => {
        const check = await api('GET', `${jobUrl}/rollback-check`).catch((e) => ({ error: e.message }));
        if (check.error) return h('p', { class: 'error', id: 'rollback-findings' }, check.error);
        force = !check.ok;
        return check.ok
          ? h(
              'p',
              { id: 'rollback-findings' },
              `The rollback check found no row changed since job ${job.id} wrote it. Rolling back deletes the rows it inserted and puts back the previous values of the rows it updated.`,
            )
          : h(
              'div',
              { id: 'rollback-findings' },
              h('pre', {}, check.findings),
              h('p', {}, 'Confirming puts every row back anyway, undoing those changes too.'),
            );
      },
      () => api('POST', `${jobUrl}/rollback`, { force }),
      'danger',
    );
  }
  const downloads = h(
    'div',
    { class: 'row', id: 'downloads' },
    job.artifacts.length === 0
      ? h('span', { class: 'muted' }, 'none yet')
      : job.artifacts.map((a) =>
          h(
            'a',
            { href: `${jobUrl}/download/${a}`, download: true, 'data-artifact': a },
            { 'rejects.ndjson': 'Rejects (NDJSON)', 'rejects.csv': 'Rejects (CSV)', output: 'Export output', 'backup.ndjson': 'Backup (secrets masked)' }[a],
          ),
        ),
  );
  head.replaceChildren(
    h('h2', {}, job.id, ' ', statusBadge(job.status)),
    h(
      'div',
      { class: 'card' },
      h('p', {}, `${job.kind} · pipeline ${job.pipeline} (${job.pipelineFile}) · engine ${job.engine}${job.detail ? ` · ${job.detail}` : ''}`),
      h('p', {}, `Started ${when(job.startedAt)} · ended ${when(job.endedAt)}`),
      row ? h('table', {}, h('tbody', {}, h('tr', {}, progressCell(row)))) : null,
      h('p', { class: 'counts', id: 'job-counts' }, countsText(s, job.kind)),
      h('p', {}, `Batches ${s ? `${s.batches.done}/${s.batches.total}` : '—'}`),
      job.error ? h('p', { class: 'error', id: 'job-error' }, job.error) : null,
      job.sourceChange ? h('p', { class: 'muted', id: 'source-change' }, job.sourceChange) : null,
      job.waiting ? h('p', { class: 'muted' }, job.waiting) : null,
      job.notifications.length
        ? h(
            'div',
            {},
            h('h3', {}, 'Notifications'),
            job.notifications.map((n) => h('p', { class: n.ok ? 'ok' : 'error' }, `notify[${n.index}] ${n.ok ? 'sent' : 'FAILED'}: ${n.detail}`)),
          )
        : null,
      h('h3', {}, 'Downloads'),
      downloads,
      actions,
    ),
  );
}

function rejectsTable(job) {
  const state = { code: '', path: '', offset: 0, limit: 50 };
  const url = `/api/jobs/${encodeURIComponent(job.id)}/rejects`;
  const codes = h('select', {
    id: 'rejects-code',
    onchange: () => {
      state.code = codes.value;
      state.offset = 0;
      load();
    },
  });
  const path = h('input', {
    id: 'rejects-path',
    placeholder: 'path contains…',
    oninput: () => {
      state.path = path.value;
      state.offset = 0;
      clearTimeout(path.t);
      path.t = setTimeout(load, 200);
    },
  });
  const info = h('span', { class: 'muted', id: 'rejects-info' });
  const tbody = h('tbody');
  const prev = h(
    'button',
    {
      onclick: () => {
        state.offset = Math.max(0, state.offset - state.limit);
        load();
      },
    },
    '← Previous',
  );
  const next = h(
    'button',
    {
      id: 'rejects-next',
      onclick: () => {
        state.offset += state.limit;
        load();
      },
    },
    'Next →',
  );
  const box = h(
    'div',
    { class: 'card', id: 'rejects' },
    h('h3', {}, 'Rejects'),
    h('div', { class: 'row' }, h('label', {}, 'Code'), codes, h('label', {}, 'Path'), path, info, prev, next),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', { class: 'num' }, 'Row'), h('th', {}, 'Code'), h('th', {}, 'Path'), h('th', {}, 'Message'))), tbody),
  );
  const load = async () => {
    const q = new URLSearchParams({ offset: state.offset, limit: state.limit, code: state.code, path: state.path });
    try {
      const page = await api('GET', `${url}?${q}`);
      if (codes.options.length !== page.codes.length + 1)
        codes.replaceChildren(
          h('option', { value: '' }, 'all codes'),
          ...page.codes.map((c) => h('option', { value: c.code }, `${c.code} (${fmt.format(c.count)})`)),
        );
      codes.value = state.code;
      // What the table leaves out says so: errors past the indexed ones, lines not readable (a report cut short).
      const notes = [
        page.indexed < page.errors
          ? `the table holds the first ${fmt.format(page.indexed)} of ${fmt.format(page.errors)} errors: download the report for all`
          : '',
        page.unreadable > 0 ? `${fmt.format(page.unreadable)} line(s) of the report are not rejects (cut short or damaged): download it to see them` : '',
      ].filter(Boolean);
      info.textContent =
        (page.total === 0 ? 'no rejects' : `${fmt.format(state.offset + 1)}–${fmt.format(state.offset + page.lines.length)} of ${fmt.format(page.total)}`) +
        notes.map((n) => ` · ${n}`).join('');
      prev.disabled = state.offset === 0;
      next.disabled = state.offset + page.lines.length >= page.total;
      tbody.replaceChildren(
        ...page.lines.map((l) =>
          h(
            'tr',
            { 'data-test': 'reject' },
            h('td', { class: 'num' }, l.row),
            h('td', {}, h('code', {}, l.code)),
            h('td', {}, l.path || '—'),
            h('td', {}, l.message),
          ),
        ),
      );
    } catch (e) {
      info.textContent = e.message;
    }
  };
  box.addEventListener('refresh', load);
  load();
  return box;
}

function drawDryRun(report, start) {
  const s = report.summary;
  const ex = report.examples;
  const startButton = h(
    'button',
    {
      class: 'primary',
      id: 'start-button',
      disabled: report.status !== 'succeeded',
      onclick: async () => {
        startButton.disabled = true;
        try {
          await start();
        } catch (e) {
          box.append(errorBox(e));
          startButton.disabled = false;
        }
      },
    },
    'Start the job',
  );
  const box = h(
    'div',
    { class: 'card' },
    h('h3', {}, 'Dry run: nothing was written'),
    h(
      'p',
      { class: 'counts', id: 'dry-run-counts' },
      h('span', {}, `would insert ${fmt.format(s.would_insert)}`),
      h('span', {}, `would update ${fmt.format(s.would_update)}`),
      h('span', {}, `unchanged ${fmt.format(s.unchanged)}`),
      h('span', {}, `rejected ${fmt.format(s.rejected)}`),
      h('span', { class: 'muted' }, `of ${fmt.format(s.total)}`),
    ),
    report.error ? h('p', { class: 'error' }, `The job would fail: ${report.error}`) : null,
    ex.insert.length
      ? h(
          'div',
          {},
          h('h3', {}, 'Would insert'),
          ex.insert.map((e) => h('p', {}, `row ${e.row} `, h('code', {}, JSON.stringify(e.key)))),
        )
      : null,
    ex.update.length
      ? h(
          'div',
          {},
          h('h3', {}, 'Would update'),
          ex.update.map((e) =>
            h(
              'div',
              {},
              h('p', {}, `row ${e.row} `, h('code', {}, JSON.stringify(e.key))),
              h(
                'pre',
                {},
                e.diffs.map((d) => `${d.path}: ${'old' in d ? JSON.stringify(d.old) : '∅'} → ${'new' in d ? JSON.stringify(d.new) : '∅'}`).join('\n'),
              ),
            ),
          ),
        )
      : null,
    ex.reject.length
      ? h(
          'div',
          {},
          h('h3', {}, 'Would reject'),
          ex.reject.map((e) => h('p', {}, `row ${e.row}: `, e.errors.map((x) => `${x.code} ${x.path}: ${x.message}`).join('; '))),
        )
      : null,
    startButton,
  );
  return box;
}

// ---- routing
let current = null;
async function route() {
  listeners.delete(current);
  current = null;
  const [, page = 'jobs', id] = location.hash.split('/');
  for (const a of document.querySelectorAll('nav a'))
    a.classList.toggle('active', a.getAttribute('href') === `#/${page}` || (page === 'jobs' && a.getAttribute('href') === '#/jobs'));
  const view = h('div', { id: `page-${page}` });
  main.replaceChildren(view);
  try {
    const onJobs = page === 'jobs' && id ? pages.job(view, decodeURIComponent(id)) : await (pages[page] ?? pages.jobs)(view);
    if (typeof onJobs === 'function') listeners.add((current = onJobs));
  } catch (e) {
    view.append(errorBox(e));
  }
}
window.addEventListener('hashchange', route);
route();
