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
  if (!error) return GFT("error.generic");
  return error.messages?.[window.GF.lang] || error.message || GFT("error.generic");
}

// ---- Interface pieces: status messages near the action, and a form's errors ----

// Brings an element into the window if it is not (a status line after a click far down a page).
function reveal(el) {
  const r = el.getBoundingClientRect();
  if (r.top < 0 || r.bottom > window.innerHeight) el.scrollIntoView({ block: "nearest" });
}

// A status line (role="status", so screen readers announce it): plain, "ok" or "bad". It sits next
// to the control that caused it, and is brought into view (unless it only describes the page, as
// the hub's count of resumes does: `reveal: false`).
function setStatus(el, text, kind = "", { reveal: bringIntoView = true } = {}) {
  el.classList.remove("ok", "bad");
  if (kind) el.classList.add(kind);
  el.textContent = text;
  if (text && bringIntoView) reveal(el);
  // A toast of good news steps aside after a while; a problem stays until the next message.
  if (el.classList.contains("toast") && kind === "ok") {
    setTimeout(() => { if (el.textContent === text) el.textContent = ""; }, 6000);
  }
}

// The input an error's `field` names ("email", "education[0].end"), or the list's add button
// ("education", too many entries).
function fieldFor(form, field) {
  if (!field) return null;
  const m = field.match(/^(\w+)\[(\d+)\](?:\.(\w+))?$/);
  if (m) {
    const item = form.querySelectorAll(`[data-list="${m[1]}"] .item`)[Number(m[2])];
    return item?.querySelector(m[3] ? `[name="${m[3]}"]` : "input, select, textarea") || null;
  }
  return form.querySelector(`[name="${CSS.escape(field)}"]`) || form.querySelector(`[data-list="${CSS.escape(field)}"] .add`);
}

