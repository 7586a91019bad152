/*
 * bankbot customer chat widget — one file, no build step, ES2020.
 *
 * Embed:  <script src="https://gateway.example/widget.js" data-language="zh" async></script>
 * Options (data-* on that tag):
 *   data-language  "zh" | "en"            interface and conversation language (default: page's)
 *   data-mode      "launcher" | "fullscreen"  fullscreen = no launcher, fills the page (app web views)
 *   data-channel   "web" | "app"          reported when the conversation is created
 *
 * It talks only to the gateway's public customer API (docs/architecture.md):
 *   POST /api/conversations, POST …/messages, GET …/messages?after=, POST …/csat,
 *   WS /ws/conversations/{id} (first frame authenticates; tokens never go in URLs).
 *
 * Message order is owned by the server's `seq`: every message is kept in a Map by
 * seq, so whatever arrives twice (WebSocket and catch-up) is shown once, and on
 * every (re)connect the widget fetches what came after the last seq it holds.
 *
 * Safety: message text only ever reaches the page through textContent.
 */
(() => {
  'use strict';

  const script = document.currentScript;
  if (!script || window.__bankbotWidgetLoaded) return; // one widget per page
  window.__bankbotWidgetLoaded = true;

  // ---- configuration -------------------------------------------------------

  const GATEWAY = new URL(script.src, location.href).origin;
  const WS_BASE = GATEWAY.replace(/^http/, 'ws');
  const FULLSCREEN = script.dataset.mode === 'fullscreen';
  const CHANNEL = script.dataset.channel === 'app' ? 'app' : 'web';
  const STORAGE_KEY = 'bankbot:' + GATEWAY;
  const MAX_CHARS = 2000; // the gateway's limit (max_message_chars)
  const PAGE_SIZE = 500; // the gateway's page size for GET …/messages
  const REQUEST_TIMEOUT_MS = 30000; // longer than the gateway's engine timeout
  const SILENCE_LIMIT_MS = 70000; // the server pings every 25 s; silence means a dead link
  const MINUTES_PER_PLACE = 4; // estimate when the server gives only a queue position

  const STRINGS = {
    zh: {
      launcher: '在线客服',
      title: '海港银行在线客服',
      subtitleBot: '智能客服 · 7×24 小时为您服务',
      subtitleQueued: '正在为您转接人工客服',
      subtitleAgent: '人工客服 {name} 为您服务',
      subtitleClosed: '对话已结束',
      toggle: 'English',
      toggleLabel: 'Switch to English / 切换到英文',
      end: '结束对话',
      close: '关闭聊天窗口',
      log: '聊天记录',
      inputLabel: '输入您的消息',
      placeholder: '请输入您的问题…',
      send: '发送',
      you: '我',
      bot: '智能客服',
      agent: '人工客服',
      system: '系统消息',
      sending: '发送中…',
      failed: '发送失败',
      retry: '重试',
      rejected: '未能发送：{reason}',
      typing: '客服正在输入…',
      offline: '网络连接已断开，正在重新连接…',
      queue: '排队中：您前面还有 {ahead} 位客户，预计等待约 {minutes} 分钟。',
      queueNext: '排队中：下一位就是您，预计等待约 {minutes} 分钟。',
      queueUnknown: '正在为您转接人工客服，请稍候。',
      agentHere: '人工客服 {name} 正在为您服务。',
      csatAsk: '请您对本次服务进行评价：',
      very_satisfied: '非常满意',
      neutral: '一般',
      dissatisfied: '不满意',
      skip: '跳过',
      keepChatting: '继续咨询',
      csatThanks: '感谢您的评价！',
      csatFailed: '评价提交失败，请再试一次。',
      ended: '本次对话已结束，感谢您的咨询。',
      newChat: '开始新的对话',
      expired: '会话已失效，请开始新的对话。',
      timedOut: '为保护您的信息安全，之前的对话因长时间未操作已结束。我们已为您开始新的对话，请问有什么可以帮您？',
      cantStart: '暂时无法连接在线客服，请稍后再试或致电 95-000。',
      tryAgain: '重试',
      unread: '在线客服，{n} 条新消息',
      quick: '快捷回复',
      switchPhrase: '请用中文回答',
      counter: '{n}/{max}',
      said: '{who}：',
    },
    en: {
      launcher: 'Chat with us',
      title: 'Harbour Bank chat',
      subtitleBot: 'Virtual assistant · 24/7',
      subtitleQueued: 'Connecting you to an agent',
      subtitleAgent: 'You are chatting with {name}',
      subtitleClosed: 'Chat ended',
      toggle: '中文',
      toggleLabel: '切换到中文 / Switch to Chinese',
      end: 'End chat',
      close: 'Close the chat window',
      log: 'Conversation',
      inputLabel: 'Type your message',
      placeholder: 'Type your question…',
      send: 'Send',
      you: 'You',
      bot: 'Assistant',
      agent: 'Agent',
      system: 'Notice',
      sending: 'Sending…',
      failed: 'Not sent',
      retry: 'Retry',
      rejected: 'Not sent: {reason}',
      typing: 'The assistant is typing…',
      offline: 'Connection lost. Reconnecting…',
      queue: 'In the queue: {ahead} customers ahead of you, about {minutes} min.',
      queueOne: 'In the queue: 1 customer ahead of you, about {minutes} min.',
      queueNext: 'In the queue: you are next, about {minutes} min.',
      queueUnknown: 'Connecting you to an agent, please wait.',
      agentHere: '{name} is now helping you.',
      csatAsk: 'How satisfied are you with this chat?',
      very_satisfied: 'Very satisfied',
      neutral: 'Neutral',
      dissatisfied: 'Dissatisfied',
      skip: 'Skip',
      keepChatting: 'Keep chatting',
      csatThanks: 'Thank you for your feedback!',
      csatFailed: 'Your rating was not sent. Please try again.',
      ended: 'This chat has ended. Thank you for contacting us.',
      newChat: 'Start a new chat',
      expired: 'This chat is no longer available. Please start a new one.',
      timedOut: 'For your security, the earlier chat ended after a while without activity. We have started a new one for you. How can we help?',
      cantStart: 'The chat is not available right now. Please try again later or call 95-000.',
      tryAgain: 'Try again',
      unread: 'Chat with us, {n} new messages',
      unreadOne: 'Chat with us, 1 new message',
      quick: 'Suggested replies',
      switchPhrase: 'please answer in English',
      counter: '{n}/{max}',
      said: '{who}: ',
    },
  };

  // ---- small helpers -------------------------------------------------------

  /** Interface string in the current language, with {placeholders} filled. */
  const t = (key, values = {}) =>
    STRINGS[ui.lang][key].replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
  // A string that counts `count` things: its singular form (`<key>One`) when there is one.
  const tn = (key, count, values = {}) =>
    t(count === 1 && STRINGS[ui.lang][key + 'One'] ? key + 'One' : key, values);

  /**
   * Build an element. `props.text` becomes textContent (never HTML); `on*`
   * functions become listeners; other props become attributes.
   */
  function h(tag, props = {}, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'text') el.textContent = value;
      else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children) if (child) el.append(child);
    return el;
  }

  /** The language a text is written in, so screen readers pick the right voice ('' = can't tell). */
  const langOf = (text) => (/[\u3400-\u9fff\uf900-\ufaff]/.test(text) ? 'zh-CN' : /[a-z]/i.test(text) ? 'en' : '');

  /** Text into `node`, each line marked with its language when the lines differ (bilingual notices). */
  function setText(node, text) {
    const lines = (text.match(/[^\n]*\n?/g) || []).filter(Boolean); // each line keeps its \n
    const langs = lines.map(langOf);
    const main = langs.find(Boolean) || '';
    if (main) node.lang = main;
    else node.removeAttribute('lang');
    node.replaceChildren(...lines.map((line, i) => (langs[i] && langs[i] !== main ? h('span', { lang: langs[i], text: line }) : line)));
  }

  /** A random id for client_message_id (crypto.randomUUID needs https; this does not). */
  function newId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  /** The gateway's own text cleaning (handoff/services/text.py), to recognise our messages. */
  const cleanText = (text) =>
    text
      .normalize('NFC')
      .replace(/\r\n?/g, '\n')
      .replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g, '')
      .replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '')
      .trim();

  /** "14:05", or "3月2日 14:05" / "2 Mar 14:05" for an earlier day. */
  function formatTime(iso) {
    // The gateway's times are UTC; a stamp read back from SQLite may lack its "Z".
    const utc = iso && !/(Z|[+-]\d\d:?\d\d)$/.test(iso) ? iso + 'Z' : iso;
    const when = utc ? new Date(utc) : new Date();
    if (Number.isNaN(when.getTime())) return '';
    const locale = ui.lang === 'zh' ? 'zh-CN' : 'en-GB';
    const sameDay = when.toDateString() === new Date().toDateString();
    const options = sameDay
      ? { hour: '2-digit', minute: '2-digit' }
      : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
    return new Intl.DateTimeFormat(locale, options).format(when);
  }

  // A chat lives as long as the tab (sessionStorage). One the customer left a message in
  // (`keep`) also goes to localStorage, so closing the page loses nothing: the next visit
  // finds the conversation and the agent's reply. Either may be unavailable (sandboxed
  // frames); then the tab's memory is used.
  let memoryStore = null;
  // `name` is read inside the try: merely touching window.localStorage throws in some frames.
  const readStore = (name) => {
    try {
      return JSON.parse(window[name].getItem(STORAGE_KEY) || 'null');
    } catch {
      return null;
    }
  };
  const writeStore = (name, value) => {
    try {
      if (value) window[name].setItem(STORAGE_KEY, JSON.stringify(value));
      else window[name].removeItem(STORAGE_KEY);
    } catch {
      /* keep the in-memory copy */
    }
  };
  const store = {
    load() {
      const tab = readStore('sessionStorage');
      if (tab) return tab;
      const kept = readStore('localStorage');
      return kept ? { ...kept, returning: true } : memoryStore;
    },
    save(value) {
      memoryStore = value;
      writeStore('sessionStorage', value);
      writeStore('localStorage', value?.keep ? value : null);
    },
  };

  /** A random id kept in this browser so repeat contacts can be counted (only its hash is stored). */
  function browserId() {
    const key = 'bankbot:browser';
    try {
      let id = localStorage.getItem(key);
      if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
        const bytes = crypto.getRandomValues(new Uint8Array(16));
        id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
        localStorage.setItem(key, id);
      }
      return id;
    } catch {
      return null; // storage blocked: the conversation is counted without a browser
    }
  }

  /** An error from the gateway (`status` 0 = the network, not the server). */
  class ApiError extends Error {
    constructor(status, code, message) {
      super(message || code || 'network error');
      this.status = status;
      this.code = code;
    }
  }

  /** One call to the customer API with the conversation's bearer token. */
  async function api(method, path, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (conv.session) headers.Authorization = 'Bearer ' + conv.session.token;
    let response;
    try {
      response = await fetch(GATEWAY + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit', // the token is the credential; no cookies cross origins
        cache: 'no-store',
        signal: controller.signal,
      });
    } catch {
      throw new ApiError(0, 'network');
    } finally {
      clearTimeout(timer);
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data?.error?.code, data?.error?.message);
    return data;
  }

  // ---- state ---------------------------------------------------------------

  const stored = store.load();
  // Back on a later visit for a left message: start with the launcher, its badge counting the replies.
  const returning = Boolean(stored?.returning);
  if (stored) delete stored.returning;
  const ui = {
    lang: pickLanguage(stored),
    open: FULLSCREEN || (Boolean(stored?.open) && !returning),
    unread: 0,
  };
  const conv = {
    session: stored?.conversation_id ? stored : null, // {conversation_id, token, last_seq, …}
    state: 'bot', // bot | queued | agent | closed (the gateway's states)
    queue: null, // {position, minutes} while queued
    notice: null, // the gateway's own status line while waiting (place and wait, or a left message)
    agentName: null,
    messages: new Map(), // seq -> message, the single source of truth for the log
    lastSeq: 0, // every seq up to here is held (no gaps below it)
    payloadTitles: new Map(), // button payload -> title, to show "转人工客服" not "/request_human"
    pending: [], // messages typed here and not yet seen back from the server
    inFlight: 0,
    loadedHistory: false,
  };
  const link = { ws: null, ready: false, attempts: 0, timer: 0, lastFrameAt: 0 };

  function pickLanguage(saved) {
    const wanted = saved?.language || script.dataset.language || document.documentElement.lang || '';
    return wanted.toLowerCase().startsWith('en') ? 'en' : 'zh';
  }

  function persist() {
    if (!conv.session) return;
    conv.session.last_seq = conv.lastSeq;
    if (ui.open) conv.session.read_seq = conv.lastSeq; // seen: not counted on the badge again
    conv.session.language = ui.lang;
    conv.session.open = ui.open;
    store.save(conv.session);
  }

  // ---- the DOM (inside a Shadow DOM, styled by the widget.css file) ----------

  // A custom element name: host-page rules written for div, section, … never match it.
  const host = h('bankbot-chat', { hidden: true });
  if (FULLSCREEN) host.classList.add('fullscreen');
  const shadow = host.attachShadow({ mode: 'open' });
  const stylesheet = h('link', { rel: 'stylesheet', href: GATEWAY + '/widget/widget.css' });
  // Show nothing until the stylesheet is in, so the page never flashes raw markup.
  stylesheet.addEventListener('load', () => (host.hidden = false));
  stylesheet.addEventListener('error', () => (host.hidden = false));

  const el = {};
  el.badge = h('span', { class: 'badge', 'aria-hidden': 'true', hidden: true }); // counted in the label
  el.launcherText = h('span', { 'data-i18n': 'launcher' });
  el.launcher = h(
    'button',
    { type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'bb-window', onclick: () => setOpen(true) },
    chatIcon(),
    el.launcherText,
    ' ',
    el.badge,
  );
  el.subtitle = h('p', { class: 'subtitle', id: 'bb-subtitle' });
  el.toggle = h('button', { type: 'button', class: 'tool', 'data-i18n': 'toggle', 'data-i18n-label': 'toggleLabel', onclick: toggleLanguage });
  // Screen readers hear what arrives here once: new replies and changes of state, never the history.
  el.live = h('div', { class: 'sr', 'aria-live': 'polite' });
  el.end = h('button', { type: 'button', class: 'tool', 'data-i18n': 'end', hidden: true, onclick: () => showCsat({ final: true, byCustomer: true }) });
  el.close = h('button', { type: 'button', class: 'tool close', 'data-i18n-label': 'close', text: '×', onclick: () => setOpen(false) });
  el.offline = h('p', { class: 'banner offline', 'data-i18n': 'offline', hidden: true });
  el.banner = h('p', { class: 'banner', hidden: true });
  el.error = h('div', { class: 'banner error', role: 'alert', hidden: true });
  el.log = h('ol', { class: 'log', 'data-i18n-label': 'log', tabindex: '0' });
  el.typing = h('div', { class: 'typing', role: 'status', hidden: true }, h('span', { class: 'dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')), h('span', { 'data-i18n': 'typing' }));
  el.quick = h('div', { class: 'quick', role: 'group', 'data-i18n-label': 'quick', hidden: true });
  el.csat = h('div', { class: 'csat', hidden: true });
  el.input = h('textarea', { id: 'bb-input', rows: '1', maxlength: String(MAX_CHARS), 'data-i18n-placeholder': 'placeholder', 'aria-describedby': 'bb-counter', enterkeyhint: 'send' });
  el.send = h('button', { type: 'submit', class: 'primary send', 'data-i18n': 'send' });
  el.counter = h('p', { class: 'counter', id: 'bb-counter', 'aria-live': 'off', hidden: true });
  el.form = h(
    'form',
    { class: 'composer', onsubmit: onSubmit },
    h('label', { class: 'sr', for: 'bb-input', 'data-i18n': 'inputLabel' }),
    el.input,
    el.send,
  );
  el.window = h(
    'section',
    { id: 'bb-window', class: 'window', role: FULLSCREEN ? 'main' : 'dialog', 'aria-labelledby': 'bb-title', 'aria-describedby': 'bb-subtitle', hidden: true },
    h(
      'header',
      { role: 'none' }, // the window's own header, not the page's banner
      h('div', { class: 'heading' }, h(FULLSCREEN ? 'h1' : 'h2', { id: 'bb-title', 'data-i18n': 'title' }), el.subtitle),
      h('div', { class: 'tools' }, el.toggle, el.end, FULLSCREEN ? null : el.close),
    ),
    el.offline,
    el.banner,
    el.error,
    el.log,
    el.typing,
    el.quick,
    el.csat,
    el.form,
    el.counter,
  );
  el.root = h('div', { class: 'root' + (FULLSCREEN ? ' fullscreen' : '') }, FULLSCREEN ? null : el.launcher, el.window, el.live);
  shadow.append(stylesheet, el.root);

  el.window.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !FULLSCREEN) {
      event.preventDefault();
      setOpen(false);
    }
  });
  el.input.addEventListener('keydown', (event) => {
    // Enter sends, Shift+Enter makes a new line; never while an IME is composing Chinese.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      el.form.requestSubmit();
    }
  });
  el.input.addEventListener('input', autosize);

  /** A speech-bubble icon, drawn with DOM calls (no markup strings). */
  function chatIcon() {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z');
    svg.append(path);
    return svg;
  }

  /** Put every interface string in the current language (static parts and sender labels). */
  function applyStrings() {
    el.root.setAttribute('lang', ui.lang === 'zh' ? 'zh-CN' : 'en');
    el.toggle.lang = ui.lang === 'zh' ? 'en' : 'zh-CN';
    for (const node of shadow.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
    for (const node of shadow.querySelectorAll('[data-i18n-label]')) node.setAttribute('aria-label', t(node.dataset.i18nLabel));
    for (const node of shadow.querySelectorAll('[data-i18n-placeholder]')) node.setAttribute('placeholder', t(node.dataset.i18nPlaceholder));
    for (const node of el.log.querySelectorAll('time')) node.textContent = formatTime(node.dateTime);
    renderStatus();
    renderUnread();
  }

  // ---- opening and closing ---------------------------------------------------

  /** Open or close the window; focus follows only when the customer did it. */
  function setOpen(open, moveFocus = true) {
    ui.open = open;
    el.window.hidden = !open;
    el.launcher.hidden = open;
    el.launcher.setAttribute('aria-expanded', String(open));
    persist();
    if (open) {
      ui.unread = 0;
      renderUnread();
      scrollToEnd(true);
      if (!conv.session && !conv.ended) startConversation();
      if (moveFocus) focusComposer();
    } else if (moveFocus) {
      el.launcher.focus();
    }
  }

  function focusComposer() {
    // Focus what the customer can use: the input, else the first button offered.
    const target = !el.input.disabled ? el.input : el.csat.querySelector('button') || el.log;
    target.focus();
  }

  /** Say `text` once through the polite live region (`who` said it); the region keeps the last few. */
  function announce(text, who) {
    const said = h('span');
    setText(said, text);
    el.live.append(h('p', {}, who ? h('span', { text: t('said', { who }) }) : null, said));
    while (el.live.childElementCount > 3) el.live.firstElementChild.remove();
  }

  /** After a reload or a later visit: replies that came while the window was closed. */
  function countUnreadSince(readSeq) {
    if (ui.open || typeof readSeq !== 'number') return;
    ui.unread = [...conv.messages.values()].filter((m) => m.seq > readSeq && m.sender !== 'customer').length;
    renderUnread();
  }

  function renderUnread() {
    el.badge.hidden = ui.unread === 0;
    el.badge.textContent = ui.unread ? String(ui.unread) : '';
    // The label starts with what the button shows (its text, then the count), as speech input expects.
    el.launcher.setAttribute('aria-label', ui.unread ? tn('unread', ui.unread, { n: ui.unread }) : t('launcher'));
  }

  // ---- the conversation ------------------------------------------------------

  /** Create the conversation (on first open) and start listening to it. */
  async function startConversation() {
    if (conv.starting) return;
    conv.starting = true;
    hideError();
    setComposerEnabled(false);
    try {
      const body = { channel: CHANNEL, language: ui.lang };
      const browser = browserId();
      if (browser) body.browser = browser;
      conv.session = await api('POST', '/api/conversations', body);
      delete conv.session.replies; // the greeting arrives by seq like every other message
      conv.state = conv.session.state || 'bot';
      persist();
      conv.loadedHistory = true;
      connect();
      await catchUp();
    } catch (error) {
      conv.session = null;
      showError(t('cantStart'), t('tryAgain'), startConversation);
    } finally {
      conv.starting = false;
      renderStatus();
      // The input was disabled while the chat started; hand it the focus now.
      if (ui.open && (shadow.activeElement === el.log || (FULLSCREEN && !shadow.activeElement))) focusComposer();
    }
  }

  /** Forget the conversation (ended or expired) and offer a new one. */
  function forgetConversation() {
    closeSocket();
    store.save(null);
    conv.session = null;
    conv.ended = true;
    renderStatus();
  }

  /** A fresh conversation, after the last one ended (`then` runs once it has started). */
  function newConversation(then) {
    conv.messages.clear();
    conv.payloadTitles.clear();
    conv.pending = [];
    conv.lastSeq = 0;
    conv.state = 'bot';
    conv.queue = null;
    conv.agentName = null;
    conv.ended = false;
    el.log.replaceChildren();
    el.csat.hidden = true;
    el.csat.replaceChildren();
    startConversation().then(() => {
      if (then && conv.session) then();
      focusComposer();
    });
  }

  /** Change state (from a WebSocket event or a reply) and what the window shows for it. */
  function setState(state, handoff) {
    if (!state) return;
    const previous = conv.state;
    conv.state = state;
    if (handoff && typeof handoff.queue_position === 'number') setQueue(handoff);
    if (handoff?.mode === 'message' && conv.session && !conv.session.keep) {
      conv.session.keep = true; // a reply will come later: survive closing the page
      persist();
    }
    if (state !== 'queued') conv.queue = conv.notice = null;
    if (state === 'closed' && previous !== 'closed') showCsat({ final: true });
    // Back to the bot after an agent: rate the agent's part (rule 6), chat goes on.
    if (previous === 'agent' && state === 'bot') showCsat({ final: false });
    renderStatus();
  }

  function setQueue(info) {
    const position = Number(info.queue_position ?? info.position);
    if (!Number.isFinite(position) || position < 1) return;
    const minutes = Number(info.estimated_wait?.minutes ?? info.estimated_wait_minutes ?? position * MINUTES_PER_PLACE);
    conv.queue = { position, minutes };
    if (typeof info.notice === 'string') conv.notice = info.notice;
    renderStatus();
  }

  /** Header subtitle, queue/agent banner, composer and buttons for the current state. */
  function renderStatus() {
    const { state, queue, agentName } = conv;
    const name = agentName || t('agent');
    el.subtitle.textContent =
      conv.ended || state === 'closed' ? t('subtitleClosed')
        : state === 'queued' ? t('subtitleQueued')
        : state === 'agent' ? t('subtitleAgent', { name })
        : t('subtitleBot');
    let banner = '';
    let kind = '';
    if (!conv.ended && state === 'queued') {
      kind = 'queue';
      // The gateway's words when it sent them (its honest estimate, or a left message).
      banner = conv.notice || (!queue ? t('queueUnknown')
        : queue.position <= 1 ? t('queueNext', { minutes: queue.minutes })
        : tn('queue', queue.position - 1, { ahead: queue.position - 1, minutes: queue.minutes }));
    } else if (!conv.ended && state === 'agent') {
      kind = 'agent';
      banner = t('agentHere', { name });
    }
    el.banner.className = 'banner ' + kind;
    el.banner.hidden = !banner;
    if (el.banner.textContent !== banner) el.banner.textContent = banner;
    // A new place in the queue or a new agent is news; the same words in the other language are not.
    const news = kind === 'queue' && queue ? kind + queue.position + ':' + queue.minutes : kind + (kind === 'agent' ? name : '');
    if (news !== ui.news && banner && conv.loadedHistory && !conv.restoring) announce(banner);
    ui.news = news;
    el.end.hidden = !conv.session || state === 'closed' || conv.ended || csatOpen();
    setComposerEnabled(Boolean(conv.session) && state !== 'closed' && !conv.ended);
    const offline = Boolean(conv.session) && !link.ready && link.attempts > 0;
    if (offline && el.offline.hidden) announce(t('offline'));
    el.offline.hidden = !offline;
    el.typing.hidden = !(conv.inFlight > 0 && state === 'bot');
    renderQuickReplies();
  }

  function setComposerEnabled(enabled) {
    el.input.disabled = !enabled;
    el.send.disabled = !enabled;
  }

  // ---- messages ---------------------------------------------------------------

  /** Add one server message (from the WebSocket or a catch-up); a seq already held is ignored. */
  function addMessage(message) {
    if (!message || typeof message.seq !== 'number' || conv.messages.has(message.seq)) return;
    conv.messages.set(message.seq, message);
    while (conv.messages.has(conv.lastSeq + 1)) conv.lastSeq += 1;
    for (const button of message.buttons || []) conv.payloadTitles.set(button.payload, button.title);
    if (message.sender === 'agent' && message.agent_name) conv.agentName = message.agent_name;
    const claimed = message.sender === 'customer' ? claimPending(message) : null;
    const nearEnd = isNearEnd();
    insertBySeq(renderMessage(message));
    if (claimed) claimed.node.remove();
    if (message.buttons?.length) relabelPayloads();
    if (message.sender !== 'customer' && conv.loadedHistory) {
      announce(message.text, message.sender === 'system' ? '' : message.agent_name || t(message.sender));
      if (!ui.open) {
        ui.unread += 1;
        renderUnread();
      }
    }
    scrollToEnd(nearEnd || message.sender === 'customer');
    persist();
    renderStatus();
  }

  /** What a customer message shows: a pressed button's title rather than its payload. */
  const displayText = (message) =>
    message.sender === 'customer' && conv.payloadTitles.has(message.text)
      ? conv.payloadTitles.get(message.text)
      : message.text;

  function senderLabel(message) {
    if (message.sender === 'agent') return message.agent_name ? null : 'agent';
    return { customer: 'you', bot: 'bot', system: 'system' }[message.sender] || 'system';
  }

  function renderMessage(message) {
    const labelKey = senderLabel(message);
    const who = labelKey
      ? h('span', { class: 'who', 'data-i18n': labelKey, text: t(labelKey) })
      : h('span', { class: 'who', text: message.agent_name }); // an agent's own display name
    if (message.sender === 'customer' || message.sender === 'system') who.classList.add('sr');
    return h(
      'li',
      { class: 'msg from-' + message.sender, 'data-seq': String(message.seq) },
      h('div', { class: 'meta' }, who, h('time', { datetime: message.created_at, text: formatTime(message.created_at) })),
      makeBubble(displayText(message)),
    );
  }

  function makeBubble(text) {
    const node = h('div', { class: 'bubble' });
    setText(node, text);
    return node;
  }

  /** Keep the log in seq order; messages still being sent stay at the end. */
  function insertBySeq(node) {
    const seq = Number(node.dataset.seq);
    for (const other of el.log.children) {
      if (!other.dataset.seq || Number(other.dataset.seq) > seq) {
        el.log.insertBefore(node, other);
        return;
      }
    }
    el.log.append(node);
  }

  /** A button message may arrive after the press it explains (catch-up); fix the labels. */
  function relabelPayloads() {
    for (const node of el.log.querySelectorAll('.from-customer[data-seq]')) {
      const message = conv.messages.get(Number(node.dataset.seq));
      const bubble = node.querySelector('.bubble');
      if (message && bubble.textContent !== displayText(message)) setText(bubble, displayText(message));
    }
  }

  /** Quick replies of the latest message only, while the chat can go on. */
  const RATING_SCORES = ['very_satisfied', 'neutral', 'dissatisfied'];

  function renderQuickReplies() {
    const last = conv.messages.get(Math.max(0, ...conv.messages.keys()));
    const offered = conv.state !== 'closed' && !conv.ended && last?.sender !== 'customer' && !conv.pending.length ? last?.buttons || [] : [];
    // Ratings are given in the rating panel only, never twice through quick replies.
    const buttons = offered.filter((button) => !RATING_SCORES.includes(button.payload));
    const key = buttons.length ? last.seq + ':' + ui.lang : '';
    if (el.quick.dataset.key === key) return;
    el.quick.dataset.key = key;
    const hadFocus = el.quick.contains(shadow.activeElement);
    el.quick.replaceChildren(
      ...buttons.map((button) =>
        h('button', { type: 'button', class: 'chip', text: button.title, onclick: () => send(button.payload, button.title) }),
      ),
    );
    el.quick.hidden = buttons.length === 0;
    if (hadFocus) focusComposer();
  }

  function isNearEnd() {
    return el.log.scrollHeight - el.log.scrollTop - el.log.clientHeight < 80;
  }

  function scrollToEnd(force) {
    if (force) el.log.scrollTop = el.log.scrollHeight;
  }

  /** Fetch every message after the last seq held, page by page (one run at a time). */
  async function catchUp() {
    if (!conv.session) return;
    if (conv.catching) {
      conv.catchAgain = true;
      return conv.catching;
    }
    const run = async () => {
      const firstLoad = conv.messages.size === 0;
      if (firstLoad) el.log.setAttribute('aria-busy', 'true');
      try {
        do {
          conv.catchAgain = false;
          for (;;) {
            const before = conv.lastSeq;
            const id = conv.session.conversation_id;
            const data = await api('GET', `/api/conversations/${encodeURIComponent(id)}/messages?after=${before}`);
            if (conv.session?.conversation_id !== id) return; // a new chat started meanwhile
            data.messages.forEach(addMessage);
            if (data.messages.length < PAGE_SIZE || conv.lastSeq === before) break;
          }
        } while (conv.catchAgain);
      } finally {
        el.log.removeAttribute('aria-busy');
        conv.loadedHistory = true;
      }
    };
    conv.catching = run();
    try {
      await conv.catching;
    } catch (error) {
      if (error.status === 401 || error.status === 404) expire(error.code);
      // Network trouble: the next reconnect catches up again.
    } finally {
      conv.catching = null;
    }
  }

  // ---- sending ------------------------------------------------------------------

  function onSubmit(event) {
    event.preventDefault();
    const text = el.input.value;
    if (!cleanText(text) || el.input.disabled) return;
    el.input.value = '';
    autosize();
    send(text);
    el.input.focus();
  }

  function autosize() {
    el.input.style.height = 'auto'; // CSSOM, allowed under style-src 'self'
    el.input.style.height = Math.min(el.input.scrollHeight + 2, 160) + 'px';
    const n = el.input.value.length;
    el.counter.hidden = n < MAX_CHARS * 0.8;
    el.counter.textContent = t('counter', { n, max: MAX_CHARS });
  }

  let sendChain = Promise.resolve();

  /** Show the message at once and post it; posts go one at a time, in order. */
  function send(text, shown = text) {
    const entry = { text, shown, id: newId(), state: 'sending', node: null };
    entry.node = renderPending(entry);
    el.log.append(entry.node);
    conv.pending.push(entry);
    scrollToEnd(true);
    queuePost(entry);
    renderStatus();
  }

  function queuePost(entry) {
    sendChain = sendChain.then(() => post(entry));
  }

  /** POST one message; on failure the bubble gets a retry that reuses its client_message_id. */
  async function post(entry) {
    if (!conv.session || !conv.pending.includes(entry)) return;
    setPendingState(entry, 'sending');
    conv.inFlight += 1;
    renderStatus();
    try {
      const id = encodeURIComponent(conv.session.conversation_id);
      const result = await api('POST', `/api/conversations/${id}/messages`, { text: entry.text, client_message_id: entry.id });
      setPendingState(entry, 'sent');
      if (el.error.dataset.kind === 'timedOut') hideError();
      conv.restoring = false;
      setState(result.state, result.handoff);
      await catchUp(); // the replies, by seq, even if the WebSocket is down
      dropPending(entry);
    } catch (error) {
      if (error.status === 401 || error.status === 404) return expire(error.code);
      if (error.status === 409) {
        setPendingState(entry, 'rejected', error.message);
        setState('closed');
      } else if (error.status === 422) {
        setPendingState(entry, 'rejected', error.message);
      } else {
        setPendingState(entry, 'failed');
      }
    } finally {
      conv.inFlight -= 1;
      renderStatus();
    }
  }

  function renderPending(entry) {
    const status = h('p', { class: 'status' });
    const node = h(
      'li',
      { class: 'msg from-customer pending' },
      h('div', { class: 'meta' }, h('span', { class: 'who sr', 'data-i18n': 'you', text: t('you') }), h('time', { datetime: new Date().toISOString(), text: formatTime() })),
      makeBubble(entry.shown),
      status,
    );
    entry.status = status;
    return node;
  }

  function setPendingState(entry, state, reason) {
    entry.state = state;
    entry.node.classList.toggle('failed', state === 'failed' || state === 'rejected');
    const parts = [];
    if (state === 'sending') parts.push(h('span', { 'data-i18n': 'sending', text: t('sending') }));
    if (state === 'failed') {
      parts.push(
        h('span', { 'data-i18n': 'failed', text: t('failed') }),
        h('button', { type: 'button', class: 'retry', 'data-i18n': 'retry', text: t('retry'), onclick: () => retry(entry) }),
      );
    }
    if (state === 'rejected') parts.push(h('span', { text: t('rejected', { reason: reason || '' }) }));
    entry.status.replaceChildren(...parts);
    if (parts.length && state !== 'sending') announce(parts[0].textContent);
  }

  function retry(entry) {
    setPendingState(entry, 'sending');
    queuePost(entry); // the same client_message_id: the gateway processes it at most once
    el.input.focus();
  }

  /**
   * A customer message came back from the server: which local bubble was it?
   * The same cleaned text first; else the oldest in flight (the gateway masks
   * card and phone numbers, so the text may differ); else the oldest failed
   * (sent, but the answer was lost on the way back).
   */
  function claimPending(message) {
    const pending = conv.pending;
    let index = pending.findIndex((p) => cleanText(p.text) === message.text);
    if (index < 0) index = pending.findIndex((p) => p.state === 'sending' || p.state === 'sent');
    if (index < 0) index = pending.findIndex((p) => p.state === 'failed');
    if (index < 0) return null;
    const [entry] = pending.splice(index, 1);
    if (entry.text !== entry.shown) conv.payloadTitles.set(message.text, entry.shown);
    return entry;
  }

  function dropPending(entry) {
    const index = conv.pending.indexOf(entry);
    if (index >= 0) conv.pending.splice(index, 1);
    entry.node.remove();
  }

  // ---- language -------------------------------------------------------------------

  /** Switch the interface, and ask the assistant (or agent) to switch too. */
  function toggleLanguage() {
    ui.lang = ui.lang === 'zh' ? 'en' : 'zh';
    persist();
    applyStrings();
    el.quick.dataset.key = '';
    renderQuickReplies();
    if (conv.session && conv.state !== 'closed' && !conv.ended) send(t('switchPhrase'));
  }

  // ---- satisfaction (rule 6) ----------------------------------------------------------

  const csatOpen = () => !el.csat.hidden && Boolean(el.csat.querySelector('.row'));

  /**
   * Ask for a rating. `final`: the chat is over (closed by the bank, or ended
   * here with "End chat"), so afterwards a new chat is offered.
   */
  function showCsat({ final, byCustomer = false }) {
    if (!conv.session || csatOpen()) return;
    const scores = ['very_satisfied', 'neutral', 'dissatisfied'];
    const question = h('p', { 'data-i18n': 'csatAsk', text: t('csatAsk') });
    const row = h(
      'div',
      { class: 'row', role: 'group', 'aria-label': t('csatAsk') },
      ...scores.map((score) =>
        h('button', { type: 'button', class: 'chip', 'data-score': score, 'data-i18n': score, text: t(score), onclick: () => rate(score) }),
      ),
      h('button', { type: 'button', class: 'link', 'data-i18n': 'skip', text: t('skip'), onclick: () => done(false) }),
      // "End chat" pressed by mistake: go back to the conversation.
      byCustomer ? h('button', { type: 'button', class: 'link', 'data-i18n': 'keepChatting', text: t('keepChatting'), onclick: hideCsat }) : null,
    );

    /** After a rating (or a skip): thanks, then a new chat if this one is over. */
    function done(rated) {
      if (!rated && !final) return hideCsat();
      el.csat.replaceChildren(h('p', { class: 'thanks', 'data-i18n': rated ? 'csatThanks' : 'ended', text: t(rated ? 'csatThanks' : 'ended') }));
      announce(t(rated ? 'csatThanks' : 'ended'));
      if (final) {
        forgetConversation(); // over: the next open or a reload starts a new chat
        const restart = h('button', { type: 'button', class: 'primary', 'data-i18n': 'newChat', text: t('newChat'), onclick: () => newConversation() });
        el.csat.append(restart);
        restart.focus();
      } else {
        setTimeout(() => (el.csat.hidden = true), 4000);
        focusComposer();
      }
      renderStatus();
    }

    async function rate(score) {
      for (const button of row.querySelectorAll('button')) button.disabled = true;
      try {
        const id = encodeURIComponent(conv.session.conversation_id);
        await api('POST', `/api/conversations/${id}/csat`, { score, comment: null });
        done(true);
      } catch {
        for (const button of row.querySelectorAll('button')) button.disabled = false;
        question.textContent = t('csatFailed');
        announce(t('csatFailed'));
        row.querySelector('button').focus();
      }
    }

    el.csat.replaceChildren(question, row);
    el.csat.hidden = false;
    renderStatus();
    if (ui.open) row.querySelector('button').focus();
  }

  function hideCsat() {
    el.csat.hidden = true;
    el.csat.replaceChildren();
    renderStatus();
    focusComposer();
  }

  // ---- the WebSocket ------------------------------------------------------------------

  /** Open the push channel; auth is the first frame, then a catch-up closes any gap. */
  function connect() {
    if (!conv.session || link.ws) return;
    clearTimeout(link.timer);
    const socket = new WebSocket(`${WS_BASE}/ws/conversations/${encodeURIComponent(conv.session.conversation_id)}`);
    link.ws = socket;
    link.lastFrameAt = Date.now();
    socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'auth', token: conv.session.token })));
    socket.addEventListener('message', (event) => {
      if (link.ws !== socket) return;
      link.lastFrameAt = Date.now();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      onFrame(frame);
    });
    socket.addEventListener('close', (event) => {
      if (link.ws !== socket) return; // replaced or closed on purpose
      link.ws = null;
      link.ready = false;
      if (event.code === 4408) return expire('conversation_expired');
      if (event.code === 4401 || event.code === 4404) return expire();
      scheduleReconnect();
    });
  }

  function onFrame(frame) {
    switch (frame.type) {
      case 'ready':
        link.ready = true;
        link.attempts = 0;
        setState(frame.state, frame.handoff);
        conv.restoring = false; // the state a reload finds is not news; changes from here on are
        catchUp(); // everything published before we subscribed is in the database
        break;
      case 'message':
        if (frame.message?.seq > conv.lastSeq + 1) catchUp(); // a hole: fill it from the database
        addMessage(frame.message);
        break;
      case 'state':
        if (frame.agent_name || frame.agent?.name) conv.agentName = frame.agent_name || frame.agent.name;
        setState(frame.state, frame.handoff);
        break;
      case 'queue': // {state, queue_position, estimated_wait_minutes}: the desk's periodic update
        if (frame.state) setState(frame.state);
        setQueue(frame.handoff || frame);
        break;
      default: // ping, error, and event types added later
        break;
    }
    renderStatus();
  }

  /** Exponential backoff with jitter: 0.5 s, 1 s, 2 s … at most 30 s, each 50-100 %. */
  function scheduleReconnect() {
    clearTimeout(link.timer);
    const ceiling = Math.min(30000, 500 * 2 ** link.attempts);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    link.attempts += 1;
    link.timer = setTimeout(connect, delay);
    renderStatus();
  }

  function reconnectNow() {
    if (!conv.session || link.ws) return;
    clearTimeout(link.timer);
    connect();
  }

  function closeSocket() {
    clearTimeout(link.timer);
    const socket = link.ws;
    link.ws = null;
    link.ready = false;
    link.attempts = 0;
    if (socket) socket.close(1000);
  }

  /** The conversation is unknown or its token refused: start over.
   *  A chat that timed out (idle or too old) starts afresh at once, saying why. */
  function expire(code) {
    const unsent = conv.pending.map((entry) => entry.text).join('\n');
    forgetConversation();
    if (code === 'conversation_expired') {
      newConversation(() => {
        showError(t('timedOut')); // a polite alert: said once by screen readers
        el.error.dataset.kind = 'timedOut'; // cleared by the next message sent
        if (unsent && !el.input.value) el.input.value = unsent; // nothing typed is lost
      });
      return;
    }
    showError(t('expired'), t('newChat'), () => {
      hideError();
      newConversation();
    });
  }

  // A silent link is a dead link (a phone that changed networks): drop it and reconnect.
  setInterval(() => {
    if (link.ws && Date.now() - link.lastFrameAt > SILENCE_LIMIT_MS) {
      const socket = link.ws;
      link.ws = null;
      link.ready = false;
      socket.close();
      scheduleReconnect();
    }
  }, 10000);
  window.addEventListener('online', reconnectNow);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && reconnectNow());

  // ---- errors ----------------------------------------------------------------------------

  function showError(message, actionLabel, action) {
    el.error.replaceChildren(
      h('span', { text: message }),
      actionLabel ? h('button', { type: 'button', class: 'primary', text: actionLabel, onclick: action }) : null,
    );
    el.error.hidden = false;
  }

  function hideError() {
    delete el.error.dataset.kind;
    el.error.hidden = true;
    el.error.replaceChildren();
  }

  // ---- start ------------------------------------------------------------------------------

  function mount() {
    document.body.append(host);
    applyStrings();
    if (conv.session) {
      // A reload: same conversation, whole history from seq 0, then live again.
      conv.restoring = true;
      connect();
      catchUp().then(() => {
        countUnreadSince(conv.session?.read_seq);
        renderStatus();
      });
    }
    // Never take the focus from the host page on load (except the full-screen chat).
    setOpen(ui.open, FULLSCREEN);
  }

  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
})();
