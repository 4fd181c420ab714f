/* qa-monitor dashboard: a small client of the JSON API. No framework, no build step, nothing fetched from outside. */
"use strict";

const TOKEN_KEY = "qa-monitor-token";
const LABELS = ["rude", "condescending", "unclear"];
const LABEL_COLOURS = { rude: "#991b1b", condescending: "#6b21a8", unclear: "#1e40af" };
const state = { filters: { status: "open" }, agents: null, nextCursor: null };

// --- small helpers ------------------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function pct(value) {
  return value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)}%`;
}

function when(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

function isoWeek(date) {
  const t = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const year = t.getUTCFullYear();
  const week = Math.ceil(((t - Date.UTC(year, 0, 1)) / 86400000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, "0")}`;
}

function say(message, isError) {
  const status = document.getElementById("status");
  status.textContent = message;
  status.classList.toggle("error", Boolean(isError));
}

// --- API ---------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = Object.assign({ Authorization: `Bearer ${token}` }, options.headers || {});
  if (options.json !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method: options.method || "GET", headers,
    body: options.json !== undefined ? JSON.stringify(options.json) : undefined,
  });
  if (!response.ok) {
    let code = "http_" + response.status, message = response.statusText;
    try { const body = await response.json(); code = body.error.code; message = body.error.message; } catch (_) { /* not JSON */ }
    if (response.status === 401) { signOut(`Signed out: ${message}`); }
    throw new ApiError(response.status, code, message);
  }
  if (options.raw) return response;
  return response.json();
}

async function agents() {
  if (!state.agents) state.agents = await api("/agents");
  return state.agents;
}

// --- text with highlighted spans (offsets are code points, as Python counts them) --------------------

function highlighted(text, spans) {
  const chars = Array.from(text);
  const cuts = new Set([0, chars.length]);
  for (const s of spans) { cuts.add(Math.max(0, Math.min(s.start, chars.length))); cuts.add(Math.max(0, Math.min(s.end, chars.length))); }
  const points = [...cuts].sort((a, b) => a - b);
  const out = el("div", { class: "text" });
  for (let i = 0; i < points.length - 1; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const part = chars.slice(a, b).join("");
    const cover = spans.find((s) => s.start <= a && s.end >= b && s.end > s.start);
    out.append(cover ? el("mark", { class: cover.label, title: `${cover.label}: ${cover.explanation}` }, part) : part);
  }
  return out;
}

// --- views -------------------------------------------------------------------------------------------

function show(node, title) {
  const view = document.getElementById("view");
  view.replaceChildren(node);
  view.hidden = false;
  document.getElementById("signin").hidden = true;
  document.getElementById("nav").hidden = false;
  document.title = `${title} · qa-monitor`;
  const route = location.hash.split("/")[1] || "queue";
  for (const a of document.querySelectorAll("#nav a")) {
    const target = a.getAttribute("href").split("/")[1];
    const current = target === route || (target === "agents" && route === "agent");
    if (current) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
}

function field(id, label, control) {
  control.id = id;
  return el("div", {}, el("label", { for: id }, label), control);
}

function select(name, options, value) {
  const node = el("select", { name });
  for (const [v, text] of options) node.append(el("option", { value: v, selected: v === (value || "") }, text));
  return node;
}

async function queueView() {
  const f = state.filters;
  const list = await agents();
  const teams = [...new Set(list.map((a) => a.team_id).filter(Boolean))].sort();
  const form = el("form", { class: "filters", "aria-label": "Filter flags" },
    field("f-label", "Label", select("label", [["", "Any label"], ...LABELS.map((l) => [l, l])], f.label)),
    field("f-status", "Status", select("status", [["", "Any status"], ["open", "Open"], ["confirmed", "Confirmed"], ["dismissed", "Dismissed"]], f.status)),
    field("f-team", "Team", select("team", [["", "Any team"], ...teams.map((t) => [t, t])], f.team)),
    field("f-agent", "Agent", select("agent", [["", "Any agent"], ...list.map((a) => [a.id, a.name])], f.agent)),
    field("f-channel", "Channel", select("channel", [["", "Any channel"], ["email", "Email"], ["chat", "Chat"], ["call", "Call"], ["ticket", "Ticket"]], f.channel)),
    field("f-language", "Language", select("language", [["", "Any language"], ["en", "English"], ["es", "Spanish"], ["pl", "Polish"], ["ru", "Russian"], ["lv", "Latvian"], ["unknown", "Unknown"]], f.language)),
    el("div", {}, el("button", { type: "submit", class: "primary" }, "Apply filters")));
  const flags = el("ul", { class: "flags", id: "flags", "aria-label": "Flags, most severe first" });
  const more = el("button", { type: "button", id: "more", hidden: true }, "Load more");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    state.filters = Object.fromEntries([...new FormData(form)].filter(([, v]) => v));
    loadFlags(flags, more, false);
  });
  more.addEventListener("click", () => loadFlags(flags, more, true));
  show(el("div", {}, el("h1", {}, "Review queue"), form, flags, el("p", {}, more)), "Review queue");
  await loadFlags(flags, more, false);
}

