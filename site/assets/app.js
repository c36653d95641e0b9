// Gitfolio's pages are static; this script asks the functions who is signed in and drives
// the sign-in and My page forms. No build step: plain modern JavaScript.
"use strict";
// The page's language, URL prefix and strings, from a JSON block in the page (no inline script:
// the Content-Security-Policy allows scripts from the site's own files only).
window.GF = JSON.parse(document.getElementById("gf-config").textContent);
const GFT = (key, vars = {}) => (window.GF.t["js." + key] || key).replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? "");
const $ = (sel, root = document) => root.querySelector(sel);

// A server error in the page's language: `messages.ko`/`messages.en` when the server wrote both,
// else its English `message`.
function localMessage(error) {
  if (!error) return GFT("error.default");
  return error.messages?.[window.GF.lang] || error.message || GFT("error.default");
}

// Marks the input an error names ("email", "education[0].end") and moves focus to it.
function markField(form, field) {
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  if (!field) return;
  const m = field.match(/^(\w+)\[(\d+)\](?:\.(\w+))?$/);
  const el = m
    ? form.querySelectorAll(`[data-list="${m[1]}"] .item`)[Number(m[2])]?.querySelector(m[3] ? `[name="${m[3]}"]` : "input, select")
    : form.querySelector(`[name="${field}"]`);
  if (el) { el.setAttribute("aria-invalid", "true"); el.focus(); }
}

// A form's status line: plain, "ok" or "bad".
function setStatus(el, text, kind = "") { el.className = "status " + kind; el.textContent = text; }

async function api(path, { method = "GET", body, keepalive = false } = {}) {
  const headers = { "x-gitfolio-csrf": "1" };
  if (body !== undefined) headers["content-type"] = "application/json";
  let response;
  try {
    response = await fetch("/api/" + path, { method, headers, credentials: "same-origin", keepalive,
      body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    return { status: 0, data: { error: { code: "network", message: GFT("error.network") } } };
  }
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  return { status: response.status, data };
}

const ENUMS = {
  jobRole: ["BACKEND", "FRONTEND", "INFRA", "AI", "GAME"],
  schoolType: ["PRIVATE_EDUCATION", "HIGH_SCHOOL", "UNIVERSITY_ASSOCIATE_DEGREE", "UNIVERSITY_BACHELOR",
    "GRADUATE_SCHOOL_MASTER", "GRADUATE_SCHOOL_DOCTOR"],
  status: ["GRADUATED", "ATTENDING", "DROP_OUT"],
  workType: ["INTERN", "CONTRACT_WORKER", "FULL_TIME", "PRIVATE_BUSINESS", "FREELANCER"],
  employment: ["EMPLOYMENT", "RESIGNATION"],
};

// Fields of each list on My page: [name, kind]. Kinds: text, enum, month, long, url.
const LISTS = {
  education: [["schoolType", "enum"], ["schoolName", "text"], ["major", "text"], ["status", "enum"], ["start", "month"], ["end", "month"]],
  workExperience: [["company", "text"], ["title", "text"], ["workType", "enum"], ["employment", "enum"], ["start", "month"], ["end", "month"], ["description", "long"]],
  certificates: [["name", "text"], ["issuer", "text"], ["acquired", "month"]],
  links: [["title", "text", "linkTitle"], ["url", "url"]],
};

function select(name, values, current, allowEmpty) {
  const el = document.createElement("select");
  el.name = name;
  if (allowEmpty) el.append(new Option(GFT("none"), ""));
  for (const v of values) el.append(new Option(GFT("enum." + v), v));
  el.value = current ?? (allowEmpty ? "" : values[0]);
  return el;
}

function listItem(list, value = {}) {
  const item = document.createElement("div");
  item.className = "item";
  for (const [name, kind, label] of LISTS[list]) {
    const wrap = document.createElement("label");
    wrap.textContent = GFT("field." + (label || name));
    let input;
    if (kind === "enum") input = select(name, ENUMS[name], value[name], false);
    else if (kind === "long") { input = document.createElement("textarea"); input.rows = 3; }
    else { input = document.createElement("input"); if (kind === "month") input.placeholder = "2024.03"; }
    input.name = name;
    if (kind !== "enum") input.value = value[name] ?? "";
    wrap.append(input);
    item.append(wrap);
  }
  const remove = document.createElement("button");
  remove.type = "button"; remove.className = "link"; remove.textContent = GFT("remove");
  remove.addEventListener("click", () => item.remove());
  item.append(remove);
  return item;
}

function readProfile(form) {
  const profile = {};
  for (const name of ["name", "email", "phone", "avatarURL", "jobRole"]) profile[name] = form.elements[name].value;
  for (const list of Object.keys(LISTS)) {
    profile[list] = [...form.querySelectorAll(`[data-list="${list}"] .item`)].map((item) => {
      const value = {};
      for (const [name] of LISTS[list]) value[name] = item.querySelector(`[name="${name}"]`).value;
      return value;
    });
  }
  return profile;
}

function fillProfile(form, profile) {
  for (const name of ["name", "email", "phone", "avatarURL"]) form.elements[name].value = profile[name] ?? "";
  form.querySelector('select[name="jobRole"]').replaceWith(select("jobRole", ENUMS.jobRole, profile.jobRole, true));
  for (const list of Object.keys(LISTS)) {
    const items = form.querySelector(`[data-list="${list}"] .items`);
    items.replaceChildren(...(profile[list] || []).map((v) => listItem(list, v)));
  }
}

// Who is signed in, and their unread notifications. Every page asks `session` (the fastest function,
// no profile); the My page then asks `me` for the profile.
async function header() {
  const { status, data } = await api("session");
  const signedIn = status === 200 && !!data?.member;
  $("#who").hidden = !signedIn;
  $("#signout").hidden = !signedIn;
  $("#signin-link").hidden = signedIn;
  if (signedIn) $("#who").textContent = GFT("signedInAs", { login: data.member.login });
  $("#signout").addEventListener("click", async () => {
    await api("logout", { method: "POST" });
    location.href = window.GF.root + "/index.html";
  });
  return signedIn ? data : null;
}

async function loginPage() {
  const error = new URLSearchParams(location.search).get("error");
  if (error) {
    const el = $("#login-error");
    el.textContent = window.GF.t["js.error." + error] || GFT("error.default");
    el.hidden = false;
  }
  const { data } = await api("login?mode=info");
  const github = !!data?.github, local = !!data?.local;
  $("#github-signin").hidden = !github;
  $("#local-signin").hidden = !local;
  $("#no-signin").hidden = github || local;
  $("#private-repos")?.addEventListener("change", (e) => {
    const a = $("#github-button"), url = new URL(a.href, location.href);
    if (e.target.checked) url.searchParams.set("private", "1"); else url.searchParams.delete("private");
    a.href = url.pathname + url.search;
  });
  $("#local-signin").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = e.target;
    const { status, data } = await api("login", { method: "POST",
      body: { login: form.elements.login.value, name: form.elements.name.value } });
    if (status === 200) location.href = window.GF.root + "/me.html";
    else { const el = $("#login-error"); el.textContent = localMessage(data?.error); el.hidden = false; }
  });
}

