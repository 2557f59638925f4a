// The regulator portal: plain JavaScript over the gateway's /v1 API. Everything shown comes from
// the API and is written with textContent, never as HTML.
"use strict";

const STATUSES = ["CASE_STATUS_OPEN", "CASE_STATUS_ACTION_TAKEN", "CASE_STATUS_REJECTED",
  "CASE_STATUS_COUNTER_NOTICE_PENDING", "CASE_STATUS_MEASURES_LIFTED",
  "CASE_STATUS_MEASURES_MAINTAINED", "CASE_STATUS_REVERSED"];
const SOURCES = ["NOTICE_SOURCE_RIGHTS_HOLDER", "NOTICE_SOURCE_CONSUMER",
  "NOTICE_SOURCE_TRUSTED_FLAGGER", "NOTICE_SOURCE_REGULATOR",
  "NOTICE_SOURCE_AUTOMATED_DETECTION"];

const state = { token: "", pageToken: "" };
const $ = (id) => document.getElementById(id);

/** "CASE_STATUS_ACTION_TAKEN" → "Action taken". */
function label(value) {
  if (!value) return "";
  const prefixes = ["CASE_STATUS_", "NOTICE_SOURCE_", "NOTICE_GROUND_", "CASE_EVENT_KIND_",
    "CASE_PRIORITY_", "CASE_OUTCOME_", "DECISION_GROUND_", "DECISION_VISIBILITY_",
    "DECISION_ACCOUNT_", "STATEMENT_CATEGORY_", "KEYWORD_", "AUTOMATED_DECISION_",
    "AUDIT_PROBLEM_", "SOURCE_", "CONTENT_TYPE_", "SEVERITY_"];
  let text = value;
  for (const p of prefixes) {
    if (text.startsWith(p)) { text = text.slice(p.length); break; }
  }
  text = text.replace(/_/g, " ").toLowerCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

function fact(list, name, value) {
  list.append(el("dt", name), el("dd", value === undefined || value === "" ? "—" : value));
}

function when(time) { return time ? new Date(time).toLocaleString("en-GB", { timeZone: "UTC" }) + " UTC" : ""; }

function showError(message) { $("error").textContent = message; }

/** Calls the API; a problem document becomes an Error with its detail. */
async function api(path, options) {
  const response = await fetch(path, Object.assign({}, options, {
    headers: Object.assign({ "Authorization": "Bearer " + state.token },
      (options && options.headers) || {}),
  }));
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = body.detail || response.statusText;
    throw new Error(response.status + " " + (body.title || "") + ": " + detail);
  }
  return body;
}

/** The claims of the token, for display only (the gateway verifies it). */
function claims(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload));
  } catch (_) { return {}; }
}

async function useToken(token) {
  state.token = token.trim();
  sessionStorage.setItem("genuine-token", state.token);
  showError("");
  const c = claims(state.token);
  $("whoami").textContent = c.sub
    ? "Signed in as " + c.sub + (c.agency ? " (" + c.agency + ")" : "") +
      (c.jurisdiction ? ", jurisdiction " + c.jurisdiction : "")
    : "";
  for (const id of ["cases", "report", "audit"]) $(id).hidden = false;
  await Promise.allSettled([loadCases(true), loadReport(), loadAuditHead()]);
}

async function loadCases(fresh) {
  if (fresh) state.pageToken = "";
  const query = new URLSearchParams();
  if ($("filter-status").value) query.set("status", $("filter-status").value);
  if ($("filter-source").value) query.set("source", $("filter-source").value);
  if ($("filter-seller").value.trim()) query.set("seller_id", $("filter-seller").value.trim());
  if (state.pageToken) query.set("page_token", state.pageToken);
  try {
    const page = await api("/v1/cases?" + query.toString());
    const rows = $("case-rows");
    if (fresh) clear(rows);
    for (const c of page.cases) {
      const row = el("tr", null, { "data-case-id": c.caseId });
      const open = el("button", c.caseId, { type: "button", class: "link" });
      open.addEventListener("click", () => openCase(c.caseId));
      const first = el("td");
      first.append(open);
      row.append(first, el("td", label(c.status)), el("td", label(c.ground)),
        el("td", label(c.source)), el("td", c.sellerId), el("td", c.listingId),
        el("td", when(c.createTime)));
      rows.append(row);
    }
    $("case-count").textContent = rows.children.length + " case(s) shown";
    state.pageToken = page.nextPageToken;
    $("next-page").hidden = !page.nextPageToken;
  } catch (e) { showError("Cases: " + e.message); }
}

