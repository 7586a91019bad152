// Two-step verification set-up: ask for a secret, then confirm the first code.
"use strict";
(() => {
  const headers = { "Content-Type": "application/json", "X-Requested-With": "bankbot-console" };
  const $ = (id) => document.getElementById(id);
  const fail = (message) => {
    const box = $("totp-error");
    box.textContent = message;
    box.hidden = false;
  };
  const start = $("totp-start");
  if (!start) return;
  start.addEventListener("click", async () => {
    const response = await fetch("/api/agent/me/totp", { method: "POST", headers, credentials: "same-origin" });
    const body = await response.json();
    if (!response.ok) return fail(body.error.message);
    $("totp-secret").textContent = body.secret;
    $("totp-uri").textContent = body.uri;
    $("totp-setup").hidden = false;
    start.hidden = true;
    $("totp-code").focus();
  });
  $("totp-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = $("totp-code").value;
    const response = await fetch("/api/agent/me/totp/confirm", {
      method: "POST", headers, credentials: "same-origin", body: JSON.stringify({ code }),
    });
    const body = await response.json();
    if (!response.ok) return fail(body.error.message);
    $("totp-error").hidden = true;
    $("totp-setup").hidden = true;
    $("totp-ok").hidden = false;
  });
})();
