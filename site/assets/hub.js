// The hub's pages: filtering and sorting the pregenerated list from its static index (no server
// call), a resume page's live counts, like button and comments, and the notifications page.
// Plain modern JavaScript on top of app.js (`api`, `GFT`, `$`, `localMessage`, `setStatus`).
"use strict";

const ROLES = ["BACKEND", "FRONTEND", "INFRA", "AI", "GAME"];
const SCHOOLS = ["PRIVATE_EDUCATION", "HIGH_SCHOOL", "UNIVERSITY_ASSOCIATE_DEGREE", "UNIVERSITY_BACHELOR",
  "GRADUATE_SCHOOL_MASTER", "GRADUATE_SCHOOL_DOCTOR"];

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

// "1 like · 2 views · 0 comments"; Korean puts the word first ("좋아요 1 · 조회 2 · 댓글 0").
function countsLine(likes, views, comments) {
  const wordFirst = window.GF.t["js.hub.countOrder"] === "word-number";
  const item = (cls, n, one, many) => {
    const number = el("span", { className: "n", textContent: String(n) }), word = window.GF.t["js.hub." + (n === 1 ? one : many)];
    return wordFirst ? el("span", { className: cls }, word + " ", number) : el("span", { className: cls }, number, " " + word);
  };
  return el("p", { className: "hub-counts" }, item("likes", likes, "oneLike", "likesWord"), " · ", item("views", views, "oneView", "viewsWord"),
    " · ", item("comments", comments, "oneComment", "commentsWord"));
}

// MARK: The list, filtered in the page

/// Reads `hub/index.json` into entries the filters use.
function readIndex(index, counts) {
  return index.r.map(([id, name, role, schools, skills, published, language]) => {
    const c = counts.c[String(id)] || [0, 0, 0];
    return { id, name, role, schools, skills: skills.map((i) => index.s[i]), published, language, likes: c[0], views: c[1], comments: c[2] };
  });
}

/// Filters and sorts entries; exported on `window` so a benchmark can time it on 10,000 resumes.
function filterHub(entries, { role = "", school = "", tech = "", sort = "latest", liked = null }) {
  const needle = tech.trim().toLowerCase();
  const out = entries.filter((e) => (!role || e.role === role) && (!school || e.schools.includes(school))
    && (!needle || e.skills.some((s) => s.toLowerCase().includes(needle))) && (!liked || liked.has(e.id)));
  if (sort === "views") out.sort((a, b) => b.views - a.views || b.id - a.id);
  else if (sort === "likes") out.sort((a, b) => b.likes - a.likes || b.id - a.id);
  return out;  // the index is newest first already
}
window.filterHub = filterHub;

function card(e) {
  const root = window.GF.root;
  const role = e.role ? window.GF.t["js.enum." + e.role] || e.role : "";
  const link = el("a", { href: `${root}/resumes/${e.id}.html` },
    el("img", { src: `/resumes/${e.id}.png`, alt: "", width: 210, height: 297, loading: "lazy" }),
    el("span", { className: "hub-name", textContent: e.name }));
  const li = el("li", { className: "hub-card" }, link, el("span", { className: "hub-role", textContent: role }),
    el("ul", { className: "hub-skills" }, ...e.skills.slice(0, 4).map((s) => el("li", { textContent: s }))),
    countsLine(e.likes, e.views, e.comments));
  li.dataset.id = e.id;  // as on the pregenerated cards
  return li;
}

async function hubList(me) {
  const section = $(".hub"), form = $("#hub-filters"), list = $("#hub-list"), more = $("#hub-more"), status = $("#hub-status");
  let index, counts;
  try {
    [index, counts] = await Promise.all([fetch("/hub/index.json").then((r) => r.json()), fetch("/hub/counts.json").then((r) => r.json())]);
  } catch (e) { return; }  // the static list stays
  const entries = readIndex(index, counts);
  for (const r of ROLES) form.elements.role.append(el("option", { value: r, textContent: window.GF.t["js.enum." + r] }));
  for (const s of SCHOOLS) form.elements.school.append(el("option", { value: s, textContent: window.GF.t["js.enum." + s] }));
  $("#hub-tech").append(...index.s.slice().sort().map((s) => el("option", { value: s })));
  form.elements.role.value = (section.dataset.list || "").toUpperCase();
  let liked = null;
  if (me) {
    const { data } = await api("like");
    liked = new Set(data?.liked || []);
  } else {
    form.elements.liked.disabled = true;
  }
  form.hidden = false;
  let shown = [], limit = 20;
  function apply() {
    const f = form.elements;
    shown = filterHub(entries, { role: f.role.value, school: f.school.value, tech: f.tech.value, sort: f.sort.value,
      liked: f.liked.checked ? liked : null });
    limit = 20;
    draw();
  }
  function draw() {
    list.replaceChildren(...shown.slice(0, limit).map(card));
    more.hidden = shown.length <= limit;
    $("#hub-pager").hidden = true;
    // The count is announced as the filters change, but never moves the page (a reader coming back
    // to the list keeps their place).
    setStatus(status, shown.length ? GFT(shown.length === 1 ? "hub.countOne" : "hub.count", { count: shown.length }) : GFT("hub.none"), "",
      { reveal: false });
  }
  form.addEventListener("input", apply);
  form.addEventListener("submit", (e) => e.preventDefault());
  more.addEventListener("click", () => { limit += 20; draw(); });
  apply();
}