async function mePage(me) {
  if (!me) { $("#me-signin").hidden = false; return; }
  // Warm the GitHub repository list in the background, so the generator opens with it ready.
  if (!me.member.local) api("repositories");
  const form = $("#profile"), status = $("#me-status");
  fillProfile(form, me.profile);
  form.hidden = false;
  $("#danger").hidden = false;
  for (const fs of form.querySelectorAll("[data-list]")) {
    fs.querySelector(".add").addEventListener("click", () => fs.querySelector(".items").append(listItem(fs.dataset.list)));
  }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    setStatus(status, GFT("saving"));
    const { status: code, data } = await api("me", { method: "PUT", body: readProfile(form) });
    if (code === 200) {
      fillProfile(form, data.profile); markField(form, null);
      setStatus(status, GFT("saved"), "ok");
    } else {
      setStatus(status, localMessage(data?.error), "bad");
      markField(form, data?.error?.field);
    }
  });
  $("#delete-account").addEventListener("click", async () => {
    const typed = prompt(GFT("deleteConfirm", { login: me.member.login }));
    if (typed === null) return;
    const { status: code, data } = await api("me", { method: "DELETE", body: { confirm: typed } });
    if (code === 200) { alert(GFT("deleted")); location.href = window.GF.root + "/index.html"; }
    else setStatus(status, localMessage(data?.error), "bad");
  });
}


// ---- Resumes: the list, the generator and the editor ----

async function resumePage(me) {
  if (!me) { $("#resume-signin").hidden = false; return; }
  const id = Number(new URLSearchParams(location.search).get("id"));
  if (id > 0) return resumeEditor(id);
  return resumeList(me);
}

