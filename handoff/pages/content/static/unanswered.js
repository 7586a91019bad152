/*
 * The content tool's Unanswered page: grouped messages the assistant did not
 * understand, and from each group a new FAQ, examples added to an existing
 * FAQ (both through the usual editor and four-eyes change) or a dismissal.
 * Uses content.js's helpers (window.BankbotContent); text goes in with
 * textContent only.
 */
'use strict';

(() => {
  const C = window.BankbotContent;
  if (!C) return;
  const { api, h, guarded, notice, fillForm, LOADERS, $, when } = C;
  const OUTCOMES = {
    clarification: '澄清 Clarified',
    fallback: '请重述 Rephrase',
    out_of_scope: '超出范围 Out of scope',
    low_confidence: '低置信度转人工 Low-confidence handoff',
    false_alarm: '坐席标记误报 False alarm',
  };
  const langOf = (text) => (/[\u3400-\u9fff]/.test(text) ? 'zh-CN' : 'en');

  const EMPTY = { category: 'service', question: { zh: '', en: '' }, answer: { zh: '', en: '' }, examples: { zh: [], en: [] }, test: { zh: [], en: [] } };

  function newFaq(cluster) {
    const content = structuredClone(EMPTY);
    content.examples.zh = [...cluster.messages.zh];
    content.examples.en = [...cluster.messages.en];
    content.question.zh = cluster.messages.zh[0] || '';
    content.question.en = cluster.messages.en[0] || '';
    C.showTab('faqs');
    fillForm(null, content, cluster.ids);
  }

  async function addExamples(cluster, faqId) {
    const faq = await api('GET', `/api/content/faqs/${encodeURIComponent(faqId)}`);
    if (!faq.content) throw new Error(`${faqId}: 已下线 retired`);
    const content = structuredClone(faq.content);
    for (const lang of ['zh', 'en']) {
      for (const text of cluster.messages[lang]) {
        if (!content.examples[lang].includes(text)) content.examples[lang].push(text);
      }
    }
    C.showTab('faqs');
    fillForm(faqId, content, cluster.ids);
  }

  function clusterItem(cluster, index) {
    const titleId = `cluster-${cluster.id}`;
    const nearest = cluster.nearest_faq;
    const target = h('input', {
      id: `cluster-faq-${cluster.id}`, value: nearest ? nearest.id : '', maxlength: '48', autocomplete: 'off',
    });
    const outcomes = Object.entries(cluster.outcomes).map(([k, n]) => `${OUTCOMES[k] || k} ${n}`).join(' · ');
    return h('li', { class: 'card cluster', 'aria-labelledby': titleId, 'data-cluster-id': cluster.id },
      h('h2', { id: titleId, text: `#${index + 1} · ${cluster.count} 条 messages` }),
      h('p', { class: 'meta', text: `${outcomes} · 首次 first ${when(cluster.first_seen)} · 最近 last ${when(cluster.last_seen)}` }),
      h('ul', { class: 'examples' }, ...cluster.examples.map((text) => h('li', { lang: langOf(text), text }))),
      h('p', { class: 'nearest', text: nearest
        ? `最接近的问答 Nearest FAQ: ${nearest.id} — ${nearest.question.zh || ''} / ${nearest.question.en || ''} (${nearest.score.toFixed(2)})`
        : '没有接近的问答 No nearby FAQ' }),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', text: '新建问答 New FAQ from these', onclick: () => newFaq(cluster) }),
        h('label', { for: target.id, text: '加入到问答 Add to FAQ' }),
        target,
        h('button', { type: 'button', text: '添加为例句 Add as examples', onclick: () => guarded(() => addExamples(cluster, target.value.trim())) }),
        h('button', { type: 'button', class: 'link', text: '忽略 Dismiss', onclick: () => guarded(async () => {
          await api('POST', '/api/content/unanswered/dismiss', { ids: cluster.ids });
          notice(`已忽略 ${cluster.count} 条 Dismissed ${cluster.count} message(s).`);
          await load();
        }) }),
      ),
    );
  }

  async function load() {
    const language = $('unanswered-language').value;
    const data = await api('GET', `/api/content/unanswered${language ? `?language=${language}` : ''}`);
    $('unanswered-list').replaceChildren(...data.items.map(clusterItem));
    $('unanswered-empty').hidden = data.items.length > 0;
    $('unanswered-status').textContent = `${data.messages} 条消息，${data.items.length} 组 ${data.messages} message(s) in ${data.items.length} group(s)`;
    $('unanswered-count').textContent = String(data.messages);
    $('unanswered-count').hidden = !data.messages;
  }

  LOADERS.unanswered = load;
  $('unanswered-refresh').addEventListener('click', () => guarded(load));
  $('unanswered-language').addEventListener('change', () => guarded(load));
})();
