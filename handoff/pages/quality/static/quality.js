/* The supervisors' Quality page: loads GET /api/agent/metrics and draws it.
 *
 * Text goes in with textContent only. Charts use the vendored Chart.js; each
 * chart has the same figures in a table beside it for screen readers and for
 * when the chart library cannot run.
 */
(() => {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const REASONS = {
    request_human: '客户要求 Customer asked',
    emotion: '情绪 Upset customer',
    repeated_question: '重复提问 Asked again',
    low_confidence: '未能理解 Not understood',
    complex_topic: '复杂业务 Complex topic',
    verification_failed: '验证失败 Verification failed',
    fraud_risk: '欺诈风险 Fraud risk',
    complaint: '投诉 Complaint',
    system_error: '系统故障 System error',
  };
  const DISPUTES = { not_upset: '并非不满 Not upset', not_fraud: '并非欺诈 Not fraud' };
  const charts = {};

  const pct = (value) => (value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)}%`);
  const secs = (value) => {
    if (value === null || value === undefined) return '—';
    const minutes = Math.floor(value / 60);
    const seconds = Math.round(value % 60);
    return minutes ? `${minutes} 分 min ${seconds} 秒 s` : `${seconds} 秒 s`;
  };
  const num = (value, digits = 2) => (value === null || value === undefined ? '—' : Number(value).toFixed(digits));

  function h(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === 'text') node.textContent = String(value);
      else if (key === 'class') node.className = value;
      else node.setAttribute(key, String(value));
    }
    node.append(...children);
    return node;
  }

  function isoDate(date) {
    return date.toISOString().slice(0, 10);
  }

  /** The query of the form: since = the first day 00:00 UTC, until = the day after the last. */
  function query() {
    const params = new URLSearchParams();
    const since = $('since').value;
    const until = $('until').value;
    params.set('since', since);
    const end = new Date(`${until}T00:00:00Z`);
    end.setUTCDate(end.getUTCDate() + 1);
    params.set('until', isoDate(end));
    if ($('language').value) params.set('language', $('language').value);
    return params;
  }

  function figure(term, value) {
    return h('div', {}, h('dt', { text: term }), h('dd', { text: value }));
  }

  function draw(id, type, labels, datasets, horizontal = false) {
    if (!window.Chart) return; // the tables beside the charts still show everything
    if (charts[id]) charts[id].destroy();
    charts[id] = new window.Chart($(id), {
      type,
      data: { labels, datasets },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        animation: false,
        responsive: true,
        plugins: { legend: { display: datasets.length > 1 } },
        scales: { x: { beginAtZero: true }, y: { beginAtZero: true } },
      },
    });
  }

  function render(data) {
    const disputes = Object.entries(data.disputes || {})
      .map(([label, count]) => `${DISPUTES[label] || label}: ${count}`)
      .join(' · ');
    $('figures').replaceChildren(
      figure('会话数 Conversations', String(data.conversations)),
      figure('机器人独立解决 Containment', `${pct(data.containment)} (${data.contained})`),
      figure('转人工率 Handoff rate', pct(data.handoff_rate)),
      figure('首次解决率 FCR (7 天 days)', pct(data.fcr)),
      figure('平均处理时长 AHT (p50)', secs(data.aht_seconds_p50)),
      figure('首次回复 First reply (p50)', secs(data.first_reply_seconds_p50)),
      figure('排队等待 Queue wait p50', secs(data.queue_wait_seconds_p50)),
      figure('排队等待 Queue wait p90', secs(data.queue_wait_seconds_p90)),
      figure('等待超10分钟 Waits over 10 min', String(data.sla_breaches)),
      figure('满意度·机器人 CSAT bot', `${num(data.csat_bot)} (${data.csat_bot_count})`),
      figure('满意度·人工 CSAT agent', `${num(data.csat_agent)} (${data.csat_agent_count})`),
      figure('未理解率 Fallback & clarification', pct(data.fallback_rate)),
      figure('误报标记 Disputed handoffs', disputes || '0'),
    );

    const alerts = [];
    for (const item of data.top_questions || []) {
      if (item.share !== null && item.share > 0.2) {
        alerts.push(`“${item.faq_key}” 占会话的 ${pct(item.share)}，超过20%，建议完善引导。` +
          ` “${item.faq_key}” was asked in ${pct(item.share)} of conversations (over 20%): consider a better guide.`);
      }
    }
    if (data.sla_breaches) {
      alerts.push(`${data.sla_breaches} 位客户等待超过10分钟。 ${data.sla_breaches} customers waited over 10 minutes.`);
    }
    $('alerts').replaceChildren(...(alerts.length ? alerts : ['暂无提醒 No alerts']).map((text) => h('li', { text })));

    const reasons = Object.entries(data.handoffs || {}).sort((a, b) => b[1] - a[1]);
    $('reasons-rows').replaceChildren(
      ...reasons.map(([reason, count]) => h('tr', {}, h('td', { text: REASONS[reason] || reason }), h('td', { text: String(count) }))),
    );
    draw('reasons-chart', 'bar', reasons.map(([reason]) => REASONS[reason] || reason), [
      { label: '次数 Count', data: reasons.map(([, count]) => count), backgroundColor: '#0b5cad' },
    ]);

    const top = data.top_questions || [];
    $('top-rows').replaceChildren(
      ...top.map((item) =>
        h('tr', {}, h('td', { text: item.faq_key }), h('td', { text: String(item.count) }), h('td', { text: pct(item.share) })),
      ),
    );
    draw('top-chart', 'bar', top.map((item) => item.faq_key), [
      { label: '会话数 Conversations', data: top.map((item) => item.count), backgroundColor: '#3f6212' },
    ], true);

    draw('csat-chart', 'bar', ['机器人 Bot', '人工 Agent'], [
      { label: 'CSAT', data: [data.csat_bot, data.csat_agent], backgroundColor: ['#0b5cad', '#b45309'] },
    ]);
  }

  async function load() {
    const params = query();
    $('csv').href = `/api/agent/metrics.csv?${params}`;
    $('status').className = 'status';
    $('status').textContent = '加载中… Loading…';
    try {
      const response = await fetch(`/api/agent/metrics?${params}`, { credentials: 'same-origin' });
      if (response.status === 401) {
        location.assign('/console/login');
        return;
      }
      const data = await response.json();
      if (!response.ok) throw new Error(data?.error?.message || response.statusText);
      render(data);
      $('status').textContent = `已更新 Updated: ${$('since').value} – ${$('until').value}` +
        `${$('language').value ? ` · ${$('language').selectedOptions[0].textContent}` : ''}`;
    } catch (error) {
      $('status').className = 'status error';
      $('status').textContent = `无法加载 Could not load: ${error.message}`;
    }
  }

  function start() {
    const today = new Date();
    const from = new Date(today);
    from.setUTCDate(from.getUTCDate() - 29);
    $('since').value = isoDate(from);
    $('until').value = isoDate(today);
    $('period').addEventListener('submit', (event) => {
      event.preventDefault();
      if ($('since').value > $('until').value) {
        $('status').className = 'status error';
        $('status').textContent = '开始日期须早于结束日期。 The start date must not be after the end date.';
        return;
      }
      load();
    });
    load();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