async function loadFlags(list, more, append) {
  const params = new URLSearchParams(state.filters);
  params.set("limit", "20");
  if (append && state.nextCursor) params.set("cursor", state.nextCursor);
  const page = await api(`/flags?${params}`);
  state.nextCursor = page.next_cursor;
  if (!append) list.replaceChildren();
  for (const flag of page.items) list.append(flagCard(flag));
  if (!list.children.length) list.append(el("li", { class: "empty" }, "No flags match these filters."));
  more.hidden = !page.next_cursor;
  say(append ? "" : `${page.items.length}${page.next_cursor ? "+" : ""} flag(s) shown.`);
}

function flagCard(flag) {
  const statusBadge = el("span", { class: "badge status" }, flag.status);
  const note = el("input", { id: `note-${flag.id}`, type: "text", placeholder: "Note (optional)", maxlength: "4000" });
  const buttons = [];
  const review = async (verdict) => {
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const updated = await api(`/flags/${flag.id}/review`, { method: "POST", json: { verdict, note: note.value || null } });
      statusBadge.textContent = updated.status;
      card.dataset.status = updated.status;
      say(`Flag ${flag.id} ${updated.status}.`);
    } catch (e) {
      say(`Could not record the verdict: ${e.message}`, true);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  };
  const confirmBtn = el("button", { type: "button", class: "confirm", onclick: () => review("confirmed"), "aria-describedby": `flag-${flag.id}-title` }, "Confirm");
  const dismissBtn = el("button", { type: "button", class: "dismiss", onclick: () => review("dismissed"), "aria-describedby": `flag-${flag.id}-title` }, "Dismiss");
  buttons.push(confirmBtn, dismissBtn);
  const spans = flag.spans && flag.spans.length ? flag.spans : [flag.span];
  const card = el("li", { class: "flag", "data-flag-id": flag.id, "data-status": flag.status },
    el("header", {},
      el("span", { class: `badge ${flag.label}` }, flag.label),
      el("strong", { id: `flag-${flag.id}-title` }, `Flag ${flag.id} · ${flag.agent_name || flag.agent_id || "unknown agent"}`),
      el("span", { class: "meta" }, `${flag.channel} · ${flag.language || "?"} · ${when(flag.sent_at)} · severity ${flag.severity.toFixed(2)}`),
      statusBadge),
    highlighted(flag.text, spans),
    flag.language_note ? el("p", { class: "language-note" }, `Language: ${flag.language_note}`) : null,
    spans.map((s) => el("div", {},
      el("p", { class: "why" }, el("strong", {}, `Why (${s.label}): `), s.explanation),
      s.suggestion ? el("p", { class: "try" }, el("strong", {}, "Try instead: "), s.suggestion) : null)),
    flag.context && flag.context.length > 1 ? el("details", { class: "context" },
      el("summary", {}, `Conversation context (${flag.context.length} turns)`),
      flag.context.map((t) => el("div", { class: `turn ${t.role}${t.current ? " current" : ""}` },
        el("div", { class: "who" }, `${t.author_name || t.role} · ${when(t.sent_at)}${t.internal ? " · internal note" : ""}`), t.text))) : null,
    el("div", { class: "actions" },
      el("label", { for: `note-${flag.id}`, class: "visually-hidden" }, `Note for flag ${flag.id}`), note,
      confirmBtn, dismissBtn,
      el("a", { href: `#/conversation/${encodeURIComponent(flag.interaction_id)}` }, "Open conversation")));
  return card;
}