let fieldIds = 0;
// Shows every mistake of a form: each field marked, its message under it, and a summary above the
// form's actions listing them all, each linked to its field; the summary takes focus. With no error,
// clears them all.
function showErrors(form, summary, error) {
  for (const el of form.querySelectorAll("[aria-invalid]")) { el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby"); }
  for (const el of form.querySelectorAll(".field-error")) el.remove();
  const issues = error ? (error.errors?.length ? error.errors : [error]) : [];
  summary.replaceChildren();
  summary.hidden = !issues.length;
  if (!issues.length) return;
  const found = issues.map((issue) => ({ text: localMessage(issue), el: fieldFor(form, issue.field) }));
  // In the order of the page, so the list reads top to bottom like the form.
  found.sort((a, b) => !a.el ? 1 : !b.el ? -1 : (a.el.compareDocumentPosition(b.el) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  const list = document.createElement("ul");
  for (const { text, el } of found) {
    const li = document.createElement("li");
    if (el) {
      if (!el.id) el.id = "field-" + (++fieldIds);
      if (!el.matches("button")) {
        const note = document.createElement("span");
        note.className = "field-error";
        note.id = el.id + "-error";
        note.textContent = text;
        el.setAttribute("aria-invalid", "true");
        el.setAttribute("aria-describedby", note.id);
        el.after(note);
      }
      const a = document.createElement("a");
      a.href = "#" + el.id;
      a.textContent = text;
      a.addEventListener("click", (e) => { e.preventDefault(); el.focus(); el.scrollIntoView({ block: "center" }); });
      li.append(a);
    } else {
      li.textContent = text;
    }
    list.append(li);
  }
  const heading = document.createElement("h2");
  heading.textContent = found.length === 1 ? GFT("errors.one") : GFT("errors.many", { count: found.length });
  summary.append(heading, list);
  summary.focus();
}

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

// Fields of each list on My page: [name, kind, label key]. Kinds: text, enum, month, long, url.
// A new entry's choices start empty ("choose…"): nobody is put in a private academy by default.
const LISTS = {
  education: [["schoolType", "enum"], ["schoolName", "text"], ["major", "text"], ["status", "enum"], ["start", "month"], ["end", "month"]],
  workExperience: [["company", "text"], ["title", "text"], ["workType", "enum"], ["employment", "enum"], ["start", "month"], ["end", "month"], ["description", "long"]],
  certificates: [["name", "text"], ["issuer", "text"], ["acquired", "month"]],
  links: [["title", "text", "linkTitle"], ["url", "url"]],
};

function select(name, values, current, empty) {
  const el = document.createElement("select");
  el.name = name;
  el.append(new Option(GFT(empty), ""));
  for (const v of values) el.append(new Option(GFT("enum." + v), v));
  el.value = current ?? "";
  return el;
}

function listItem(list, value = {}) {
  const item = document.createElement("div");
  item.className = "item";
  for (const [name, kind, label] of LISTS[list]) {
    const wrap = document.createElement("label");
    wrap.textContent = GFT("field." + (label || name)) + " ";
    let input;
    if (kind === "enum") input = select(name, ENUMS[name], value[name], "choose");
    else if (kind === "long") { input = document.createElement("textarea"); input.rows = 3; }
    else {
      input = document.createElement("input");
      if (kind === "month") { input.placeholder = "2024.03"; input.inputMode = "decimal"; }
      if (kind === "url") { input.type = "url"; input.placeholder = "https://"; }
    }
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
  form.querySelector('select[name="jobRole"]').replaceWith(select("jobRole", ENUMS.jobRole, profile.jobRole, "none"));
  for (const list of Object.keys(LISTS)) {
    const items = form.querySelector(`[data-list="${list}"] .items`);
    items.replaceChildren(...(profile[list] || []).map((v) => listItem(list, v)));
  }
}

async function signOut() {
  await api("logout", { method: "POST" });
  location.href = window.GF.root + "/index.html";
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
  $("#signout").addEventListener("click", signOut);
  // The header is settled (the sign-in link shows before the answer, for pages read without script).
  document.documentElement.dataset.session = signedIn ? "in" : "out";
  return signedIn ? data : null;
}

// The landing page: a signed-in member goes on to their resumes, not to the sign-in page again.
function landingPage(session) {
  const start = $("#start");
  if (!session || !start) return;
  start.href = start.dataset.signedInHref;
  start.textContent = start.dataset.signedInLabel;
}

async function loginPage(session) {
  const error = new URLSearchParams(location.search).get("error");
  if (error) {
    const el = $("#login-error");
    el.textContent = window.GF.t["js.error." + error] || GFT("error.default");
    el.hidden = false;
  }
  // Already signed in: say so, and offer the way on instead of the form.
  if (session) {
    $("#signed-in").hidden = false;
    $("#signed-in-as").textContent = GFT("login.signedInAs", { login: session.member.login });
    $("#signed-in-signout").addEventListener("click", signOut);
    return;
  }
  // Which sign-ins this server offers. A failed answer (a function still starting on a busy server, the
  // network) is asked again, then shown as what it is: never as "no sign-in offered".
  let info = await api("login?mode=info");
  for (let tries = 1; info.status !== 200 && tries <= 3; tries++) {
    await new Promise((ok) => setTimeout(ok, 1000 * tries));
    info = await api("login?mode=info");
  }
  if (info.status !== 200) {
    const el = $("#login-error");
    el.textContent = localMessage(info.data?.error);
    el.hidden = false;
    reveal(el);
    return;
  }
  const data = info.data;
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
    else { const el = $("#login-error"); el.textContent = localMessage(data?.error); el.hidden = false; reveal(el); }
  });
}

async function mePage(me) {
  if (!me) { $("#me-signin").hidden = false; return; }
  // Warm the GitHub repository list in the background, so the generator opens with it ready.
  if (!me.member.local) api("repositories");
  const form = $("#profile"), status = $("#me-status"), errors = $("#me-errors");
  fillProfile(form, me.profile);
  form.hidden = false;
  $("#danger").hidden = false;
  // The page has its full height now: plan.js may bring its section into view.
  window.GF.profileShown = true;
  document.dispatchEvent(new Event("gf:profile-shown"));
  for (const fs of form.querySelectorAll("[data-list]")) {
    fs.querySelector(".add").addEventListener("click", () => {
      const item = listItem(fs.dataset.list);
      fs.querySelector(".items").append(item);
      item.querySelector("input, select")?.focus();
    });
  }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    setStatus(status, GFT("saving"));
    const { status: code, data } = await api("me", { method: "PUT", body: readProfile(form) });
    if (code === 200) {
      fillProfile(form, data.profile);
      showErrors(form, errors, null);
      setStatus(status, GFT("saved"), "ok");
    } else {
      const error = data?.error;
      const count = error?.errors?.length || 1;
      setStatus(status, error?.field || error?.errors ? GFT(count === 1 ? "errors.one" : "errors.many", { count }) : localMessage(error), "bad");
      showErrors(form, errors, error?.field || error?.errors ? error : null);
    }
  });
  // Deleting the account: the member types their user name beside the button, then confirms.
  const confirmBox = $("#delete-confirm"), typed = $("#delete-typed"), deleteStatus = $("#delete-status");
  $("#delete-account").addEventListener("click", () => {
    confirmBox.hidden = false;
    $("#delete-account").hidden = true;
    typed.placeholder = me.member.login;
    typed.focus();
  });
  $("#delete-cancel").addEventListener("click", () => {
    confirmBox.hidden = true;
    $("#delete-account").hidden = false;
    $("#delete-account").focus();
    setStatus(deleteStatus, "");
  });
  $("#delete-now").addEventListener("click", async () => {
    const { status: code, data } = await api("me", { method: "DELETE", body: { confirm: typed.value } });
    if (code === 200) { setStatus(deleteStatus, GFT("deleted"), "ok"); setTimeout(() => { location.href = window.GF.root + "/index.html"; }, 800); }
    else setStatus(deleteStatus, localMessage(data?.error), "bad");
  });
}