// MARK: A resume's page

async function hubResume(me) {
  const article = $(".hub-resume"), id = Number(article.dataset.resume), status = $("#hub-resume-status");
  const likeButton = $("#like");
  const { status: code, data } = await api("view", { method: "POST", body: { resumeId: id } });
  if (code === 404) {
    setStatus(status, GFT("hub.withdrawn"), "bad");
    for (const part of article.querySelectorAll(".sheet, .comments, .hub-actions")) part.hidden = true;
    return;
  }
  let state = code === 200 ? data : null;
  function showCounts() {
    if (!state) return;
    article.querySelector(".hub-counts").replaceWith(countsLine(state.likes, state.views, state.comments));
    likeButton.setAttribute("aria-pressed", String(state.liked));
    likeButton.textContent = GFT(state.liked ? "hub.liked" : "hub.like");
  }
  showCounts();
  likeButton.hidden = !!state?.own;
  likeButton.addEventListener("click", async () => {
    if (!me) { setStatus(status, GFT("hub.signinToLike"), "bad"); return; }
    const answer = await api("like", { method: state?.liked ? "DELETE" : "POST", body: { resumeId: id } });
    if (answer.status === 200) { state = answer.data; showCounts(); setStatus(status, ""); }
    else setStatus(status, localMessage(answer.data?.error), "bad");
  });
  comments(me, id, !!state?.own);
}

/// The name of the part of a resume an anchor points at: a section's name, else the name of the
/// project it is in (from the comment form's options, or as the server gives it), never a path.
function partName(anchor, project) {
  const section = window.GF.t["js.hub.part." + anchor];
  if (section) return section;
  const options = $("#comment-form") ? [...$("#comment-form").elements.anchor.options] : [];
  const option = options.find((o) => o.value && (anchor === o.value || anchor.startsWith(o.value + ".")));
  return option ? option.textContent : project || "";
}

/// "About <part>" for a comment's anchor, or "" when the part is unknown.
function anchorLabel(anchor, project) {
  const part = anchor ? partName(anchor, project) : "";
  return part ? GFT("hub.about", { part }) : "";
}