async function conversationView(id) {
  const it = await api(`/interactions/${encodeURIComponent(id)}`);
  const messages = it.messages.map((m) => {
    const flagged = m.findings.filter((f) => f.flagged);
    return el("article", { class: `turn ${m.role}` },
      el("div", { class: "who" }, `${m.author_name || m.role} (${m.role}) · ${when(m.sent_at)}${m.language ? " · " + m.language : ""}${m.internal ? " · internal note" : ""}`),
      flagged.length ? highlighted(m.text, flagged) : el("div", { class: "text" }, m.text),
      m.language_note ? el("p", { class: "language-note" }, `Language: ${m.language_note}`) : null,
      flagged.map((f) => el("p", { class: "why" }, el("span", { class: `badge ${f.label}` }, f.label), " ", f.explanation,
        f.suggestion ? el("span", { class: "try" }, ` Try instead: ${f.suggestion}`) : null)));
  });
  show(el("div", {},
    el("p", {}, el("a", { href: "#/queue" }, "← Back to the review queue")),
    el("h1", {}, it.subject || `Conversation ${it.id}`),
    el("p", { class: "hint" }, `${it.channel} · started ${when(it.started_at)} · team ${it.team_id || "none"} · ${it.message_count} messages, ${it.flagged_messages} flagged`),
    messages), "Conversation");
}

