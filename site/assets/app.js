// Gitfolio's pages are static; this script asks the functions who is signed in and drives
// the sign-in and My page forms. No build step: plain modern JavaScript.
"use strict";
const GFT = (key, vars = {}) => (window.GF.t["js." + key] || key).replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? "");
const $ = (sel, root = document) => root.querySelector(sel);

// Server messages come as "English / 한국어": show the part in the page's language.
function localMessage(message) {
  if (!message) return GFT("error.default");
  const parts = message.split(" / ");
  return window.GF.lang === "ko" ? parts[parts.length - 1] : parts[0];
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

async function api(path, { method = "GET", body } = {}) {
  const headers = { "x-gitfolio-csrf": "1" };
  if (body !== undefined) headers["content-type"] = "application/json";
  let response;
  try {
    response = await fetch("/api/" + path, { method, headers, credentials: "same-origin",
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

async function header() {
  const { status, data } = await api("me");
  const signedIn = status === 200;
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
    else { const el = $("#login-error"); el.textContent = localMessage(data?.error?.message); el.hidden = false; }
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
    status.className = "status"; status.textContent = GFT("saving");
    const { status: code, data } = await api("me", { method: "PUT", body: readProfile(form) });
    if (code === 200) {
      fillProfile(form, data.profile); markField(form, null);
      status.className = "status ok"; status.textContent = GFT("saved");
    } else {
      status.className = "status bad"; status.textContent = localMessage(data?.error?.message);
      markField(form, data?.error?.field);
    }
  });
  $("#delete-account").addEventListener("click", async () => {
    const typed = prompt(GFT("deleteConfirm", { login: me.member.login }));
    if (typed === null) return;
    const { status: code, data } = await api("me", { method: "DELETE", body: { confirm: typed } });
    if (code === 200) { alert(GFT("deleted")); location.href = window.GF.root + "/index.html"; }
    else { status.className = "status bad"; status.textContent = localMessage(data?.error?.message); }
  });
}

document.addEventListener("DOMContentLoaded", async () => {
  const me = await header();
  if ($("#login")) loginPage();
  if ($("#me")) mePage(me);
});
