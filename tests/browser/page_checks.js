// In-page measurements for tests/browser/page_checks.py (what axe cannot see).
// Evaluated as one expression: an object of checks sharing the helpers below.
// Every check walks the document and each open shadow root (the widget's).
(() => {
  const deepElements = () => {
    const found = [];
    const walk = (root) => {
      for (const el of root.querySelectorAll('*')) {
        found.push(el);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    return found;
  };
  const parentOf = (el) => el.parentElement
    || (el.getRootNode() instanceof ShadowRoot ? el.getRootNode().host : null);
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].map((c) => '.' + c).join('');
  const parse = (css) => {
    const n = (css.match(/[\d.]+/g) || []).map(Number);
    return { r: n[0] ?? 0, g: n[1] ?? 0, b: n[2] ?? 0, a: n.length > 3 ? n[3] : (css === 'transparent' ? 0 : 1) };
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a),
    g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a),
    a: 1,
  });
  const luminance = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (x, y) => {
    const [hi, lo] = [luminance(x), luminance(y)].sort((p, q) => q - p);
    return (hi + 0.05) / (lo + 0.05);
  };
  /** The colour behind `el`: its own and its ancestors' backgrounds, on a white canvas. */
  const backdrop = (el) => {
    const layers = [];
    for (let n = el; n; n = parentOf(n)) {
      const bg = parse(getComputedStyle(n).backgroundColor);
      if (bg.a > 0) layers.push(bg);
      if (bg.a >= 1) break;
    }
    return layers.reverse().reduce((under, top) => over(top, under), { r: 255, g: 255, b: 255, a: 1 });
  };
  const opacityOf = (el) => {
    let product = 1;
    for (let n = el; n; n = parentOf(n)) product *= Number(getComputedStyle(n).opacity);
    return product;
  };
  const hex = (c) => '#' + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  /** Visually hidden on purpose (.sr: a 1 px clipped box), for screen readers only. */
  const screenReaderOnly = (el) => {
    for (let n = el; n; n = parentOf(n)) {
      const box = n.getBoundingClientRect();
      if ((box.width <= 1 || box.height <= 1) && getComputedStyle(n).overflow !== 'visible') return true;
    }
    return false;
  };
  const shown = (el) => {
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && !screenReaderOnly(el);
  };

  return {
    /** Every shown text (placeholders, field values, chosen options too) below `minimum`:1. */
    contrast(minimum) {
      const failures = [];
      const check = (el, color, text) => {
        const bg = backdrop(el);
        const fg = over({ ...color, a: color.a * opacityOf(el) }, bg);
        const r = ratio(fg, bg);
        if (r < minimum) {
          const state = el.disabled ? ' (disabled)' : el.matches(':hover') ? ' (hover)' : '';
          failures.push(`${describe(el)}${state} "${text.slice(0, 40)}": ${r.toFixed(2)}:1, ${hex(fg)} on ${hex(bg)}`);
        }
      };
      for (const el of deepElements()) {
        if (!shown(el)) continue;
        const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim();
        if (own) check(el, parse(getComputedStyle(el).color), own);
        if (el.tagName === 'SELECT' && el.selectedOptions[0]) check(el, parse(getComputedStyle(el).color), el.selectedOptions[0].text);
        if ((el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') && el.placeholder && !el.value) {
          check(el, parse(getComputedStyle(el, '::placeholder').color), el.placeholder);
        }
        if ((el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') && el.value && el.type !== 'checkbox' && el.type !== 'file') {
          check(el, parse(getComputedStyle(el).color), el.value);
        }
      }
      return failures;
    },

    /** Content that cannot be seen at this size: clipped, sticking out, out of reach. */
    cutOff() {
      const problems = [];
      const page = document.scrollingElement;
      if (page.scrollWidth > innerWidth + 1) problems.push(`the page scrolls sideways: ${page.scrollWidth} px in ${innerWidth}`);
      const scrolls = (n, axis) => {
        const s = getComputedStyle(n);
        const overflow = axis === 'x' ? s.overflowX : s.overflowY;
        const more = axis === 'x' ? n.scrollWidth > n.clientWidth + 1 : n.scrollHeight > n.clientHeight + 1;
        return (overflow === 'auto' || overflow === 'scroll') && more;
      };
      const reachable = (el, axis) => {
        for (let n = parentOf(el); n && n !== page; n = parentOf(n)) if (scrolls(n, axis)) return true;
        return false;
      };
      const fixed = (el) => {
        for (let n = el; n; n = parentOf(n)) if (getComputedStyle(n).position === 'fixed') return true;
        return false;
      };
      const sideways = (n) => {
        const b = n.getBoundingClientRect();
        return b.left < -1 || b.right > innerWidth + 1;
      };
      const skipped = (el) => !shown(el) || el instanceof SVGElement
        || /^(INPUT|TEXTAREA|SELECT|OPTION|PROGRESS)$/.test(el.tagName); // fields scroll their own text
      for (const el of deepElements()) {
        if (skipped(el)) continue;
        const s = getComputedStyle(el);
        if ((s.overflowX === 'hidden' || s.overflowX === 'clip') && el.scrollWidth > el.clientWidth + 1) {
          problems.push(`${describe(el)} cuts its content off sideways (${el.scrollWidth} > ${el.clientWidth} px)`);
        }
        if ((s.overflowY === 'hidden' || s.overflowY === 'clip') && el.scrollHeight > el.clientHeight + 1) {
          problems.push(`${describe(el)} cuts its content off at the bottom (${el.scrollHeight} > ${el.clientHeight} px)`);
        }
        const box = el.getBoundingClientRect();
        if (box.right <= 0) continue; // parked off-screen until focused (skip links)
        const parent = parentOf(el);
        const parentOut = parent && parent !== document.body && sideways(parent); // reported there
        if (sideways(el) && !parentOut && !reachable(el, 'x')) {
          problems.push(`${describe(el)} sticks out sideways (${Math.round(box.left)}..${Math.round(box.right)} of ${innerWidth})`);
        }
        // The page's scrolling never moves a fixed element: what it holds must fit or scroll itself.
        if (fixed(el) && (box.top < -1 || box.bottom > innerHeight + 1) && !reachable(el, 'y')) {
          problems.push(`${describe(el)} is off screen and cannot be scrolled to (${Math.round(box.top)}..${Math.round(box.bottom)} of ${innerHeight})`);
        }
      }
      return problems;
    },

    /** The focused element (inside shadow roots too) and how its focus is drawn. */
    focusRing() {
      let el = document.activeElement;
      while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
      if (!el || el === document.body) return null;
      const s = getComputedStyle(el);
      const around = backdrop(parentOf(el) || el);
      const colours = [s.outlineColor, ...(s.boxShadow.match(/rgba?\([^)]*\)/g) || [])].map(parse);
      return {
        element: describe(el),
        focusVisible: el.matches(':focus-visible'),
        outline: s.outlineStyle,
        width: parseFloat(s.outlineWidth),
        contrast: Math.max(...colours.map((c) => ratio(over(c, around), around))),
      };
    },

    /** Animations running now in the document and its shadow roots. */
    animations() {
      const roots = [document, ...deepElements().filter((el) => el.shadowRoot).map((el) => el.shadowRoot)];
      return roots.flatMap((r) => r.getAnimations()).filter((a) => a.playState === 'running').length;
    },
  };
})()
