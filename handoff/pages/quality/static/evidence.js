/* The console's "why this handoff" panel and the agent's "not upset" / "not fraud" verdict.
 *
 * console.js calls BankbotEvidence.render(box, detail, api, notice) each time a
 * chat's details are (re)loaded; `detail.evidence` comes from
 * GET /api/agent/handoffs/{id}. Text goes in with textContent only.
 */
(() => {
  'use strict';

  const DETECTORS = {
    upset: '情绪识别模型 Upset-customer model',
    fraud_victim: '受骗识别模型 Fraud-victim model',
    rules: '规则 Rules',
    emotion: '情绪 Upset customer',
    fraud_risk: '欺诈风险 Fraud risk',
    repeated_question: '重复提问 Asked again',
    low_confidence: '未能理解 Not understood',
    request_human: '客户要求 Customer asked',
    complaint: '投诉 Complaint',
    complex_topic: '复杂业务 Complex topic',
    verification_failed: '验证失败 Verification failed',
    system_error: '系统故障 System error',
  };
  const VERDICTS = { not_upset: '标记为“并非不满” Mark “not upset”', not_fraud: '标记为“并非欺诈” Mark “not fraud”' };
  const MARKED = { not_upset: '已标记：并非不满 Marked: not upset', not_fraud: '已标记：并非欺诈 Marked: not fraud' };

  function h(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'text') node.textContent = String(value);
      else if (key === 'class') node.className = value;
      else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    node.append(...children);
    return node;
  }

  const langOf = (text) => (/[\u3400-\u9fff]/.test(text) ? 'zh-CN' : /[a-z]/i.test(text) ? 'en' : null);

  function render(box, detail, api, notice) {
    const evidence = detail.evidence;
    if (!evidence) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const id = detail.id;
    const score = evidence.score === null || evidence.score === undefined ? '—' : evidence.score.toFixed(2);
    const intents = (evidence.intents || [])
      .map((item) => (item.confidence === null || item.confidence === undefined ? item.name : `${item.name} ${item.confidence.toFixed(2)}`))
      .join(', ');
    const messages = h('ul', { class: 'evidence-messages' },
      ...(evidence.messages || []).map((text) => h('li', { text, lang: langOf(text) })));
    const rows = [
      ['触发消息 Triggering messages', messages],
      ['判定 Detector', DETECTORS[evidence.detector] || evidence.detector],
      ['分数 Score', score],
      ['识别到的意图 Intents seen', intents || '—'],
      ['相关FAQ FAQs seen', (evidence.faqs || []).join(', ') || '—'],
      ['身份验证 Verification', evidence.verified ? '已验证 Verified' : '未验证 Not verified'],
    ];
    const list = h('dl', { class: 'summary' },
      ...rows.flatMap(([term, value]) => [h('dt', { text: term }), typeof value === 'string' ? h('dd', { text: value }) : h('dd', {}, value)]));
    const parts = [h('summary', { text: '为何转人工 Why this handoff' }), list];
    const label = evidence.dispute_label;
    if (evidence.dispute) {
      parts.push(h('p', { class: 'dispute-done', role: 'status', text: `${MARKED[evidence.dispute.label] || evidence.dispute.label} · ${evidence.dispute.by}` }));
    } else if (label) {
      const button = h('button', {
        type: 'button',
        class: 'secondary dispute',
        text: VERDICTS[label],
        'aria-describedby': `dispute-hint-${id}`,
        onclick: async () => {
          button.disabled = true;
          try {
            detail.evidence = await api('POST', `/api/agent/handoffs/${id}/dispute`, { label });
            render(box, detail, api, notice);
          } catch (error) {
            button.disabled = false;
            notice(`无法标记 Could not mark: ${error.message}`);
          }
        },
      });
      parts.push(button, h('p', { id: `dispute-hint-${id}`, class: 'hint', text: '误报会（脱敏后）交给内容团队改进模型。 False alarms go (masked) to the content team to improve the model.' }));
    }
    box.replaceChildren(...parts);
  }

  window.BankbotEvidence = { render };
})();