async function agentsView() {
  const list = await agents();
  const rows = list.map((a) => el("tr", {}, el("td", {}, el("a", { href: `#/agent/${encodeURIComponent(a.id)}` }, a.name)), el("td", {}, a.team_id || "–")));
  show(el("div", {}, el("h1", {}, "Agents"),
    el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Agent"), el("th", { scope: "col" }, "Team"))), el("tbody", {}, rows))), "Agents");
}

function trendChart(buckets) {
  const width = 640, height = 260, left = 48, right = 44, top = 16, bottom = 40;
  const pw = width - left - right, ph = height - top - bottom;
  const values = buckets.flatMap((b) => LABELS.map((l) => b.flag_rate[l] || 0));
  // Round the top of the axis up to a whole step of 5, 10, 20 or 25 points so the gridlines read easily.
  const raw = Math.max(0.1, ...values);
  const step = [0.05, 0.1, 0.2, 0.25].find((s) => raw / s <= 4) || 0.25;
  const maxY = Math.min(1, Math.ceil(raw / step) * step) || step;
  const x = (i) => left + (buckets.length > 1 ? (i * pw) / (buckets.length - 1) : pw / 2);
  const y = (v) => top + ph - (v / maxY) * ph;
  const chart = svg("svg", { class: "chart", id: "trend-chart", viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": "Flag rate per label by period" }, svg("title", {}, "Flag rate per label by period"));
  for (let v = 0; v <= maxY + 1e-9; v += step) {
    chart.append(svg("line", { x1: left, x2: width - right, y1: y(v), y2: y(v), stroke: "#d1d9e0" }),
      svg("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end", "font-size": 11, fill: "#4b5563" }, `${Math.round(v * 100)}%`));
  }
  buckets.forEach((b, i) => {
    if (buckets.length <= 8 || i % Math.ceil(buckets.length / 8) === 0) {
      chart.append(svg("text", { x: x(i), y: height - bottom + 16, "text-anchor": "middle", "font-size": 11, fill: "#4b5563" }, b.period_start.slice(0, 10)));
    }
  });
  for (const label of LABELS) {
    const pts = buckets.map((b, i) => [x(i), y(b.flag_rate[label] || 0), b]);
    if (pts.length > 1) chart.append(svg("polyline", { points: pts.map(([a, c]) => `${a.toFixed(1)},${c.toFixed(1)}`).join(" "), fill: "none", stroke: LABEL_COLOURS[label], "stroke-width": 2 }));
    for (const [a, c, b] of pts) {
      chart.append(svg("circle", { class: "point", cx: a.toFixed(1), cy: c.toFixed(1), r: 4, fill: LABEL_COLOURS[label] },
        svg("title", {}, `${label} ${b.period_start.slice(0, 10)}: ${pct(b.flag_rate[label] || 0)} of ${b.volume}`)));
    }
  }
  return chart;
}

async function agentView(id) {
  const a = await api(`/agents/${encodeURIComponent(id)}?period=week`);
  const trend = a.trend || [];
  const legend = el("ul", { class: "legend", "aria-hidden": "true" }, LABELS.map((l) => el("li", {}, el("span", { style: `background:${LABEL_COLOURS[l]}` }), l)));
  const table = el("table", {},
    el("caption", { class: "hint" }, "The chart's numbers"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Period"), el("th", { scope: "col", class: "n" }, "Messages"),
      LABELS.map((l) => el("th", { scope: "col", class: "n" }, l)), el("th", { scope: "col", class: "n" }, "Quality"))),
    el("tbody", {}, trend.map((b) => el("tr", {}, el("td", {}, b.period_start.slice(0, 10)), el("td", { class: "n" }, b.volume),
      LABELS.map((l) => el("td", { class: "n" }, pct(b.flag_rate[l] || 0))), el("td", { class: "n" }, b.quality_index.toFixed(0))))));
  show(el("div", {},
    el("p", {}, el("a", { href: "#/agents" }, "← All agents")),
    el("h1", {}, a.name),
    el("p", { class: "hint" }, `Team ${a.team_id || "none"} · ${a.messages} messages · quality index ${a.quality_index === null ? "–" : a.quality_index.toFixed(0)}`),
    el("div", { class: "grid2" },
      el("section", {}, el("h2", {}, "Flag rate"), el("table", {}, el("tbody", {}, LABELS.map((l) => el("tr", {}, el("th", { scope: "row" }, l), el("td", { class: "n" }, pct(a.flag_rate[l] || 0))))))),
      el("section", {}, el("h2", {}, "Strengths"), a.strengths.length ? el("ul", {}, a.strengths.map((s) => el("li", {}, `${s.label}: ${s.note}`))) : el("p", { class: "empty" }, "None noted yet."))),
    el("section", {}, el("h2", {}, "Trend"), trend.length ? [legend, trendChart(trend), el("details", {}, el("summary", {}, "Show the numbers"), table)] : el("p", { class: "empty" }, "No scored messages yet.")),
    el("section", {}, el("h2", {}, "Recurring issues"),
      a.recurring_issues.length ? a.recurring_issues.map((issue) => el("div", { class: "flag" },
        el("header", {}, el("span", { class: `badge ${issue.label}` }, issue.label), el("strong", {}, issue.rule || "flagged wording"), el("span", { class: "meta" }, `${issue.count} times`)),
        issue.examples.map((ex) => el("div", {}, el("div", { class: "text" }, el("mark", { class: issue.label }, ex.evidence)),
          el("p", { class: "why" }, el("strong", {}, "Why: "), ex.explanation),
          ex.suggestion ? el("p", { class: "try" }, el("strong", {}, "Try instead: "), ex.suggestion) : null,
          el("a", { href: `#/conversation/${encodeURIComponent(ex.interaction_id)}` }, "Open conversation"))))) : el("p", { class: "empty" }, "No recurring issues."))), a.name);
}

async function reportView() {
  const list = await agents();
  const teams = [...new Set(list.map((a) => a.team_id).filter(Boolean))].sort();
  // Weeks with data, newest first, from the weekly trend; the last complete week is always offered.
  const weeks = new Set();
  try {
    const trend = await api("/trends?group_by=team&period=week");
    for (const b of trend.buckets) weeks.add(isoWeek(new Date(b.period_start.slice(0, 10) + "T12:00:00Z")));
  } catch (_) { /* the week can still be typed */ }
  weeks.add(isoWeek(new Date(Date.now() - 7 * 86400000)));
  const sorted = [...weeks].sort().reverse();
  const weekInput = el("input", { name: "week", type: "text", list: "weeks", value: sorted[0], pattern: "\\d{4}-W\\d{2}", required: true, inputmode: "text" });
  const teamSelect = select("team", [["", "All my teams"], ...teams.map((t) => [t, t])], "");
  const frame = el("iframe", { class: "report-frame", title: "Weekly report", sandbox: "" });
  const downloads = el("div", { class: "actions" });
  const form = el("form", { class: "row", "aria-label": "Choose the report" },
    field("r-week", "ISO week", weekInput), el("datalist", { id: "weeks" }, sorted.map((w) => el("option", { value: w }))),
    field("r-team", "Team", teamSelect),
    el("div", {}, el("button", { type: "submit", class: "primary" }, "Show report")));
  const query = () => {
    const params = new URLSearchParams({ week: weekInput.value.trim() });
    if (teamSelect.value) params.set("team", teamSelect.value);
    return params;
  };
  const load = async () => {
    const params = query();
    params.set("format", "html");
    const response = await api(`/reports/weekly?${params}`, { raw: true });
    frame.srcdoc = await response.text();
    say(`Report ${weekInput.value} loaded.`);
  };
  for (const fmt of ["pdf", "csv", "json"]) {
    downloads.append(el("button", { type: "button", onclick: async () => {
      const params = query();
      params.set("format", fmt);
      const blob = await (await api(`/reports/weekly?${params}`, { raw: true })).blob();
      const url = URL.createObjectURL(blob);
      const a = el("a", { href: url, download: `qa-report-${weekInput.value}.${fmt}` });
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } }, `Download ${fmt.toUpperCase()}`));
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); load().catch((e) => say(e.message, true)); });
  show(el("div", {}, el("h1", {}, "Weekly report"), form, downloads, frame), "Weekly report");
  await load();
}