async function openCase(id) {
  try {
    const c = await api("/v1/cases/" + encodeURIComponent(id));
    $("case").hidden = false;
    $("case-id").textContent = c.caseId;
    const facts = $("case-facts");
    clear(facts);
    fact(facts, "Status", label(c.status));
    fact(facts, "Priority", label(c.priority));
    fact(facts, "Ground", label(c.ground));
    fact(facts, "Listing", c.listingId);
    fact(facts, "Seller", c.sellerId);
    fact(facts, "Measure in force", c.measureInForce ? "yes" : "no");
    if (c.decision) fact(facts, "Decision", label(c.decision.outcome) + " — " + c.decision.explanation);
    const timeline = $("timeline");
    clear(timeline);
    for (const e of c.timeline) {
      const item = el("li");
      item.append(el("strong", label(e.kind)), document.createTextNode(
        " · " + when(e.eventTime) + (e.actor ? " · " + e.actor.subject + " (" + e.actor.role + ")" : "") +
        (e.detail ? " · " + e.detail : "") +
        (e.toStatus && e.toStatus !== e.fromStatus ? " · " + label(e.fromStatus) + " → " + label(e.toStatus) : "")));
      timeline.append(item);
    }
    await showStatements(c);
  } catch (e) { showError("Case: " + e.message); }
}

/** The case's statements of reasons, found in the statements list. */
async function showStatements(c) {
  const box = $("statements");
  clear(box);
  if (!c.statementOfReasonsIds.length) { box.append(el("p", "None issued.", { class: "muted" })); return; }
  const wanted = new Set(c.statementOfReasonsIds);
  const found = [];
  let pageToken = "";
  for (let i = 0; i < 20 && found.length < wanted.size; i++) {
    const query = new URLSearchParams({ page_size: "500" });
    if (pageToken) query.set("page_token", pageToken);
    const page = await api("/v1/statements?" + query.toString());
    for (const s of page.statements) if (wanted.has(s.statementOfReasonsId)) found.push(s);
    pageToken = page.nextPageToken;
    if (!pageToken) break;
  }
  for (const s of found) {
    const list = el("dl", null, { class: "facts statement" });
    fact(list, "Statement", s.statementOfReasonsId);
    fact(list, "Restriction", s.decisionVisibility.map(label).join(", ") || label(s.decisionAccount));
    fact(list, "Ground", label(s.decisionGround));
    fact(list, "Legal ground", s.illegalContentLegalGround || s.incompatibleContentGround);
    fact(list, "Category", label(s.category) + (s.categorySpecification.length ? " (" + s.categorySpecification.map(label).join(", ") + ")" : ""));
    fact(list, "Facts", s.decisionFacts);
    fact(list, "Automated detection", s.automatedDetection ? "Yes" : "No");
    fact(list, "Automated decision", label(s.automatedDecision));
    fact(list, "Territorial scope", s.territorialScope.join(", "));
    fact(list, "Applied", s.applicationDate);
    box.append(list);
  }
}

function isoDay(date) { return date.toISOString().slice(0, 10); }