async function resumeList(me) {
  const status = $("#list-status");
  $("#new-sample").addEventListener("click", async () => {
    const { status: code, data } = await api("resume", { method: "POST", body: { action: "sample", language: window.GF.lang } });
    if (code === 201) location.href = `${window.GF.root}/resume.html?id=${data.id}`;
    else setStatus(status, localMessage(data?.error), "bad");
  });
  const { data } = await api("resume");
  const resumes = data?.resumes || [];
  $("#resumes").replaceChildren(...resumes.map((r) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = `${window.GF.root}/resume.html?id=${r.id}`;
    a.textContent = r.title;
    const meta = document.createElement("span");
    meta.className = "muted";
    meta.textContent = ` ${r.template} · ${r.language} · ` + GFT("resume.version", { version: r.version });
    li.append(a, meta);
    return li;
  }));
  $("#no-resumes").hidden = resumes.length > 0;
  $("#resume-list").hidden = false;
  if (me.member.local) { $("#generate-local").hidden = false; return; }

  const form = $("#generate"), box = $("#repositories");
  form.hidden = false;
  form.elements.language.value = window.GF.lang;
  box.textContent = GFT("resume.loadingRepos");
  const repos = await api("repositories");
  if (repos.status !== 200) { box.textContent = localMessage(repos.data?.error); return; }
  box.replaceChildren(...repos.data.repositories.map((r) => {
    const label = document.createElement("label");
    label.className = "check";
    const input = document.createElement("input");
    input.type = "checkbox"; input.name = "repository"; input.value = r.nameWithOwner;
    const text = document.createElement("span");
    text.textContent = r.nameWithOwner + (r.primaryLanguage ? ` · ${r.primaryLanguage}` : "") + (r.stars ? ` · ★${r.stars}` : "");
    label.append(input, text);
    return label;
  }));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const repositories = [...form.querySelectorAll("[name=repository]:checked")].map((i) => i.value);
    if (!repositories.length) { setStatus(status, GFT("resume.pickOne"), "bad"); return; }
    setStatus(status, GFT("resume.generating"));
    const { status: code, data } = await api("generate", { method: "POST", body: {
      repositories, template: form.elements.template.value, language: form.elements.language.value, request: form.elements.request.value } });
    if (code === 201) location.href = `${window.GF.root}/resume.html?id=${data.id}`;
    else setStatus(status, localMessage(data?.error), "bad");
  });
}

// Sentences (lines with evidence, which AI may rewrite), as opposed to plain fields such as the name.
const LINE_PATH = /^(aboutMe|projects\[\d+\]\.(summary|bullets\[\d+\]|star\.\w+|troubleshooting\[\d+\]\.\w+))$/;