// ---- Resumes: the list, the generator and the editor ----

async function resumePage(me) {
  if (!me) { $("#resume-signin").hidden = false; return; }
  const id = Number(new URLSearchParams(location.search).get("id"));
  if (id > 0) return resumeEditor(id);
  return resumeList(me);
}

const editorURL = (id) => `${window.GF.root}/resume.html?id=${id}`;

// One resume in the list: its first page, title, template, language, when it was last changed,
// whether it is on the hub; rename, publish or withdraw, delete, each with its message beside it.
function resumeCard(r, onDeleted) {
  const li = document.createElement("li");
  li.className = "resume-card";
  const thumb = document.createElement("a");
  thumb.href = editorURL(r.id);
  thumb.tabIndex = -1;
  thumb.setAttribute("aria-hidden", "true");
  const img = document.createElement("img");
  img.src = `/api/resume?id=${r.id}&format=png&width=240&v=${r.version}`;
  img.alt = "";
  img.loading = "lazy";
  img.width = 96; img.height = 136;
  thumb.append(img);
  const body = document.createElement("div");
  const h = document.createElement("h2");
  const a = document.createElement("a");
  a.href = editorURL(r.id);
  a.textContent = r.title;
  h.append(a);
  const meta = document.createElement("p");
  meta.className = "meta";
  const when = new Intl.DateTimeFormat(window.GF.lang, { dateStyle: "medium" }).format(new Date(r.updatedAt));
  meta.textContent = [GFT("resume.templateLabel", { template: r.template }), GFT("lang." + r.language), GFT("resume.updated", { date: when })].join(" · ");
  const state = document.createElement("span");
  const actions = document.createElement("p");
  actions.className = "card-actions";
  const status = document.createElement("p");
  status.className = "status";
  status.setAttribute("role", "status");
  const button = (label, cls = "button") => { const b = document.createElement("button"); b.type = "button"; b.className = cls; b.textContent = label; return b; };
  const rename = button(GFT("resume.rename")), publish = button(""), remove = button(GFT("resume.delete"));
  function showState() {
    const published = r.visibility === "PUBLIC";
    state.className = "state" + (published ? " public" : "");
    state.textContent = GFT(published ? "resume.statepublic" : "resume.stateprivate");
    publish.textContent = GFT(published ? "resume.unpublishLabel" : "resume.publishLabel");
  }
  showState();
  actions.append(rename, publish, remove);

  // Rename in place.
  const form = document.createElement("form");
  form.className = "rename";
  form.hidden = true;
  const label = document.createElement("label");
  label.textContent = GFT("resume.renameLabel") + " ";
  const input = document.createElement("input");
  input.name = "title"; input.maxLength = 100; input.required = true;
  label.append(input);
  const save = button(GFT("resume.renameSave"), "button primary");
  save.type = "submit";
  const cancel = button(GFT("resume.cancel"));
  form.append(label, save, cancel);
  rename.addEventListener("click", () => { form.hidden = false; input.value = r.title; input.focus(); input.select(); });
  cancel.addEventListener("click", () => { form.hidden = true; rename.focus(); });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const { status: code, data } = await api("resume", { method: "PUT", body: { id: r.id, version: r.version, title: input.value } });
    if (code !== 200) { setStatus(status, localMessage(data?.error), "bad"); return; }
    r.title = input.value.trim();
    a.textContent = r.title;
    form.hidden = true;
    rename.focus();
    setStatus(status, GFT("resume.renamed"), "ok");
  });

  publish.addEventListener("click", async () => {
    const visibility = r.visibility === "PUBLIC" ? "PRIVATE" : "PUBLIC";
    const { status: code, data } = await api("resume", { method: "PUT", body: { id: r.id, version: r.version, visibility } });
    if (code !== 200) { setStatus(status, localMessage(data?.error), "bad"); return; }
    r.visibility = visibility;
    showState();
    setStatus(status, GFT(visibility === "PUBLIC" ? "resume.published" : "resume.unpublished"), "ok");
  });

  // Delete, after a confirmation beside the button.
  const confirmBox = document.createElement("div");
  confirmBox.className = "confirm";
  confirmBox.hidden = true;
  const question = document.createElement("p");
  question.textContent = GFT("resume.deleteConfirm", { title: r.title });
  const yes = button(GFT("resume.deleteYes"), "button danger"), no = button(GFT("resume.cancel"));
  const row = document.createElement("p");
  row.className = "actions";
  row.append(yes, no);
  confirmBox.append(question, row);
  remove.addEventListener("click", () => { question.textContent = GFT("resume.deleteConfirm", { title: r.title }); confirmBox.hidden = false; no.focus(); });
  no.addEventListener("click", () => { confirmBox.hidden = true; remove.focus(); });
  yes.addEventListener("click", async () => {
    const { status: code, data } = await api("resume", { method: "DELETE", body: { id: r.id } });
    if (code !== 200) { setStatus(status, localMessage(data?.error), "bad"); return; }
    onDeleted(r, li);
  });

  const stateLine = document.createElement("p");
  stateLine.className = "meta";
  stateLine.append(state);
  body.append(h, meta, stateLine, actions, form, confirmBox, status);
  li.append(thumb, body);
  return li;
}