async function loadReport() {
  const query = new URLSearchParams();
  if ($("report-from").value) query.set("from", $("report-from").value + "T00:00:00Z");
  if ($("report-to").value) query.set("to", $("report-to").value + "T23:59:59Z");
  try {
    const r = await api("/v1/reports/transparency?" + query.toString());
    const facts = $("report-facts");
    clear(facts);
    fact(facts, "Period", when(r.startTime) + " – " + when(r.endTime));
    fact(facts, "Notices", r.noticesTotal);
    fact(facts, "Cases upheld / rejected", r.casesUpheld + " / " + r.casesRejected);
    fact(facts, "Own-initiative share", Math.round(r.automatedDetectionShare * 100) + " %");
    fact(facts, "Median notice → action", r.medianNoticeToAction || "");
    fact(facts, "90th percentile notice → action", r.p90NoticeToAction || "");
    fact(facts, "Counter-notices", r.counterNotices);
    fact(facts, "Restorations after the window", r.restorationsAfterWindow);
    fact(facts, "Appeals / reversals", r.appeals + " / " + r.reversals);
    fact(facts, "Notifiers suspended", r.notifiersSuspended);
    const chart = $("report-chart");
    clear(chart);
    chart.append(barChart("Notices by source", r.noticesBySource.map((x) => [label(x.source), x.count])));
    chart.append(barChart("Cases by status", r.casesByStatus.map((x) => [label(x.status), x.count])));
  } catch (e) { showError("Report: " + e.message); }
}

/** A horizontal bar chart as inline SVG. */
function barChart(title, bars) {
  const NS = "http://www.w3.org/2000/svg";
  const rowHeight = 22, labelWidth = 170, width = 560;
  const height = 28 + Math.max(bars.length, 1) * rowHeight;
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", title);
  svg.setAttribute("class", "chart");
  const heading = document.createElementNS(NS, "text");
  heading.setAttribute("x", 0); heading.setAttribute("y", 16);
  heading.setAttribute("font-weight", "bold");
  heading.textContent = title;
  svg.append(heading);
  const max = Math.max(1, ...bars.map((b) => b[1]));
  bars.forEach(([name, count], i) => {
    const y = 26 + i * rowHeight;
    const text = document.createElementNS(NS, "text");
    text.setAttribute("x", 0); text.setAttribute("y", y + 14);
    text.textContent = name;
    const rect = document.createElementNS(NS, "rect");
    const w = Math.max(2, Math.round((width - labelWidth - 50) * count / max));
    rect.setAttribute("x", labelWidth); rect.setAttribute("y", y + 2);
    rect.setAttribute("width", w); rect.setAttribute("height", rowHeight - 6);
    rect.setAttribute("fill", "#457b9d");
    rect.setAttribute("data-label", name);
    rect.setAttribute("data-count", count);
    const value = document.createElementNS(NS, "text");
    value.setAttribute("x", labelWidth + w + 6); value.setAttribute("y", y + 14);
    value.textContent = String(count);
    svg.append(text, rect, value);
  });
  if (!bars.length) {
    const none = document.createElementNS(NS, "text");
    none.setAttribute("x", 0); none.setAttribute("y", 40);
    none.textContent = "Nothing in this period";
    svg.append(none);
  }
  return svg;
}

async function loadAuditHead() {
  try {
    const head = await api("/v1/audit/head");
    const list = $("audit-head");
    clear(list);
    fact(list, "Entries", head.treeSize);
    fact(list, "Root hash", head.rootHash);
    fact(list, "Signed", when(head.headTime));
    fact(list, "Key id", head.keyId);
  } catch (e) { showError("Audit log: " + e.message); }
}

async function verifyAudit() {
  const out = $("verify-result");
  out.textContent = "Verifying…";
  out.className = "";
  try {
    const v = await api("/v1/audit/verify", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: "{}",
    });
    if (v.ok) {
      out.textContent = "Audit log intact: " + v.entriesChecked + " entries checked, none edited, deleted or reordered.";
      out.className = "ok";
    } else {
      out.textContent = "Audit log tampered: entry " + v.firstBadIndex + " — " + label(v.problem) + (v.detail ? " (" + v.detail + ")" : "");
      out.className = "bad";
    }
  } catch (e) { out.textContent = ""; showError("Verification: " + e.message); }
  await checkInBrowser();
}

// ---- independent checks: the signed head and inclusion proofs, computed here, not trusted.

