/*
 * bankbot content pages: FAQs, four-eyes approval, checks, training and
 * deployment, "try it", spreadsheets, the repository comparison, the audit log.
 * Plain JavaScript, no build step.
 *
 * Rules this file keeps (as the agent console does):
 * - server text goes into the page with textContent only (the `h()` helper);
 * - no inline script or style (the gateway's CSP is script-src 'self');
 * - the session is an HttpOnly cookie; unsafe requests carry the CSRF header;
 * - the training job is read from the server, so the page can be closed and reopened.
 */
'use strict';

(() => {
  const HEADERS = { 'Content-Type': 'application/json', 'X-Requested-With': 'bankbot-console' };
  const body = document.body;
  const me = { id: Number(body.dataset.agentId), role: body.dataset.role };
  const isEditor = me.role === 'editor';
  const $ = (id) => document.getElementById(id);
  const state = { faq: null, change: null, jobId: null, poll: null, tab: 'faqs' };

  const KIND = { add: '新增 New', edit: '修改 Edit', retire: '下线 Retire' };
  const STATUS = {
    pending: '待审批 Pending', approved: '已批准 Approved', rejected: '已退回 Rejected', withdrawn: '已撤回 Withdrawn',
    queued: '排队 Queued', running: '进行中 Running', succeeded: '成功 Succeeded', failed: '失败 Failed',
    cancelled: '已取消 Cancelled', live: '线上 Live', previous: '曾上线 Previous', candidate: '候选 Candidate',
  };
  const SYNC = {
    repository_newer: '代码库中有更新 Changed in the repository',
    database_newer: '此处已更新，文件未更新 Changed here, not yet in the files',
    both_changed: '两边都有修改 Changed on both sides',
  };
  const CATEGORIES = (body.dataset.categories || '').split(',').filter(Boolean);

  /** Build an element; `text` becomes textContent, `on…` become listeners. */
  function h(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'text') node.textContent = String(value);
      else if (key === 'class') node.className = value;
      else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  class ApiError extends Error {
    constructor(status, code, message, extra) {
      super(message);
      this.status = status;
      this.code = code;
      this.extra = extra || {};
    }
  }

  async function api(method, path, payload, raw) {
    const init = { method, credentials: 'same-origin', headers: { ...HEADERS } };
    if (raw !== undefined) {
      init.headers['Content-Type'] = 'application/octet-stream';
      init.body = raw;
    } else if (payload !== undefined) {
      init.body = JSON.stringify(payload);
    }
    const response = await fetch(path, init);
    let data = null;
    try { data = await response.json(); } catch (_) { data = null; }
    if (response.status === 401) { window.location.assign('/console/login'); }
    if (!response.ok) {
      const error = (data && data.error) || {};
      throw new ApiError(response.status, error.code || 'error', error.message || `HTTP ${response.status}`, error);
    }
    return data;
  }

  function notice(message) {
    const box = $('notice');
    box.textContent = message || '';
    box.hidden = !message;
  }

  async function guarded(action) {
    try {
      notice('');
      await action();
    } catch (error) {
      notice(error.message || String(error));
    }
  }

  /** The language of a text, for screen readers (null: can't tell, the page's applies). */
  const langOf = (text) => (/[\u3400-\u9fff\uf900-\ufaff]/.test(text) ? 'zh-CN' : /[a-z]/i.test(text) ? 'en' : null);
  const lines = (text) => text.split('\n').map((s) => s.trim()).filter(Boolean);
  const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
  const pct = (x) => (x === null || x === undefined ? '—' : `${(100 * x).toFixed(1)}%`);

  // ---- tabs ---------------------------------------------------------------------------------

  const LOADERS = {};
  function showTab(name) {
    state.tab = name;
    for (const tab of document.querySelectorAll('[role=tab]')) {
      const selected = tab.id === `tab-${name}`;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1; // one tab stop; arrow keys move between the tabs
      $(tab.getAttribute('aria-controls')).hidden = !selected;
    }
    if (LOADERS[name]) guarded(LOADERS[name]);
  }
  const TABS = [...document.querySelectorAll('[role=tab]')];
  for (const tab of TABS) {
    tab.addEventListener('click', () => showTab(tab.id.slice(4)));
    tab.addEventListener('keydown', (event) => {
      const at = TABS.indexOf(tab);
      const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: TABS.length - 1 }[event.key];
      if (to === undefined) return;
      event.preventDefault();
      const next = TABS[(to + TABS.length) % TABS.length];
      showTab(next.id.slice(4));
      next.focus();
    });
  }

  // ---- FAQs -----------------------------------------------------------------------------------

  async function loadFaqs() {
    const search = encodeURIComponent($('faq-search').value.trim());
    const retired = $('faq-retired').checked ? '&include_retired=true' : '';
    const data = await api('GET', `/api/content/faqs?search=${search}${retired}`);
    const rows = $('faq-rows');
    rows.replaceChildren(...data.items.map((item) => h('tr', { class: item.retired ? 'retired' : '' },
      h('td', {}, h('button', { type: 'button', class: 'link', text: item.id, onclick: () => guarded(() => openFaq(item.id)) })),
      h('td', { text: item.category }),
      h('td', {}, h('span', { text: item.question.zh || '' }), h('span', { class: 'en', lang: 'en', text: item.question.en || '' })),
      h('td', { text: `${item.examples.zh} / ${item.examples.en}` }),
      h('td', { text: item.version ? `v${item.version}` : '—' }),
      h('td', {}, item.retired ? h('span', { class: 'badge', text: '已下线 Retired' }) : null,
        item.pending_change ? h('span', { class: 'badge pending', text: `${KIND[item.pending_change.kind]} · ${item.pending_change.author}` }) : null),
    )));
    $('faq-empty').hidden = data.items.length > 0;
  }
  LOADERS.faqs = loadFaqs;

  async function openFaq(faqId) {
    const faq = await api('GET', `/api/content/faqs/${encodeURIComponent(faqId)}`);
    state.faq = faq;
    $('faq-form').hidden = true;
    $('faq-detail').hidden = false;
    $('faq-detail-title').textContent = `${faq.id}${faq.retired ? ' (已下线 retired)' : ''} · v${faq.version}`;
    const view = $('faq-view');
    view.replaceChildren();
    const c = faq.content;
    if (c) {
      const add = (label, value, lang) => view.append(h('dt', { text: label }), h('dd', { lang, text: value }));
      add('类别 Category', c.category);
      add('问题 Question', c.question.zh);
      add('English question', c.question.en, 'en');
      add('中文答案 Answer (zh)', c.answer.zh);
      add('English answer', c.answer.en, 'en');
      add(`中文例句 zh examples (${c.examples.zh.length})`, c.examples.zh.join('\n'));
      add(`English examples (${c.examples.en.length})`, c.examples.en.join('\n'), 'en');
    }
    if (faq.pending_change) {
      view.append(h('dt', { text: '待审批 Pending' }), h('dd', {},
        h('button', { type: 'button', class: 'link', text: `#${faq.pending_change.id} ${faq.pending_change.summary} (${faq.pending_change.author})`,
          onclick: () => { showTab('changes'); guarded(() => openChange(faq.pending_change.id)); } })));
    }
    $('faq-history').replaceChildren(...faq.history.map((v) => h('li', {},
      h('strong', { text: `v${v.number} ` }), h('span', { text: `${when(v.created_at)} · ${v.summary}` }),
      h('span', { class: 'meta', text: ` — 作者 by ${v.author}; 批准 approved by ${v.approver} (${v.source})` }))));
    $('faq-edit').disabled = !c;
    $('faq-retire').disabled = !c;
    $('faq-detail').scrollIntoView({ block: 'nearest' });
  }

  /** Open the editor; `taken` are Unanswered messages the change will take up (unanswered.js). */
  function fillForm(faqId, content, taken = []) {
    state.unanswered = taken;
    $('faq-form-taken').hidden = !taken.length;
    $('faq-form-taken').textContent = taken.length
      ? `此修改将处理 ${taken.length} 条未解答的问题。 This change takes up ${taken.length} unanswered message(s).`
      : '';
    const c = content || { category: 'service', question: { zh: '', en: '' }, answer: { zh: '', en: '' }, examples: { zh: [], en: [] }, test: { zh: [], en: [] } };
    $('f-id').value = faqId || '';
    $('f-id').disabled = Boolean(faqId);
    $('f-category').value = c.category;
    $('f-q-zh').value = c.question.zh; $('f-q-en').value = c.question.en;
    $('f-a-zh').value = c.answer.zh; $('f-a-en').value = c.answer.en;
    $('f-ex-zh').value = c.examples.zh.join('\n'); $('f-ex-en').value = c.examples.en.join('\n');
    $('f-t-zh').value = (c.test.zh || []).join('\n'); $('f-t-en').value = (c.test.en || []).join('\n');
    $('faq-form-title').textContent = faqId ? `修改 Edit ${faqId}` : '新增问答 New FAQ';
    $('faq-form-error').hidden = true;
    countExamples();
    $('faq-detail').hidden = true;
    $('faq-form').hidden = false;
    (faqId ? $('f-q-zh') : $('f-id')).focus();
  }

  function countExamples() {
    for (const lang of ['zh', 'en']) {
      const n = lines($(`f-ex-${lang}`).value).length;
      const out = $(`f-ex-${lang}-count`);
      out.textContent = String(n);
      out.className = n >= 10 ? 'ok' : 'short';
    }
  }

  async function saveFaq(event) {
    event.preventDefault();
    const editing = $('f-id').disabled;
    const faqId = $('f-id').value.trim();
    const payload = {
      category: $('f-category').value,
      question: { zh: $('f-q-zh').value, en: $('f-q-en').value },
      answer: { zh: $('f-a-zh').value, en: $('f-a-en').value },
      examples: { zh: lines($('f-ex-zh').value), en: lines($('f-ex-en').value) },
      test: { zh: lines($('f-t-zh').value), en: lines($('f-t-en').value) },
    };
    if (state.unanswered?.length) payload.unanswered = state.unanswered;
    try {
      const change = editing
        ? await api('PUT', `/api/content/faqs/${encodeURIComponent(faqId)}`, payload)
        : await api('POST', '/api/content/faqs', { id: faqId, ...payload });
      $('faq-form').hidden = true;
      state.unanswered = [];
      await loadFaqs();
      await refreshCounts();
      showTab('changes');
      renderChange(change);
      notice(`草稿已保存，等待他人审批。Draft #${change.id} saved; someone else must approve it.`);
    } catch (error) {
      const box = $('faq-form-error');
      box.textContent = error.message;
      box.hidden = false;
    }
  }

  // ---- changes ---------------------------------------------------------------------------------

  async function loadChanges() {
    const data = await api('GET', `/api/content/changes?status=${$('change-filter').value}`);
    $('change-rows').replaceChildren(...data.items.map((c) => h('tr', {},
      h('td', { text: `#${c.id}` }), h('td', { text: c.faq_id }),
      h('td', {}, h('span', { class: 'badge', text: KIND[c.kind] }), ' ', h('span', { text: c.summary })),
      h('td', { text: c.author }), h('td', { text: STATUS[c.status] || c.status }),
      h('td', {}, h('button', { type: 'button', text: '查看 Open', onclick: () => guarded(() => openChange(c.id)) })))));
    $('change-empty').hidden = data.items.length > 0;
  }
  LOADERS.changes = loadChanges;

  async function openChange(changeId) {
    renderChange(await api('GET', `/api/content/changes/${changeId}`));
  }

  function cell(row, side) {
    const value = row[side];
    if (Array.isArray(value)) {
      const marks = side === 'after' ? new Set(row.added) : new Set(row.removed);
      return h('td', {}, h('ul', { class: 'phrases' }, value.map((x) => h('li', { class: marks.has(x) ? (side === 'after' ? 'added' : 'removed') : '', lang: langOf(x), text: x }))));
    }
    return h('td', { class: row.changed ? (side === 'after' ? 'added' : 'removed') : '', lang: langOf(value || ''), text: value || '' });
  }

  function renderChange(c) {
    state.change = c;
    $('change-detail').hidden = false;
    $('change-title').textContent = `#${c.id} ${KIND[c.kind]} · ${c.faq_id}`;
    $('change-meta').textContent = `${STATUS[c.status] || c.status} · 作者 by ${c.author} · ${when(c.created_at)}`
      + (c.reviewer ? ` · 审批 reviewed by ${c.reviewer}${c.review_note ? `: ${c.review_note}` : ''}` : '')
      + (c.base_version ? ` · 基于 based on v${c.base_version}` : '');
    $('change-findings').replaceChildren(...c.findings.map((f) => h('li', { class: f.blocking ? 'blocking' : 'warning', text: `${f.blocking ? '必须修改 Must fix' : '提醒 Warning'}: ${f.message}` })));
    $('diff-rows').replaceChildren(...c.diff.filter((row) => row.changed || c.kind !== 'edit').map((row) => h('tr', { class: row.changed ? 'changed' : '' },
      h('th', { scope: 'row', text: row.label }), cell(row, 'before'), cell(row, 'after'))));
    $('change-approve').hidden = !c.can_approve && !(c.status === 'pending' && me.id !== c.author_id);
    $('change-approve').disabled = !c.can_approve;
    $('change-reject').hidden = !c.can_reject;
    $('change-withdraw').hidden = !c.can_withdraw;
    $('batch-approve').hidden = !(c.batch && c.can_approve);
    $('review-note').value = '';
    $('change-detail').scrollIntoView({ block: 'nearest' });
  }

  async function review(action) {
    const c = state.change;
    if (!c) return;
    const note = $('review-note').value;
    if (action === 'batch') await api('POST', `/api/content/batches/${c.batch}/approve`, undefined);
    else await api('POST', `/api/content/changes/${c.id}/${action}`, action === 'withdraw' ? undefined : { note });
    notice(action === 'reject' ? '已退回 Rejected.' : action === 'withdraw' ? '已撤回 Withdrawn.' : '已批准：下次训练将包含此内容。Approved: the next training includes it.');
    $('change-detail').hidden = true;
    await loadChanges();
    await refreshCounts();
  }

  async function refreshCounts() {
    const data = await api('GET', '/api/content/changes?status=pending');
    $('pending-count').textContent = String(data.items.length);
  }

  // ---- checks -----------------------------------------------------------------------------------

  async function loadChecks() {
    $('checks-summary').textContent = '检查中… Checking…';
    const data = await api('GET', '/api/content/checks');
    const warnings = data.findings.length - data.blocking;
    $('checks-summary').textContent = data.blocking
      ? `${data.blocking} 个问题需修改后才能训练 problem(s) to fix before training; ${warnings} warning(s).`
      : `可以训练 Ready to train: no blocking problems; ${warnings} warning(s).`;
    $('checks-list').replaceChildren(...data.findings.map((f) => h('li', { class: f.blocking ? 'blocking' : 'warning' },
      h('strong', { text: f.faq_id ? `${f.faq_id}: ` : '' }), h('span', { text: f.message }))));
  }
  LOADERS.checks = loadChecks;

  // ---- training ----------------------------------------------------------------------------------

  async function loadTraining() {
    const data = await api('GET', '/api/content/training');
    const live = data.live;
    $('live-model').textContent = live
      ? `${live.id} · ${live.from_repository ? '代码库模型 repository model' : `准确率 accuracy ${pct(live.accuracy)}`} · 上线 since ${when(live.deployed_at)}`
      : '—';
    $('worker-state').textContent = data.worker === 'running'
      ? '训练服务运行中 The training worker is running.'
      : '训练服务未运行：训练会排队等待。The training worker is not running; trainings wait in the queue.';
    $('worker-state').className = data.worker === 'running' ? 'ok' : 'warning';
    $('not-live').textContent = data.not_live.length
      ? `已批准但未上线 Approved, not live yet: ${data.not_live.join(', ')}`
      : '线上模型包含所有已批准内容 The live model has all approved content.';
    $('candidates').replaceChildren(...data.candidates.map((m) => h('li', {},
      h('span', { class: 'mono', text: m.id }), h('span', { text: ` · ${STATUS[m.status] || m.status} · ${pct(m.accuracy)} · ${when(m.created_at)} ` }),
      isEditor && m.status === 'candidate' ? h('button', { type: 'button', text: '上线 Deploy', onclick: () => guarded(() => startJob('POST', `/api/content/models/${m.id}/deploy`)) }) : null)));
    $('rollbacks').replaceChildren(...data.rollback.map((m) => h('li', {},
      h('span', { class: 'mono', text: m.id }), h('span', { text: ` · ${m.from_repository ? 'repository' : pct(m.accuracy)} · 上线 live ${when(m.deployed_at)} ` }),
      data.can_rollback ? h('button', { type: 'button', class: 'rollback', 'data-model': m.id, text: '回滚到此 Roll back to this', onclick: () => guarded(() => startJob('POST', `/api/content/models/${m.id}/rollback`)) }) : null)));
    if (!data.rollback.length) $('rollbacks').append(h('li', { class: 'empty', text: '暂无 None yet' }));
    $('jobs').replaceChildren(...data.jobs.map((j) => h('li', {},
      h('button', { type: 'button', class: 'link', text: `#${j.id} ${j.kind}`, onclick: () => showJob(j) }),
      h('span', { text: ` · ${STATUS[j.status] || j.status} · ${j.requested_by} · ${when(j.created_at)} · ${j.message}` }))));
    const active = data.jobs.find((j) => j.status === 'queued' || j.status === 'running');
    showJob(active || (state.jobId ? data.jobs.find((j) => j.id === state.jobId) : data.jobs[0]));
    $('train').disabled = Boolean(active && active.kind === 'train');
  }
  LOADERS.training = loadTraining;

  function showJob(job) {
    if (!job) { $('job').hidden = true; return; }
    state.jobId = job.id;
    $('job').hidden = false;
    $('job').dataset.status = job.status;
    $('job-title').textContent = `#${job.id} ${job.kind} · ${job.requested_by}`;
    $('job-progress').value = job.percent;
    $('job-stage').textContent = `${STATUS[job.status] || job.status} · ${job.stage} · ${job.percent}%`;
    $('job-message').textContent = job.message;
    const gate = job.details && job.details.gate;
    $('gate').hidden = !gate;
    if (gate) {
      $('gate-summary').textContent = `${gate.passed ? '通过 Passed' : '未通过 Not passed'}: 候选 candidate ${pct(gate.candidate.all)}`
        + (gate.live ? ` · 线上 live ${pct(gate.live.all)}` : '') + ` · ${gate.cases} 个测试问法 test phrasings · 下限 floor ${pct(gate.floor)}`
        + (gate.reasons.length ? ` — ${gate.reasons.join('; ')}` : '');
      $('gate-worse-table').hidden = !gate.worse.length;
      $('gate-worse').replaceChildren(...gate.worse.map((w) => h('tr', {},
        h('td', { text: w.text }), h('td', { text: w.expected }), h('td', { text: `${w.candidate} (${w.confidence})` }))));
    }
    $('job-log').hidden = !job.log_tail;
    $('job-log').textContent = job.log_tail || '';
    const running = job.status === 'queued' || job.status === 'running';
    $('job-cancel').hidden = !(running && job.kind === 'train');
    clearTimeout(state.poll);
    if (running) {
      state.poll = setTimeout(() => guarded(async () => {
        const fresh = await api('GET', `/api/content/jobs/${job.id}`);
        if (fresh.status === 'queued' || fresh.status === 'running') showJob(fresh);
        else if (state.tab === 'training') await loadTraining();
        else showJob(fresh);
      }), 1500);
    }
  }

  async function startJob(method, path, payload) {
    const job = await api(method, path, payload);
    state.jobId = job.id;
    await loadTraining();
  }

  // ---- try it ----------------------------------------------------------------------------------

  function renderPick(target, pick) {
    if (!pick) { target.replaceChildren(h('p', { class: 'empty', text: '没有正在运行的候选模型（训练后出现）No candidate engine is running (one appears after a training).' })); return; }
    if (pick.error) { target.replaceChildren(h('p', { class: 'warning', text: pick.error })); return; }
    const top = pick.faq;
    target.replaceChildren(
      h('p', { class: 'mono', text: pick.model || '' }),
      h('p', { class: 'pick' }, top
        ? h('span', { text: `问答 FAQ: ${top.faq_id} — ${(top.question && (top.question.zh || top.question.en)) || ''} (${pct(top.confidence)})` })
        : h('span', { text: `意图 Intent: ${pick.intent || '—'} (${pct(pick.intent_confidence)})` })),
      h('ol', { class: 'ranking' }, pick.ranking.map((r) => h('li', { text: `${r.faq_id} ${pct(r.confidence)}` }))));
  }

  async function tryIt(event) {
    event.preventDefault();
    await guarded(async () => {
      const result = await api('POST', '/api/content/try', { text: $('try-text').value });
      $('try-result').hidden = false;
      renderPick($('try-live'), result.live);
      renderPick($('try-candidate'), result.candidate);
    });
  }

  // ---- spreadsheet -------------------------------------------------------------------------------

  async function importSheet(event) {
    event.preventDefault();
    const file = $('import-file').files[0];
    if (!file) return;
    $('import-errors-table').hidden = true;
    $('import-result').textContent = '上传中… Uploading…';
    try {
      const upload = await api('POST', '/api/content/uploads', { filename: file.name, size: file.size });
      const data = new Uint8Array(await file.arrayBuffer());
      for (let part = 0, offset = 0; offset < data.length; part += 1, offset += upload.part_bytes) {
        await api('PUT', `/api/content/uploads/${upload.id}/parts/${part}`, undefined, data.slice(offset, offset + upload.part_bytes));
        $('import-result').textContent = `上传中 Uploading… ${Math.min(100, Math.round((100 * (offset + upload.part_bytes)) / data.length))}%`;
      }
      $('import-result').textContent = '校验中… Checking every row…';
      const result = await api('POST', `/api/content/uploads/${upload.id}/import`);
      $('import-result').textContent = result.changes
        ? `已生成 ${result.changes} 个待审批变更（${result.unchanged} 个未变）。${result.changes} change(s) now wait for approval (${result.unchanged} unchanged).`
        : `没有变化 Nothing changed (${result.unchanged} rows identical).`;
      await refreshCounts();
    } catch (error) {
      $('import-result').textContent = error.message;
      const rows = error.extra && error.extra.rows;
      if (rows) {
        $('import-errors-table').hidden = false;
        $('import-errors').replaceChildren(...rows.map((r) => h('tr', {}, h('td', { text: r.row }), h('td', { text: r.faq_id }), h('td', {}, h('ul', {}, r.reasons.map((x) => h('li', { text: x })))))));
      }
    }
  }

  // ---- repository ---------------------------------------------------------------------------------

  async function loadRepo() {
    const data = await api('GET', '/api/content/sync');
    $('repo-dir').textContent = data.content_dir;
    $('repo-count').textContent = String(data.items.length);
    $('repo-count').hidden = !data.items.length;
    $('repo-rows').replaceChildren(...data.items.map((d) => h('tr', {},
      h('td', { text: d.faq_id }),
      h('td', { text: (SYNC[d.status] || d.status) + (d.repository_error ? ` — ${d.repository_error}` : '') }),
      h('td', {}, isEditor && d.can_adopt ? h('button', { type: 'button', text: '采用代码库版本 Adopt repository version', onclick: () => guarded(async () => {
        const change = await api('POST', `/api/content/sync/${d.faq_id}/adopt`, undefined);
        notice(`已生成待审批变更 #${change.id}. Change #${change.id} waits for approval.`);
        await refreshCounts();
      }) }) : null, ' ',
      isEditor && d.can_export ? h('button', { type: 'button', text: '导出到文件 Export to files', onclick: () => guarded(async () => {
        await api('POST', '/api/content/sync/export', { faq_ids: [d.faq_id] });
        await loadRepo();
      }) }) : null))));
    $('repo-empty').hidden = data.items.length > 0;
  }
  LOADERS.repo = loadRepo;

  // ---- audit ------------------------------------------------------------------------------------

  async function loadAudit() {
    const data = await api('GET', '/api/content/audit');
    $('audit-rows').replaceChildren(...data.items.map((a) => h('tr', {},
      h('td', { text: when(a.at) }), h('td', { text: a.actor }), h('td', { text: a.action }), h('td', { text: a.subject }), h('td', { text: a.detail }))));
  }
  LOADERS.audit = loadAudit;

  // ---- wiring -------------------------------------------------------------------------------------

  function wire() {
    if (!isEditor) for (const node of document.querySelectorAll('.editor-only')) node.hidden = true;
    $('f-category').replaceChildren(...CATEGORIES.map((c) => h('option', { value: c, text: c })));
    let searchTimer = null;
    $('faq-search').addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(() => guarded(loadFaqs), 250); });
    $('faq-retired').addEventListener('change', () => guarded(loadFaqs));
    $('faq-new').addEventListener('click', () => fillForm(null, null));
    $('faq-cancel').addEventListener('click', () => { state.unanswered = []; });
    $('faq-edit').addEventListener('click', () => state.faq && fillForm(state.faq.id, state.faq.content));
    $('faq-retire').addEventListener('click', () => guarded(async () => {
      const change = await api('POST', `/api/content/faqs/${encodeURIComponent(state.faq.id)}/retire`, undefined);
      showTab('changes');
      renderChange(change);
      await refreshCounts();
    }));
    $('faq-cancel').addEventListener('click', () => { $('faq-form').hidden = true; });
    $('faq-form').addEventListener('submit', saveFaq);
    for (const lang of ['zh', 'en']) $(`f-ex-${lang}`).addEventListener('input', countExamples);
    $('change-filter').addEventListener('change', () => guarded(loadChanges));
    $('change-approve').addEventListener('click', () => guarded(() => review('approve')));
    $('change-reject').addEventListener('click', () => guarded(() => review('reject')));
    $('change-withdraw').addEventListener('click', () => guarded(() => review('withdraw')));
    $('batch-approve').addEventListener('click', () => guarded(() => review('batch')));
    $('checks-run').addEventListener('click', () => guarded(loadChecks));
    $('train').addEventListener('click', () => guarded(() => startJob('POST', '/api/content/training', { auto_deploy: $('auto-deploy').checked })));
    $('job-cancel').addEventListener('click', () => guarded(async () => { await api('POST', `/api/content/jobs/${state.jobId}/cancel`, undefined); await loadTraining(); }));
    $('try-form').addEventListener('submit', tryIt);
    $('import-form').addEventListener('submit', importSheet);
    $('export-all').addEventListener('click', () => guarded(async () => {
      const result = await api('POST', '/api/content/sync/export', { faq_ids: null });
      notice(`已导出 ${result.written.length} 个文件 ${result.written.length} file(s) written.`);
      await loadRepo();
    }));
    $('logout').addEventListener('click', () => guarded(async () => {
      await api('POST', '/api/agent/logout', undefined);
      window.location.assign('/console/login');
    }));
    showTab('faqs');
    guarded(refreshCounts);
    guarded(async () => {
      const data = await api('GET', '/api/content/sync');
      $('repo-count').textContent = String(data.items.length);
      $('repo-count').hidden = !data.items.length;
    });
  }

  // The Unanswered page (unanswered.js) works through the same editor and helpers.
  window.BankbotContent = { api, h, guarded, notice, showTab, fillForm, LOADERS, isEditor, $, when };
  wire();
})();