async function resumeList(me) {
  const status = $("#list-status");
  $("#new-sample").addEventListener("click", async () => {
    const { status: code, data } = await api("resume", { method: "POST", body: { action: "sample", language: window.GF.lang } });
    if (code === 201 || code === 200) location.href = editorURL(data.id);
    else setStatus(status, localMessage(data?.error), "bad");
  });
  const { data } = await api("resume");
  const resumes = data?.resumes || [];
  const onDeleted = (r, li) => {
    li.remove();
    $("#no-resumes").hidden = $("#resumes").children.length > 0;
    setStatus(status, GFT("resume.deleted", { title: r.title }), "ok");
    $("#new-sample").focus();
  };
  $("#resumes").replaceChildren(...resumes.map((r) => resumeCard(r, onDeleted)));
  $("#no-resumes").hidden = resumes.length > 0;
  // An untouched copy of the example is opened again rather than copied anew.
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
  const generateStatus = document.createElement("p");
  generateStatus.id = "generate-status";
  generateStatus.className = "status";
  generateStatus.setAttribute("role", "status");
  form.querySelector("button[type=submit]").after(generateStatus);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const repositories = [...form.querySelectorAll("[name=repository]:checked")].map((i) => i.value);
    if (!repositories.length) { setStatus(generateStatus, GFT("resume.pickOne"), "bad"); return; }
    setStatus(generateStatus, GFT("resume.generating"));
    const { status: code, data } = await api("generate", { method: "POST", body: {
      repositories, template: form.elements.template.value, language: form.elements.language.value, request: form.elements.request.value } });
    if (code === 201) location.href = editorURL(data.id);
    else setStatus(generateStatus, localMessage(data?.error), "bad");
  });
}

// Sentences (lines with evidence, which AI may rewrite), as opposed to plain fields such as the name.
const LINE_PATH = /^(aboutMe|projects\[\d+\]\.(summary|bullets\[\d+\]|star\.\w+|troubleshooting\[\d+\]\.\w+))$/;