const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const sha256 = async (data) => new Uint8Array(await crypto.subtle.digest("SHA-256", data));
const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** RFC 9162 §2.1.3.2: does `path` lead from `leaf` at `index` to `root` of a tree of `size`? */
async function verifyInclusion(index, size, leaf, path, root) {
  if (index >= size) return false;
  let f = BigInt(index), s = BigInt(size) - 1n, r = leaf;
  for (const p of path) {
    if (s === 0n) return false;
    if ((f & 1n) === 1n || f === s) {
      r = await nodeHash(p, r);
      if ((f & 1n) === 0n) {
        while ((f & 1n) === 0n && f !== 0n) { f >>= 1n; s >>= 1n; }
      }
    } else {
      r = await nodeHash(r, p);
    }
    f >>= 1n; s >>= 1n;
  }
  return s === 0n && same(r, root);
}

/** The bytes enforcement signs: context, size and time (big-endian 64-bit), root. */
function headBytes(head) {
  const numbers = new DataView(new ArrayBuffer(16));
  numbers.setBigUint64(0, BigInt(head.treeSize));
  numbers.setBigInt64(8, BigInt(Date.parse(head.headTime)));
  return concat(new TextEncoder().encode("genuine.enforcement.audit-head.v1"),
    new Uint8Array(numbers.buffer), bytes(head.rootHash));
}

async function checkInBrowser() {
  const out = $("browser-check");
  out.textContent = "Checking in your browser…";
  out.className = "";
  try {
    const head = await api("/v1/audit/head");
    const publicKey = bytes(head.publicKey);
    if (hex(await sha256(publicKey)) !== head.keyId) throw new Error("the key id does not match the public key");
    let signature = "signature not checked (this browser lacks Ed25519)";
    try {
      const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
      const valid = await crypto.subtle.verify({ name: "Ed25519" }, key, bytes(head.signature), headBytes(head));
      if (!valid) throw new Error("the signed head's signature is invalid");
      signature = "signed head verified";
    } catch (e) {
      if (e.message.includes("invalid")) throw e;
    }
    const size = head.treeSize;
    const first = Math.max(0, size - 10);
    let proven = 0;
    for (let i = first; i < size; i++) {
      const p = await api("/v1/audit/proof/" + i + "?tree_size=" + size);
      const ok = await verifyInclusion(i, size, bytes(p.entry.leafHash),
        p.inclusionProof.auditPath.map(bytes), bytes(head.rootHash));
      if (!ok) throw new Error("entry " + i + " is not included in the signed tree");
      proven++;
    }
    out.textContent = "Checked in your browser: " + signature + " (key " + head.keyId.slice(0, 16) +
      "…); " + proven + " of the latest entries proven included in its " + size + "-entry tree.";
    out.className = "ok";
  } catch (e) {
    out.textContent = "Browser check failed: " + e.message;
    out.className = "bad";
  }
}

function fillSelect(select, values) {
  for (const v of values) select.append(el("option", label(v), { value: v }));
}

/** `#token=…&status=…&source=…&seller=…&case=…&verify=1` opens the portal in that state. */
async function start() {
  fillSelect($("filter-status"), STATUSES);
  fillSelect($("filter-source"), SOURCES);
  const today = new Date();
  $("report-to").value = isoDay(today);
  $("report-from").value = isoDay(new Date(today.getTime() - 30 * 86400000));
  $("use-token").addEventListener("click", () => useToken($("token").value));
  $("search").addEventListener("click", () => loadCases(true));
  $("next-page").addEventListener("click", () => loadCases(false));
  $("load-report").addEventListener("click", loadReport);
  $("verify").addEventListener("click", verifyAudit);
  const hash = new URLSearchParams(location.hash.slice(1));
  const token = hash.get("token") || sessionStorage.getItem("genuine-token") || "";
  if (hash.get("token")) history.replaceState(null, "", location.pathname);
  if (!token) return;
  $("token").value = token;
  // Filters in the link apply before the first search.
  if (hash.get("status")) $("filter-status").value = hash.get("status");
  if (hash.get("source")) $("filter-source").value = hash.get("source");
  if (hash.get("seller")) $("filter-seller").value = hash.get("seller");
  await useToken(token);
  if (hash.get("case")) await openCase(hash.get("case"));
  if (hash.get("verify")) await verifyAudit();
  document.body.setAttribute("data-ready", "true");
}

start();