async function resumeEditor(id) {
  const editor = $("#editor"), sheet = $("#sheet"), status = $("#editor-status");
  const state = { id, version: 0, resume: null, html: {}, template: "BASIC", selection: null, proposal: null };
  editor.hidden = false;

  async function load() {
    const { status: code, data } = await api(`resume?id=${id}`);
    if (code !== 200) { setStatus(status, localMessage(data?.error), "bad"); sheet.replaceChildren(); return false; }
    state.version = data.version; state.resume = data.resume; state.html = data.html; state.template = data.resume.template;
    state.visibility = data.visibility;
    $("#template-css").textContent = data.css;
    render();
    return true;
  }

  // The HTML comes from the server's templates, where every piece of text is escaped.
  function render() {
    sheet.innerHTML = state.html[state.template];
    for (const el of sheet.querySelectorAll("[data-path]")) {
      el.contentEditable = "true";
      el.spellcheck = false;
      el.dataset.original = el.textContent;
      el.tabIndex = 0;
    }
    for (const b of editor.querySelectorAll("[data-template]")) b.setAttribute("aria-checked", String(b.dataset.template === state.template));
    $("#download").href = `/api/resume?id=${id}&format=pdf&template=${state.template}`;
    const published = state.visibility === "PUBLIC";
    $("#publish").textContent = window.GF.t[published ? "js.resume.unpublishLabel" : "js.resume.publishLabel"];
    $("#publish").setAttribute("aria-pressed", String(published));
    $("#public-link").hidden = !published;
    $("#public-link").href = `${window.GF.root}/resumes/${id}.html`;
    $("#version").textContent = GFT("resume.version", { version: state.version });
  }

  function failed(data) {
    setStatus(status, localMessage(data?.error), "bad");
    if (data?.error?.code === "version_conflict") load();
  }

  // Switching template is instant (all three are loaded); the choice is then saved.
  for (const button of editor.querySelectorAll("[data-template]")) {
    button.addEventListener("click", async () => {
      if (button.dataset.template === state.template) return;
      state.template = button.dataset.template;
      render();
      const { status: code, data } = await api("resume", { method: "PUT", body: { id, version: state.version, template: state.template } });
      if (code === 200) { state.version = data.version; $("#version").textContent = GFT("resume.version", { version: state.version }); setStatus(status, GFT("resume.saved"), "ok"); }
      else failed(data);
    });
  }

  // Editing in place: Enter or leaving the sentence saves it, with the version it was loaded at.
  // Escape puts the sentence back as it was.
  sheet.addEventListener("keydown", (e) => {
    if (!e.target.dataset?.path) return;
    if (e.key === "Enter") { e.preventDefault(); e.target.blur(); }
    if (e.key === "Escape") { e.preventDefault(); e.target.textContent = e.target.dataset.original; e.target.blur(); }
  });
  sheet.addEventListener("focusout", async (e) => {
    const el = e.target;
    if (!el.dataset?.path || el.textContent === el.dataset.original) return;
    const text = el.textContent;
    setStatus(status, GFT("saving"));
    const { status: code, data } = await api("revise", { method: "POST", body: { action: "accept", resumeId: id, path: el.dataset.path, text, version: state.version } });
    if (code === 200) { await load(); setStatus(status, GFT("resume.saved"), "ok"); }
    else { el.textContent = el.dataset.original; failed(data); }
  });

  // The evidence of the sentence in focus.
  function showEvidence(el) {
    if (el && !LINE_PATH.test(el.dataset.path)) el = null;
    const items = (el?.dataset.evidence || "").split(" ").filter(Boolean);
    $("#evidence-empty").hidden = !!el;
    $("#evidence-list").replaceChildren(...(el && !items.length ? [GFT("resume.noEvidence")] : items).map((item) => {
      const li = document.createElement("li");
      li.textContent = item;
      return li;
    }));
  }
  sheet.addEventListener("focusin", (e) => { if (e.target.dataset?.path) showEvidence(e.target); });

  // Selecting part of a sentence offers an AI rewrite of just that part.
  document.addEventListener("selectionchange", () => {
    const sel = getSelection();
    if (!sel.rangeCount || sel.isCollapsed) return;
    const range = sel.getRangeAt(0);
    const start = range.startContainer.parentElement?.closest("[data-path]");
    const end = range.endContainer.parentElement?.closest("[data-path]");
    if (!start || start !== end || !sheet.contains(start) || !LINE_PATH.test(start.dataset.path)) return;
    const before = document.createRange();
    before.setStart(start, 0);
    before.setEnd(range.startContainer, range.startOffset);
    const offset = before.toString().length;  // UTF-16 units, as the function expects
    const text = range.toString();
    if (!text.trim()) return;
    state.selection = { path: start.dataset.path, start: offset, end: offset + text.length, text };
    $("#revise-selection").textContent = text;
    $("#revise").hidden = false;
    $("#proposal").hidden = true;
  });

  $("#revise-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const s = state.selection;
    if (!s) return;
    setStatus(status, GFT("resume.asking"));
    const { status: code, data } = await api("revise", { method: "POST", body: {
      resumeId: id, path: s.path, start: s.start, end: s.end, instruction: e.target.elements.instruction.value } });
    if (code !== 200) { failed(data); return; }
    setStatus(status, "");
    state.proposal = data;
    const original = sheet.querySelector(`[data-path="${CSS.escape(s.path)}"]`)?.dataset.original ?? "";
    $("#proposal-before").textContent = original;
    $("#proposal-after").textContent = data.text;
    const findings = data.findings || [];
    $("#proposal-findings").hidden = !findings.length;
    $("#proposal-findings").textContent = GFT("resume.findings", { items: findings.map((f) => f.value).join(", ") });
    $("#proposal").hidden = false;
  });

  $("#accept").addEventListener("click", async () => {
    const p = state.proposal;
    if (!p) return;
    const { status: code, data } = await api("revise", { method: "POST", body: { action: "accept", resumeId: id, path: p.path, text: p.text, version: state.version } });
    if (code !== 200) { failed(data); return; }
    state.proposal = null;
    $("#revise").hidden = true;
    await load();
    setStatus(status, GFT("resume.accepted"), "ok");
  });
  $("#reject").addEventListener("click", () => { state.proposal = null; $("#proposal").hidden = true; });
  $("#revise-close").addEventListener("click", () => { state.selection = null; $("#revise").hidden = true; });

  // Publishing on the hub (or making private again): the public page follows within moments; a
  // private resume's page and files are removed at once.
  $("#publish").addEventListener("click", async () => {
    const visibility = state.visibility === "PUBLIC" ? "PRIVATE" : "PUBLIC";
    const { status: code, data } = await api("resume", { method: "PUT", body: { id, version: state.version, visibility } });
    if (code !== 200) { failed(data); return; }
    state.visibility = visibility;
    render();
    setStatus(status, GFT(visibility === "PUBLIC" ? "resume.published" : "resume.unpublished"), "ok");
  });

  $("#undo").addEventListener("click", async () => {
    const { status: code, data } = await api("revise", { method: "POST", body: { action: "undo", resumeId: id, version: state.version } });
    if (code !== 200) { failed(data); return; }
    await load();
    setStatus(status, GFT("resume.undone"), "ok");
  });

  await load();
}

document.addEventListener("DOMContentLoaded", async () => {
  const session = await header();
  if ($("#login")) loginPage();
  if ($("#me")) mePage(session ? (await api("me")).data : null);
  if ($("#editor-page")) resumePage(session);
  window.hubPages?.(session);
});
