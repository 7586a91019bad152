/*
 * bankbot agent console: the live queue, up to three chats side by side,
 * canned replies, close with a resolution. Plain JavaScript, no build step.
 *
 * Rules this file keeps:
 * - every text from the server goes into the page with textContent (the
 *   `h()` helper below), never innerHTML: a customer's "<script>" stays text;
 * - no inline script or style anywhere (the gateway's CSP is script-src 'self');
 * - the session is an HttpOnly cookie this script never sees; every unsafe
 *   request carries the X-Requested-With header the gateway requires (CSRF);
 * - everything works from the keyboard: native buttons and forms, Enter sends,
 *   Shift+Enter adds a line, Alt+1..3 jump to a chat's reply box, Alt+Q to the queue.
 */
'use strict';

(() => {
  const MAX_PANES = 3;
  const PING_MS = 20000;
  const HEADERS = { 'Content-Type': 'application/json', 'X-Requested-With': 'bankbot-console' };
  const body = document.body;
  const me = { id: Number(body.dataset.agentId), name: body.dataset.agentName || '', role: body.dataset.role };
  const isSupervisor = me.role === 'supervisor';
  const $ = (id) => document.getElementById(id);

  const LABELS = {
    priority: { urgent: '紧急 Urgent', high: '高 High', normal: '普通 Normal' },
    reason: {
      request_human: '要求人工 Asked for an agent',
      emotion: '情绪激动 Upset customer',
      repeated_question: '重复提问 Repeated question',
      low_confidence: '未能理解 Not understood',
      complex_topic: '复杂业务 Complex topic',
      verification_failed: '验证失败 Verification failed',
      fraud_risk: '欺诈风险 Fraud risk',
      complaint: '投诉 Complaint',
      system_error: '系统故障 System error',
    },
    sender: { customer: '客户 Customer', bot: '智能客服 Bot', agent: '坐席 Agent', system: '系统 System' },
    language: { zh: '中文', en: 'English' },
    state: { bot: '机器人 Bot', queued: '排队 Queued', agent: '人工 Agent', closed: '已结束 Closed' },
  };
  const label = (group, key) => (key && LABELS[group][key]) || key || '—';
  /** The language a customer's or the bot's text is in, for screen readers (null: can't tell). */
  const langOf = (text) => (/[\u3400-\u9fff\uf900-\ufaff]/.test(text) ? 'zh-CN' : /[a-z]/i.test(text) ? 'en' : null);

  // ---- small helpers -------------------------------------------------------------

  /** Build an element; `text` becomes textContent, `on…` become listeners. */
  function h(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'text') node.textContent = String(value);
      else if (key === 'class') node.className = value;
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  /** Call the agent API with the session cookie; 401 sends the agent to the login form. */
  async function api(method, path, payload) {
    const response = await fetch(path, {
      method,
      headers: HEADERS,
      credentials: 'same-origin',
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (response.status === 401) {
      location.assign('/console/login');
    }
    if (!response.ok) {
      throw new ApiError(response.status, data?.error?.code, data?.error?.message || response.statusText);
    }
    return data;
  }

  let noticeTimer = null;
  function notice(text) {
    const box = $('notice');
    box.textContent = text;
    box.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => (box.hidden = true), 8000);
  }

  /** ISO time from the server (SQLite gives it without a zone: it is UTC). */
  function toDate(iso) {
    if (!iso) return null;
    return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(iso) ? iso : iso + 'Z');
  }

  const two = (n) => String(n).padStart(2, '0');
  function clockTime(iso) {
    const date = toDate(iso);
    return date ? `${two(date.getHours())}:${two(date.getMinutes())}` : '';
  }
  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    return s >= 3600 ? `${Math.floor(s / 3600)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}` : `${Math.floor(s / 60)}:${two(s % 60)}`;
  }

  /**
   * Re-render `container` without losing a keyboard user's place: the control that had the
   * focus (known by its data-key) gets it back, or `fallback` if that control is gone.
   */
  function keepFocus(container, fallback, render) {
    const active = document.activeElement;
    const key = active && active !== body && container.contains(active) ? active.dataset.key || '' : null;
    render();
    if (key === null || container.contains(document.activeElement)) return;
    (container.querySelector(`[data-key="${CSS.escape(key)}"]`) || fallback).focus();
  }

  // ---- the queue -------------------------------------------------------------------

  const queue = { items: [], fetchedAt: Date.now() };

  async function refreshQueue() {
    try {
      const data = await api('GET', '/api/agent/queue');
      queue.items = data.items;
      queue.fetchedAt = Date.now();
      renderQueue();
    } catch (error) {
      if (error.status === 403) notice(error.message);
    }
  }

  function renderQueue() {
    const full = !isSupervisor && panes.size >= MAX_PANES;
    const rows = queue.items.map((item) =>
      h(
        'tr',
        { class: item.alert ? 'overdue' : null, dataset: { handoffId: item.id } },
        h('td', { text: item.queue_position }),
        h('td', {}, h('span', { class: `badge ${item.priority}`, text: label('priority', item.priority) })),
        h('td', { text: label('reason', item.reason) }, item.alert ? h('span', { class: 'badge alert', text: '超时 >10 min' }) : null),
        h('td', { text: label('language', item.language) }),
        h('td', { class: 'waited', dataset: { waited: item.waited_s }, text: duration(item.waited_s) }),
        h(
          'td',
          {},
          h('button', {
            type: 'button',
            class: 'primary claim',
            dataset: { key: `claim-${item.id}` },
            'aria-label': `接入 Claim #${item.id}`,
            disabled: full,
            title: full ? '已达3个会话上限 You already serve three chats' : null,
            text: '接入 Claim',
            onclick: () => claim(item.id),
          }),
        ),
      ),
    );
    keepFocus($('queue-rows'), $('queue-heading'), () => $('queue-rows').replaceChildren(...rows));
    $('queue-count').textContent = String(queue.items.length);
    $('queue-empty').hidden = queue.items.length > 0;
  }

  /** Left messages (issue 18): their own queue, soonest due first; late ones are marked. */
  async function refreshMessages() {
    try {
      const data = await api('GET', '/api/agent/message-queue');
      const rows = data.items.map((item) =>
        h(
          'li',
          { class: item.sla_overdue ? 'overdue' : null },
          h('span', { class: `badge ${item.priority}`, text: label('priority', item.priority) }),
          ` #${item.id} ${label('reason', item.reason)} · ${label('language', item.language)} · 应回复 due ${clockTime(item.due_at)} `,
          item.sla_overdue ? h('span', { class: 'badge alert', text: '已超时 Overdue' }) : null,
          h('button', {
            type: 'button',
            class: 'primary claim',
            dataset: { key: `claim-message-${item.id}` },
            'aria-label': `回复 Answer #${item.id}`,
            // A message needs no live seat, but its chat needs a pane to be answered in.
            disabled: panes.size >= MAX_PANES,
            title: panes.size >= MAX_PANES ? '请先结束一个会话 Close a chat first' : null,
            text: '回复 Answer',
            onclick: () => claim(item.id),
          }),
        ),
      );
      keepFocus($('message-rows'), $('messages-heading'), () => $('message-rows').replaceChildren(...rows));
      $('messages-count').textContent = String(data.items.length);
      $('messages-empty').hidden = data.items.length > 0;
    } catch (error) {
      if (error.status === 403) notice(error.message);
    }
  }

  /** Waiting times tick locally between refreshes. */
  function tickWaits() {
    const elapsed = (Date.now() - queue.fetchedAt) / 1000;
    for (const cell of document.querySelectorAll('#queue-rows .waited')) {
      cell.textContent = duration(Number(cell.dataset.waited) + elapsed);
    }
  }

  async function claim(id) {
    try {
      const detail = await api('POST', `/api/agent/handoffs/${id}/claim`);
      openPane(detail, true);
    } catch (error) {
      notice(`无法接入 Could not claim #${id}: ${error.message}`);
    }
    refreshQueue();
    refreshMessages();
  }

  // ---- chats -----------------------------------------------------------------------

  /** handoff id → { root, detail, seqs, parts… } */
  const panes = new Map();

  function renderEmpty() {
    $('chats-empty').hidden = panes.size > 0;
    renderQueue();
    refreshMessages();
  }

  async function loadPane(id, focus) {
    try {
      openPane(await api('GET', `/api/agent/handoffs/${id}`), focus);
    } catch (error) {
      notice(`无法打开 Could not open #${id}: ${error.message}`);
    }
  }

  function openPane(detail, focus) {
    let pane = panes.get(detail.id);
    if (!pane) {
      if (panes.size >= MAX_PANES) {
        notice('最多同时显示3个会话 At most three chats side by side');
        return;
      }
      pane = buildPane(detail);
      panes.set(detail.id, pane);
      $('panes').append(pane.root);
    }
    updatePane(pane, detail);
    renderEmpty();
    if (focus) pane.textarea.focus();
  }

  function removePane(id) {
    const pane = panes.get(id);
    if (!pane) return;
    pane.root.remove();
    panes.delete(id);
    renderEmpty();
  }

  function buildPane(detail) {
    const id = detail.id;
    const pane = { id, detail, seqs: new Set() };
    pane.title = h('h3', { id: `pane-title-${id}` });
    pane.meta = h('p', { class: 'meta' });
    pane.verification = h('p', { class: 'verification' });
    pane.summary = h('dl', { class: 'summary' });
    pane.evidence = h('details', { class: 'summary-box evidence-box', open: true, hidden: true }); // evidence.js
    pane.transcript = h('ol', { class: 'transcript', 'aria-live': 'polite', 'aria-label': `对话记录 Transcript #${id}`, tabindex: '0' });
    pane.textarea = h('textarea', { id: `reply-${id}`, rows: '3', maxlength: '2000', 'aria-describedby': `reply-hint-${id}` });
    pane.textarea.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        send(pane);
      }
    });
    pane.sendButton = h('button', { type: 'submit', class: 'primary', text: '发送 Send' });
    const composer = h(
      'form',
      { class: 'composer', onsubmit: (event) => { event.preventDefault(); send(pane); } },
      h('label', { for: pane.textarea.id, text: '回复客户 Reply' }),
      pane.textarea,
      h('p', { id: `reply-hint-${id}`, class: 'hint', text: 'Enter 发送 send · Shift+Enter 换行 new line' }),
      pane.sendButton,
    );
    const canned = h(
      'details',
      { class: 'canned' },
      h('summary', { text: '常用语 Canned replies' }),
      h('div', { class: 'canned-list', role: 'group', 'aria-label': `常用语 Canned replies #${id}` }, cannedButtons(pane)),
    );
    pane.resolution = h('input', { id: `resolution-${id}`, maxlength: '2000', required: true, autocomplete: 'off' });
    pane.toBot = h('input', { type: 'checkbox', id: `to-bot-${id}` });
    pane.closeButton = h('button', { type: 'submit', class: 'danger', text: '结束会话 Close chat' });
    const closeForm = h(
      'form',
      { class: 'close-form', onsubmit: (event) => { event.preventDefault(); closeChat(pane); } },
      h('label', { for: pane.resolution.id, text: '处理结果 Resolution' }),
      pane.resolution,
      h('label', { class: 'check', for: pane.toBot.id }, pane.toBot, ' 转回智能客服 Return to the bot'),
      pane.closeButton,
    );
    const dismiss = h('button', { type: 'button', class: 'link', 'aria-label': `移除 Remove #${id}`, text: '移除 Remove', onclick: () => removePane(id) });
    pane.root = h(
      'article',
      { class: 'pane', 'aria-labelledby': pane.title.id, dataset: { handoffId: id } },
      h('header', { class: 'pane-head' }, pane.title, dismiss),
      pane.meta,
      pane.verification,
      h('details', { class: 'summary-box', open: true }, h('summary', { text: '摘要 Summary' }), pane.summary),
      pane.evidence,
      pane.transcript,
      canned,
      composer,
      closeForm,
    );
    return pane;
  }

  let canned = [];
  function cannedButtons(pane) {
    return canned.map((reply) =>
      h('button', {
        type: 'button',
        class: 'chip',
        title: `${reply.zh}\n${reply.en}`,
        text: reply.situation,
        onclick: () => {
          const template = pane.detail.language === 'en' ? reply.en : reply.zh;
          const text = template.replaceAll('{name}', me.name);
          pane.textarea.value = pane.textarea.value ? `${pane.textarea.value} ${text}` : text;
          pane.textarea.focus();
        },
      }),
    );
  }

  function updatePane(pane, detail) {
    pane.detail = detail;
    pane.textarea.lang = detail.language === 'en' ? 'en' : 'zh-CN'; // the customer's language
    pane.title.textContent = `#${detail.id} ${label('reason', detail.reason)}`;
    const holder = detail.agent ? ` · ${detail.agent.name}` : '';
    const left = detail.mode === 'message' ? ' · 留言 Left a message' : '';
    pane.meta.replaceChildren(
      h('span', { class: `badge ${detail.priority}`, text: label('priority', detail.priority) }),
      ` ${label('language', detail.language)} · ${label('state', detail.conversation_state)}${holder}${left}`,
    );
    const verified = detail.verification?.verified;
    const expired = verified && detail.verification.expired;
    pane.verification.className = `verification ${verified && !expired ? 'yes' : 'no'}`;
    pane.verification.textContent = expired
      ? `身份验证已过期（${clockTime(detail.verification.at)}），提供账户信息前请客户重新验证 Verification expired: the customer verifies again before any account detail`
      : verified
        ? `身份已验证 Identity verified ${clockTime(detail.verification.at)}`
        : '身份未验证 Identity not verified';
    const summary = detail.summary || {};
    const rows = [
      ['意图 Intents', (summary.intents || []).join(', ')],
      ['FAQ', (summary.faq_keys || []).join(', ')],
      ['客户问 Asked', (summary.customer_asked || []).join(' / ')],
      ['机器人答 Bot said', (summary.bot_answered || []).slice(-1).join('')],
      ['失败 Failed attempts', String(summary.failed_attempts ?? 0)],
    ];
    pane.summary.replaceChildren(...rows.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', { text: value || '—' })]));
    window.BankbotEvidence?.render(pane.evidence, detail, api, notice);
    for (const message of detail.transcript || []) appendMessage(pane, message);
    const open = detail.status === 'claimed';
    pane.textarea.disabled = !open;
    pane.sendButton.disabled = !open;
    pane.resolution.disabled = !open;
    pane.toBot.disabled = !open;
    pane.closeButton.disabled = !open;
    pane.root.classList.toggle('ended', !open);
  }

  function appendMessage(pane, message) {
    if (!message || pane.seqs.has(message.seq)) return;
    pane.seqs.add(message.seq);
    const who = message.sender === 'agent' && message.agent_name ? `${label('sender', 'agent')} ${message.agent_name}` : label('sender', message.sender);
    const item = h(
      'li',
      { class: `msg ${message.sender}`, dataset: { seq: message.seq } },
      h('span', { class: 'who', text: who }),
      h('time', { datetime: message.created_at, text: clockTime(message.created_at) }),
      h('p', { class: 'text', lang: langOf(message.text), text: message.text }),
      message.buttons?.length ? h('p', { class: 'buttons', text: `[${message.buttons.map((b) => b.title).join('] [')}]` }) : null,
    );
    const later = [...pane.transcript.children].find((li) => Number(li.dataset.seq) > message.seq);
    pane.transcript.insertBefore(item, later || null);
    pane.transcript.scrollTop = pane.transcript.scrollHeight;
  }

  async function send(pane) {
    const text = pane.textarea.value.trim();
    if (!text || pane.sendButton.disabled) return;
    pane.sendButton.disabled = true;
    try {
      const message = await api('POST', `/api/agent/handoffs/${pane.id}/messages`, { text });
      appendMessage(pane, message);
      pane.textarea.value = '';
    } catch (error) {
      notice(`发送失败 Not sent: ${error.message}`);
    } finally {
      pane.sendButton.disabled = pane.detail.status !== 'claimed';
      pane.textarea.focus();
    }
  }

  async function closeChat(pane) {
    const resolution = pane.resolution.value.trim();
    if (!resolution) {
      pane.resolution.focus();
      return;
    }
    pane.closeButton.disabled = true;
    try {
      await api('POST', `/api/agent/handoffs/${pane.id}/close`, { resolution, return_to_bot: pane.toBot.checked });
      removePane(pane.id);
      notice(`会话 #${pane.id} 已结束 Chat #${pane.id} closed`);
      $('queue-heading').focus();
    } catch (error) {
      pane.closeButton.disabled = false;
      notice(`无法结束 Could not close: ${error.message}`);
    }
  }

  // ---- supervisors and callbacks ----------------------------------------------------

  function addAlert(event) {
    const text = `#${event.id ?? event.handoff_id} ${label('reason', event.reason)} · ${label('priority', event.priority)} · 已等待 waited ${duration(event.waited_s)}`;
    $('alerts').prepend(h('li', { class: 'alert' }, text));
    const id = event.id ?? event.handoff_id;
    notice(
      event.kind === 'urgent'
        ? `紧急：疑似诈骗，已排在队列最前 Urgent: possible fraud, first in the queue (#${id})`
        : event.kind === 'message_overdue'
          ? `留言已超过回复时限 A left message is past its answer time (#${id})`
          : `客户等待超过10分钟 A customer has waited over 10 minutes (#${id})`,
    );
  }

  async function refreshSupervisor() {
    if (!isSupervisor) return;
    try {
      const [chats, team] = await Promise.all([api('GET', '/api/agent/handoffs'), api('GET', '/api/agent/staff')]);
      $('staff').replaceChildren(
        ...team.items.map((member) =>
          h('li', { class: member.online ? 'online' : 'offline' }, `${member.name} (${member.username}) · ${member.online ? '在线 online' : '离线 offline'} · ${member.chats}/${member.capacity}`),
        ),
      );
      const rows = chats.items.map((chat) => openChatRow(chat, team.items));
      keepFocus($('open-chats'), $('supervisor-heading'), () => $('open-chats').replaceChildren(...rows));
    } catch (error) {
      notice(error.message);
    }
  }

  function openChatRow(chat, team) {
    const select = h(
      'select',
      { id: `reassign-${chat.id}`, dataset: { key: `reassign-to-${chat.id}` }, 'aria-label': `改派给 Reassign #${chat.id} to` },
      // Only agents who are online and have room can take a chat.
      team
        .filter((m) => m.id !== chat.agent?.id && m.online && m.chats < m.capacity)
        .map((m) => h('option', { value: m.id, text: `${m.name} ${m.chats}/${m.capacity}` })),
    );
    return h(
      'li',
      {},
      `#${chat.id} ${label('reason', chat.reason)} · ${chat.agent ? chat.agent.name : '—'} `,
      h('button', { type: 'button', class: 'secondary', dataset: { key: `view-${chat.id}` }, text: '查看 View', onclick: () => loadPane(chat.id, false) }),
      select,
      h('button', {
        type: 'button',
        class: 'secondary',
        dataset: { key: `reassign-${chat.id}` },
        text: '改派 Reassign',
        onclick: async () => {
          try {
            await api('POST', `/api/agent/handoffs/${chat.id}/reassign`, { agent_id: Number(select.value) });
            notice(`#${chat.id} 已改派 reassigned`);
            if (panes.has(chat.id)) loadPane(chat.id, false);
          } catch (error) {
            notice(error.message);
          }
          refreshSupervisor();
        },
      }),
    );
  }

  async function refreshCallbacks() {
    try {
      const data = await api('GET', '/api/agent/callbacks');
      $('callbacks').replaceChildren(
        ...data.items.map((ticket) =>
          h(
            'li',
            {},
            `${ticket.reference} · ${ticket.phone} · ${ticket.call_at_local} · ${label('reason', ticket.reason)} `,
            h('button', {
              type: 'button',
              class: 'secondary',
              dataset: { key: `callback-${ticket.id}` },
              'aria-label': `查看 Open ${ticket.reference}`,
              text: '查看 Open',
              onclick: () => openCallback(ticket.id),
            }),
          ),
        ),
      );
      $('callbacks-empty').hidden = data.items.length > 0;
    } catch {
      /* not shown to editors; nothing to do */
    }
  }

  /** A callback to make: the same conversation (reason, verification, transcript) and a note. */
  async function openCallback(id) {
    let detail;
    try {
      detail = await api('GET', `/api/agent/callbacks/${id}`);
    } catch (error) {
      notice(error.message);
      return;
    }
    const v = detail.verification;
    const verification = !v.verified
      ? '身份未验证 Identity not verified'
      : v.expired
        ? `身份验证已过期（${clockTime(v.at)}），电话中请先重新验证客户身份 Verification expired: verify the caller again before any account detail`
        : `身份已验证 Identity verified ${clockTime(v.at)}`;
    const note = h('textarea', { id: 'callback-note', rows: '2' });
    const box = $('callback-detail');
    box.replaceChildren(
      h('h3', { tabindex: '-1', text: `${detail.reference} · ${detail.phone} · ${detail.call_at_local}` }),
      h('p', {}, h('span', { class: `badge ${detail.priority || 'normal'}`, text: label('priority', detail.priority) }), ` ${label('reason', detail.reason)}`),
      h('p', { class: `verification ${v.verified && !v.expired ? 'yes' : 'no'}`, text: verification }),
      h('ol', { class: 'transcript', tabindex: '0', 'aria-label': '聊天记录 Transcript' }, ...detail.transcript.map((m) => h('li', { lang: langOf(m.text) }, `${label('sender', m.sender)}: ${m.text}`))),
      h('label', { for: 'callback-note', text: '通话记录 How the call went' }),
      note,
      h('button', {
        type: 'button',
        class: 'primary',
        text: '已回电 Call made',
        onclick: async () => {
          try {
            await api('POST', `/api/agent/callbacks/${id}/done`, { note: note.value });
            notice(`${detail.reference} 已完成 done`);
            box.hidden = true;
            refreshCallbacks();
          } catch (error) {
            notice(error.message);
          }
        },
      }),
    );
    box.hidden = false;
    box.querySelector('h3').focus();
  }

  // ---- the WebSocket ------------------------------------------------------------------

  const link = { ws: null, attempts: 0, timer: null, pinger: null };

  function setLink(up) {
    const status = $('link-status');
    status.textContent = up ? '已连接 Live' : '重新连接中… Reconnecting…';
    status.classList.toggle('down', !up);
  }

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/ws/agent`);
    link.ws = socket;
    // No token: the gateway takes the HttpOnly session cookie of this same-origin page.
    socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'auth' })));
    socket.addEventListener('message', (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      onFrame(frame, socket);
    });
    socket.addEventListener('close', (event) => {
      clearInterval(link.pinger);
      if (link.ws !== socket) return;
      link.ws = null;
      setLink(false);
      if (event.code === 4401) return location.assign('/console/login');
      if (event.code === 4403) return;
      const ceiling = Math.min(30000, 1000 * 2 ** link.attempts);
      link.attempts += 1;
      link.timer = setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
    });
  }

  function onFrame(frame, socket) {
    switch (frame.type) {
      case 'ready':
        link.attempts = 0;
        setLink(true);
        clearInterval(link.pinger);
        // The heartbeat: without it the desk takes this agent offline and requeues their chats.
        link.pinger = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify({ type: 'ping' })), PING_MS);
        refreshEverything();
        break;
      case 'queue':
        refreshQueue();
        refreshMessages();
        refreshCallbacks();
        refreshSupervisor();
        break;
      case 'message': {
        const pane = panes.get(frame.handoff_id);
        if (pane) appendMessage(pane, frame.message);
        break;
      }
      case 'assigned':
        if (!panes.has(frame.handoff_id)) {
          loadPane(frame.handoff_id, false);
          notice(`会话 #${frame.handoff_id} 已分配给您 Chat #${frame.handoff_id} is yours`);
        }
        break;
      case 'released': {
        const pane = panes.get(frame.handoff_id);
        if (pane && !isSupervisor) {
          removePane(frame.handoff_id);
          notice(`会话 #${frame.handoff_id} 已不在您名下 Chat #${frame.handoff_id} is no longer yours`);
        } else if (pane) {
          loadPane(frame.handoff_id, false);
        }
        break;
      }
      case 'alert':
        addAlert(frame);
        break;
      case 'logout':
        location.assign('/console/login');
        break;
      default: // ping, pong and anything newer
        break;
    }
  }

  async function refreshEverything() {
    await refreshQueue();
    refreshMessages();
    refreshCallbacks();
    refreshSupervisor();
    if (!isSupervisor) {
      try {
        const held = await api('GET', '/api/agent/handoffs');
        for (const chat of held.items.slice(0, MAX_PANES)) if (!panes.has(chat.id)) await loadPane(chat.id, false);
      } catch {
        /* shown by the queue refresh */
      }
    }
  }

  // ---- start ------------------------------------------------------------------------

  document.addEventListener('keydown', (event) => {
    if (!event.altKey) return;
    if (event.key === 'q' || event.key === 'Q') {
      event.preventDefault();
      $('queue-heading').focus();
    }
    const index = Number(event.key) - 1;
    if (index >= 0 && index < MAX_PANES) {
      const pane = [...panes.values()][index];
      if (pane) {
        event.preventDefault();
        pane.textarea.focus();
      }
    }
  });

  $('logout').addEventListener('click', async () => {
    try {
      await api('POST', '/api/agent/logout');
    } finally {
      location.assign('/console/login');
    }
  });

  $('supervisor-panel').hidden = !isSupervisor;
  setInterval(tickWaits, 1000);
  setInterval(refreshQueue, 30000); // a safety net should an event be missed
  api('GET', '/api/agent/canned-replies')
    .then((data) => {
      canned = data.items;
    })
    .catch(() => {})
    .finally(() => {
      connect();
      refreshEverything();
    });
})();