// --- sign-in and routing -----------------------------------------------------------------------------

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.agents = null;
  document.getElementById("nav").hidden = true;
  document.getElementById("view").hidden = true;
  document.getElementById("signin").hidden = false;
  document.title = "Sign in · qa-monitor";
  say(message || "");
  document.getElementById("token").focus();
}

async function route() {
  if (!sessionStorage.getItem(TOKEN_KEY)) { signOut(); return; }
  const [, name, ...rest] = location.hash.split("/");
  const arg = decodeURIComponent(rest.join("/"));
  say("");
  try {
    if (name === "conversation" && arg) await conversationView(arg);
    else if (name === "agents") await agentsView();
    else if (name === "agent" && arg) await agentView(arg);
    else if (name === "report") await reportView();
    else await queueView();
    // Focus moves to the new content for keyboard and screen-reader users; the page starts at its top.
    document.getElementById("main").focus({ preventScroll: true });
    window.scrollTo(0, 0);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) say(`Could not load this page: ${e.message}`, true);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = document.getElementById("token").value.trim();
    const error = document.getElementById("signin-error");
    error.textContent = "";
    sessionStorage.setItem(TOKEN_KEY, token);
    try {
      state.agents = await api("/agents");
      document.getElementById("token").value = "";
      say("Signed in.");
      if (!location.hash || location.hash === "#/") location.hash = "#/queue"; else await route();
    } catch (e) {
      sessionStorage.removeItem(TOKEN_KEY);
      error.textContent = e.status === 401 || e.status === 403 ? "This token is not valid for the dashboard." : `Sign-in failed: ${e.message}`;
    }
  });
  document.getElementById("signout").addEventListener("click", () => { signOut("Signed out."); });
  window.addEventListener("hashchange", route);
  route();
});