async function resumeEditor(id) {
  const editor = $("#editor"), sheet = $("#sheet"), status = $("#editor-status");
  const state = { id, version: 0, resume: null, html: {}, template: "BASIC", selection: null, proposal: null, evidence: {}, ai: false, review: [] };
  editor.hidden = false;
  const revisePanel = $("#revise"), reviseStatus = $("#revise-status");

  async function load() {
    const { status: code, data } = await api(`resume?id=${id}`);
    if (code !== 200) { setStatus(status, localMessage(data?.error), "bad"); sheet.replaceChildren(); return false; }
    state.version = data.version; state.resume = data.resume; state.html = data.html; state.template = data.resume.template;
    state.visibility = data.visibility;
    state.evidence = data.evidence || {};
    state.ai = !!data.ai;
    state.review = data.review || [];
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
    // The hint speaks of prompts only when the resume has some, and of AI only when it is there.
    $("#hint-prompts").hidden = !sheet.querySelector(".gf-italic.gf-muted[data-path]");
    $("#hint-no-ai").hidden = state.ai;
    // After a change of language: the lines kept as the member wrote them, marked and counted.
    for (const path of state.review) sheet.querySelector(`[data-path="${CSS.escape(path)}"]`)?.classList.add("needs-review");
    $("#hint-review").hidden = !state.review.length;
    $("#hint-review").textContent = GFT(state.ai ? "resume.hint.reviewAI" : "resume.hint.review", { count: state.review.length });
    $("#switch-language").textContent = GFT(state.resume.language === "ko" ? "resume.toEnglish" : "resume.toKorean");
  }

  function failed(data, where = status) {
    setStatus(where, localMessage(data?.error), "bad");
    if (data?.error?.code === "version_conflict") load();
  }

  function closeRevise() {
    state.selection = null;
    state.proposal = null;
    revisePanel.hidden = true;
    $("#proposal").hidden = true;
    setStatus(reviseStatus, "");
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

  // The selection inside one sentence, or null.
  function selectedSpan() {
    const sel = getSelection();
    if (!sel.rangeCount || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    const start = (range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement)?.closest("[data-path]");
    const end = (range.endContainer.nodeType === 1 ? range.endContainer : range.endContainer.parentElement)?.closest("[data-path]");
    if (!start || start !== end || !sheet.contains(start) || !LINE_PATH.test(start.dataset.path)) return null;
    const before = document.createRange();
    before.setStart(start, 0);
    before.setEnd(range.startContainer, range.startOffset);
    const offset = before.toString().length;  // UTF-16 units, as the function expects
    const text = range.toString();
    if (!text.trim()) return null;
    return { path: start.dataset.path, start: offset, end: offset + text.length, text };
  }

  // Editing in place: Enter or leaving the sentence saves it, with the version it was loaded at.
  // Escape puts the sentence back as it was. With part of a sentence selected, Enter goes to the
  // AI request instead (the keyboard's way to "select, request, accept").
  sheet.addEventListener("keydown", (e) => {
    if (!e.target.dataset?.path) return;
    if (e.key === "Enter") {
      e.preventDefault();
      if (state.selection && selectedSpan() && e.target.textContent === e.target.dataset.original) {
        (state.ai ? $("#revise-form").elements.instruction : $("#revise-close")).focus();
        return;
      }
      e.target.blur();
    }
    if (e.key === "Escape") { e.preventDefault(); e.target.textContent = e.target.dataset.original; e.target.blur(); }
  });
  // Typing into the sentence a selection was made in makes that selection stale: the panel closes.
  sheet.addEventListener("input", (e) => {
    if (state.selection && e.target.dataset?.path === state.selection.path) closeRevise();
  });
  sheet.addEventListener("focusout", async (e) => {
    const el = e.target;
    if (!el.dataset?.path || el.textContent === el.dataset.original) return;
    const text = el.textContent;
    setStatus(status, GFT("saving"));
    const { status: code, data } = await api("revise", { method: "POST", body: { action: "accept", resumeId: id, path: el.dataset.path, text, version: state.version } });
    if (code === 200) { closeRevise(); await load(); setStatus(status, GFT("resume.saved"), "ok"); }
    else { el.textContent = el.dataset.original; failed(data); }
  });

  // The evidence of the sentence in focus, described and linked.
  function showEvidence(el) {
    if (el && !LINE_PATH.test(el.dataset.path)) el = null;
    const items = (el?.dataset.evidence || "").split(" ").filter(Boolean);
    $("#evidence-empty").hidden = !!el;
    $("#evidence-list").replaceChildren(...(el && !items.length ? [null] : items).map((item) => {
      const li = document.createElement("li");
      if (item === null) { li.textContent = GFT("resume.noEvidence"); return li; }
      const note = state.evidence[item];
      const text = note ? (note[window.GF.lang] || note.en) : item;
      if (note?.url) {
        const a = document.createElement("a");
        a.href = note.url; a.target = "_blank"; a.rel = "noopener noreferrer";
        a.textContent = text;
        li.append(a);
      } else {
        li.textContent = text;
      }
      return li;
    }));
  }
  sheet.addEventListener("focusin", (e) => { if (e.target.dataset?.path) showEvidence(e.target); });

  // Selecting part of a sentence offers an AI rewrite of just that part (or says why there is none).
  document.addEventListener("selectionchange", () => {
    const span = selectedSpan();
    if (!span) return;
    const el = sheet.querySelector(`[data-path="${CSS.escape(span.path)}"]`);
    if (el && el.textContent !== el.dataset.original) return;  // an edit under way: saved first
    state.selection = span;
    $("#revise-selection").textContent = span.text;
    $("#revise-unavailable").hidden = state.ai;
    $("#revise-form").hidden = !state.ai;
    revisePanel.hidden = false;
    $("#proposal").hidden = true;
    setStatus(reviseStatus, "");
  });

  $("#revise-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const s = state.selection;
    if (!s) return;
    setStatus(reviseStatus, GFT("resume.asking"));
    const { status: code, data } = await api("revise", { method: "POST", body: {
      resumeId: id, path: s.path, start: s.start, end: s.end, instruction: e.target.elements.instruction.value } });
    if (code !== 200) { failed(data, reviseStatus); return; }
    state.proposal = data;
    const original = sheet.querySelector(`[data-path="${CSS.escape(s.path)}"]`)?.dataset.original ?? "";
    $("#proposal-before").textContent = original;
    $("#proposal-after").textContent = data.text;
    const findings = data.findings || [];
    $("#proposal-findings").hidden = !findings.length;
    $("#proposal-findings").textContent = GFT("resume.findings", { items: findings.map((f) => f.value).join(", ") });
    $("#proposal").hidden = false;
    setStatus(reviseStatus, GFT("resume.proposed"), "ok");
    $("#accept").focus();
  });

  $("#accept").addEventListener("click", async () => {
    const p = state.proposal;
    if (!p) return;
    const { status: code, data } = await api("revise", { method: "POST", body: { action: "accept", resumeId: id, path: p.path, text: p.text, version: state.version } });
    if (code !== 200) { failed(data, reviseStatus); return; }
    closeRevise();
    await load();
    sheet.querySelector(`[data-path="${CSS.escape(p.path)}"]`)?.focus();
    setStatus(status, GFT("resume.accepted"), "ok");
  });
  $("#reject").addEventListener("click", () => {
    const path = state.selection?.path;
    closeRevise();
    if (path) sheet.querySelector(`[data-path="${CSS.escape(path)}"]`)?.focus();
  });
  $("#revise-close").addEventListener("click", () => {
    const path = state.selection?.path;
    closeRevise();
    if (path) sheet.querySelector(`[data-path="${CSS.escape(path)}"]`)?.focus();
  });

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

  // The same resume in the other language, from its evidence (no model, no AI use).
  $("#switch-language").addEventListener("click", async () => {
    const language = state.resume.language === "ko" ? "en" : "ko";
    setStatus(status, GFT("saving"));
    const { status: code, data } = await api("resume", { method: "POST", body: { action: "language", id, version: state.version, language } });
    if (code !== 200) { failed(data); return; }
    closeRevise();
    await load();
    setStatus(status, GFT(data.review.length ? "resume.switchedReview" : "resume.switched", { count: data.review.length }), "ok");
  });

  $("#undo").addEventListener("click", async () => {
    const { status: code, data } = await api("revise", { method: "POST", body: { action: "undo", resumeId: id, version: state.version } });
    if (code !== 200) { failed(data); return; }
    closeRevise();
    await load();
    setStatus(status, GFT("resume.undone"), "ok");
  });

  await load();
}

document.addEventListener("DOMContentLoaded", async () => {
  const session = await header();
  if ($("#start")) landingPage(session);
  if ($("#login")) loginPage(session);
  if ($("#me")) mePage(session ? (await api("me")).data : null);
  if ($("#editor-page")) resumePage(session);
  window.hubPages?.(session);
});