async function comments(me, id, own) {
  const list = $("#comment-list"), form = $("#comment-form"), more = $("#comments-more"), status = $("#comment-status");
  let before = null;
  // A comment's own message (an edit or deletion refused), under that comment.
  function sayAt(li, text) {
    let line = li.querySelector(":scope > .status");
    if (!line) { line = el("p", { className: "status" }); line.setAttribute("role", "status"); li.append(line); }
    setStatus(line, text, "bad");
  }
  function item(c) {
    const li = el("li", { id: `comment-${c.id}`, className: "comment" });
    const head = el("p", { className: "comment-head" }, el("strong", { textContent: c.author }),
      " ", el("time", { textContent: new Date(c.createdAt * 1000).toLocaleDateString(window.GF.lang) }),
      c.edited ? " " + GFT("hub.edited") : "");
    const about = anchorLabel(c.anchor);
    if (about) {
      const link = el("a", { href: "#", className: "anchor", textContent: about });
      link.addEventListener("click", (e) => {
        e.preventDefault();
        const target = document.querySelector(`.sheet [data-path^="${CSS.escape(c.anchor)}"]`);
        if (target) { target.scrollIntoView({ block: "center" }); target.classList.add("flash"); setTimeout(() => target.classList.remove("flash"), 1500); }
      });
      head.append(" · ", link);
    }
    const body = el("p", { className: "comment-body", textContent: c.body });
    li.append(head, body);
    const mine = me && me.member.id === c.authorId;
    if (mine || own) {
      const actions = el("p", { className: "comment-actions" });
      if (mine) {
        const edit = el("button", { type: "button", className: "link", textContent: GFT("hub.editComment") });
        edit.addEventListener("click", () => {
          const area = el("textarea", { value: c.body, maxLength: 1000, rows: 3 });
          const save = el("button", { type: "button", className: "button", textContent: GFT("hub.save") });
          const cancel = el("button", { type: "button", className: "link", textContent: GFT("hub.cancel") });
          body.replaceWith(area);
          actions.replaceChildren(save, " ", cancel);
          area.focus();
          cancel.addEventListener("click", () => li.replaceWith(item(c)));
          save.addEventListener("click", async () => {
            const answer = await api("comment", { method: "PUT", body: { id: c.id, body: area.value } });
            if (answer.status === 200) { c.body = area.value.trim(); c.edited = true; li.replaceWith(item(c)); }
            else sayAt(li, localMessage(answer.data?.error));
          });
        });
        actions.append(edit, " ");
      }
      const remove = el("button", { type: "button", className: "link", textContent: GFT("hub.deleteComment") });
      remove.addEventListener("click", async () => {
        const answer = await api("comment", { method: "DELETE", body: { id: c.id } });
        if (answer.status === 200) li.remove(); else sayAt(li, localMessage(answer.data?.error));
      });
      actions.append(remove);
      li.append(actions);
    }
    return li;
  }
  async function page() {
    const { status: code, data } = await api(`comment?resumeId=${id}` + (before ? `&before=${before}` : ""));
    if (code !== 200) return;
    list.append(...data.comments.map(item));
    before = data.next;
    more.hidden = !before;
    if (location.hash.startsWith("#comment-")) document.querySelector(location.hash)?.scrollIntoView({ block: "center" });
  }
  more.addEventListener("click", page);
  if (me) {
    form.hidden = false;
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const answer = await api("comment", { method: "POST", body: { resumeId: id, body: form.elements.body.value,
        anchor: form.elements.anchor.value } });
      if (answer.status === 201) {
        list.prepend(item(answer.data.comment));
        form.elements.body.value = "";
        setStatus(status, GFT("hub.commented"), "ok");
      } else {
        setStatus(status, localMessage(answer.data?.error), "bad");
      }
    });
  } else {
    $("#comment-signin").hidden = false;
  }
  await page();
}

// MARK: Notifications

async function notificationsPage(me) {
  if (!me) { $("#notifications-signin").hidden = false; return; }
  const list = $("#notification-list"), status = $("#notifications-status"), all = $("#notifications-read-all");
  function render(data) {
    list.replaceChildren(...data.notifications.map((n) => {
      const text = GFT(n.kind === "LIKE" ? "notifications.like" : "notifications.comment", { actor: n.actor, title: n.resumeTitle });
      let link;
      if (n.available) {
        link = el("a", { href: `${window.GF.root}/resumes/${n.resumeId}.html` + (n.commentId ? `#comment-${n.commentId}` : ""), textContent: text });
        // Marked as read on the way to the resume: the request outlives the page (keepalive).
        link.addEventListener("click", () => { if (!n.read) api("notifications", { method: "POST", body: { read: n.id }, keepalive: true }); });
      } else {
        // The resume was made private since: its page is gone, so the text stands without a link.
        link = el("span", {}, text, " ", el("span", { className: "muted", textContent: GFT("notifications.gone") }));
      }
      const li = el("li", { className: n.read ? "read" : "unread" }, link);
      const when = new Date(n.createdAt * 1000);
      const meta = el("p", { className: "notification-meta" }, el("time", { dateTime: when.toISOString(),
        textContent: when.toLocaleString(window.GF.lang, { dateStyle: "medium", timeStyle: "short" }) }));
      const about = anchorLabel(n.anchor, n.anchorProject);
      if (about) meta.append(" · " + about);
      li.append(meta);
      if (n.excerpt) li.append(el("blockquote", { textContent: n.excerpt }));
      return li;
    }));
    $("#notifications-none").hidden = data.notifications.length > 0;
    all.hidden = data.unread === 0;
    setUnread(data.unread);
  }
  const { status: code, data } = await api("notifications");
  if (code !== 200) { setStatus(status, localMessage(data?.error), "bad"); return; }
  render(data);
  all.addEventListener("click", async () => {
    const answer = await api("notifications", { method: "POST", body: { readAll: true } });
    if (answer.status === 200) render(answer.data);
  });
}

/// The header's unread badge.
function setUnread(count) {
  const badge = $("#unread");
  if (!badge) return;
  badge.hidden = !count;
  badge.textContent = String(count || "");
  badge.setAttribute("aria-label", GFT(count === 1 ? "notifications.badgeOne" : "notifications.badge", { count }));
}

window.hubPages = async (me) => {
  if (me) { $("#notifications-link").hidden = false; setUnread(me.unread || 0); }
  if ($(".hub")) hubList(me);
  if ($(".hub-resume")) hubResume(me);
  if ($("#notification-list")) notificationsPage(me);
};
