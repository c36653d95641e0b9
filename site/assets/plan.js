// Plans and payments: the plan section of My page (plan, today's AI uses, the subscription, the
// payment history, subscribing and cancelling), and, on every page that includes it, the upgrade
// offer when a FREE member's AI uses for the day run out. Plain modern JavaScript, apart from app.js.
"use strict";
(() => {
  // This script may run before app.js (it sits in the page, app.js after it): read the page's settings itself.
  const GF = window.GF || JSON.parse(document.getElementById("gf-config").textContent);
  const lang = GF.lang;
  const T = (key, vars = {}) => (GF.t["js.plan." + key] || key).replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? "");
  const $ = (sel) => document.querySelector(sel);
  const won = (n) => Number(n).toLocaleString(lang === "ko" ? "ko-KR" : "en-US");

  async function call(method, body) {
    const headers = { "x-gitfolio-csrf": "1" };
    if (body !== undefined) headers["content-type"] = "application/json";
    try {
      const response = await fetch("/api/subscription", { method, headers, credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body) });
      let data = null;
      try { data = await response.json(); } catch (e) { data = null; }
      return { status: response.status, data };
    } catch (e) {
      return { status: 0, data: null };
    }
  }

  const message = (error) => error?.messages?.[lang] || error?.message || T("error");
  function show(el, text, kind = "") { if (el) { el.className = "status " + kind; el.textContent = text; el.hidden = false; } }

  // Starts PRO: KakaoPay's `ready` through our function, then KakaoPay's approval page.
  async function upgrade(statusEl, button) {
    if (button) button.disabled = true;
    show(statusEl, T("redirecting"));
    const { status, data } = await call("POST", { language: lang });
    if (status === 201) {
      const mobile = /Mobi|Android/i.test(navigator.userAgent) && data.mobileRedirectURL;
      location.href = mobile || data.redirectURL;
      return;
    }
    if (button) button.disabled = false;
    show(statusEl, message(data?.error), "bad");
  }

  function render(data) {
    const limits = data.limits;
    $("#plan-name").textContent = data.plan;
    $("#plan-uses").textContent = limits.fairUse
      ? T("uses.pro", { used: data.aiUsesToday, limit: limits.aiUsesPerDay })
      : T("uses.free", { left: data.aiUsesLeft, limit: limits.aiUsesPerDay });
    $("#plan-limits").textContent = T("limits", { resumes: limits.resumes, repositories: limits.repositoriesPerGeneration });
    const sub = data.subscription;
    let line = "";
    if (sub?.status === "ACTIVE") line = T("next", { date: sub.nextChargeDate, amount: won(sub.amount) });
    if (sub?.status === "CANCELLED") line = T("endsOn", { date: sub.paidUntil });
    if (sub?.declinedCharge) line += " " + T("declined", { date: sub.declinedCharge.lastAttemptOn, left: sub.declinedCharge.retriesLeft });
    $("#plan-subscription").textContent = line;
    $("#plan-subscription").hidden = !line;
    $("#plan-notices").replaceChildren(...data.notices.map((n) => {
      const li = document.createElement("li");
      li.textContent = T("notice." + n.kind, { day: n.day });
      return li;
    }));
    const upgradeButton = $("#upgrade");
    upgradeButton.textContent = T("upgrade", { price: won(data.proLimits.monthlyPriceKRW), cap: data.proLimits.aiUsesPerDay });
    upgradeButton.hidden = data.plan !== "FREE" || !data.paymentsConfigured;
    $("#plan-unconfigured").hidden = data.plan !== "FREE" || data.paymentsConfigured;
    $("#cancel-subscription").hidden = sub?.status !== "ACTIVE";
    const rows = data.payments.map((p) => {
      const tr = document.createElement("tr");
      for (const text of [p.approvedAt.slice(0, 10), T("amount", { amount: won(p.amount) }), `${p.periodStart} – ${p.periodEnd}`]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    });
    $("#plan-payments tbody").replaceChildren(...rows);
    $("#plan-payments").hidden = rows.length === 0;
    $("#plan-payments-none").hidden = rows.length > 0;
  }

  async function planSection() {
    const section = $("#plan");
    const { status, data } = await call("GET");
    if (status !== 200) return;  // signed out: app.js shows the sign-in prompt
    render(data);
    section.hidden = false;
    const statusEl = $("#plan-status");
    // Back from KakaoPay: the pay webhook says how the payment went (`?pay=<outcome or error code>`).
    const pay = new URLSearchParams(location.search).get("pay");
    if (pay) {
      const good = pay === "approved" || pay === "already_approved";
      show(statusEl, GF.t["js.plan.pay." + pay] || T("pay.default"), good ? "ok" : pay === "cancelled" ? "" : "bad");
    }
    $("#upgrade").addEventListener("click", (e) => upgrade(statusEl, e.target));
    $("#cancel-subscription").addEventListener("click", async () => {
      if (!confirm(T("cancelConfirm"))) return;
      const { status: code, data: answer } = await call("DELETE");
      if (code === 200) { render(answer); show(statusEl, T("cancelled"), "ok"); }
      else show(statusEl, message(answer?.error), "bad");
    });
  }

  // The upgrade offer: `generate` and `revise` answer 429 `quota_exceeded` when the day's uses are
  // spent. Seen here (app.js still shows the message), so that a FREE member can upgrade on the spot.
  let offered = false;
  async function offer() {
    if (offered) return;
    offered = true;
    const { status, data } = await call("GET");
    if (status !== 200 || data.plan !== "FREE" || !data.paymentsConfigured) { offered = false; return; }
    const box = document.createElement("div");
    box.id = "upgrade-offer";
    box.className = "notice";
    const text = document.createElement("p");
    text.textContent = T("offer", { price: won(data.proLimits.monthlyPriceKRW), cap: data.proLimits.aiUsesPerDay });
    const status2 = document.createElement("p");
    status2.className = "status";
    status2.setAttribute("role", "status");
    status2.hidden = true;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button primary";
    button.id = "upgrade-offer-button";
    button.textContent = T("upgrade", { price: won(data.proLimits.monthlyPriceKRW), cap: data.proLimits.aiUsesPerDay });
    button.addEventListener("click", () => upgrade(status2, button));
    box.append(text, button, status2);
    const anchor = [...document.querySelectorAll(".status[role=status]")].find((el) => el.offsetParent !== null && el.textContent);
    if (anchor) anchor.after(box); else document.querySelector("main").prepend(box);
  }

  // Deleting an account with an active subscription: `me` refuses (409 `subscription_active`, nothing
  // changed), and the same confirmation goes to `subscription`, which stops the subscription at
  // KakaoPay first and then deletes the account. app.js sees the answer of that second request.
  const realFetch = window.fetch.bind(window);
  window.fetch = async (resource, options) => {
    const response = await realFetch(resource, options);
    const url = new URL(typeof resource === "string" ? resource : resource.url, location.href);
    if (response.status === 429 && /^\/api\/(generate|revise)$/.test(url.pathname)) {
      response.clone().json().then((d) => { if (d?.error?.code === "quota_exceeded") setTimeout(offer, 0); }).catch(() => {});
    }
    if (response.status === 409 && url.pathname === "/api/me" && options?.method === "DELETE") {
      const answer = await response.clone().json().catch(() => null);
      if (answer?.error?.code === "subscription_active") {
        const confirm = JSON.parse(options.body || "{}").confirm;
        return realFetch("/api/subscription", { method: "DELETE", credentials: "same-origin",
          headers: { "x-gitfolio-csrf": "1", "content-type": "application/json" },
          body: JSON.stringify({ deleteAccount: true, confirm }) });
      }
    }
    return response;
  };

  document.addEventListener("DOMContentLoaded", () => { if ($("#plan")) planSection(); });
})();
