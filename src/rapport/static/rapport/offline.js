// Group session capture that works offline (issue 13 item 5; docs/architecture.md "Offline capture").
//
// On every clinician's page this script sends what waits on the device (and shows how much), and
// clears the device when the person signs out. On the group session screen (form.group-capture) it
// also:
// - registers the service worker, which keeps this screen, the group's roster, crisis lines and
//   sealing key (GET /api/v1/groups/<id>/offline) for use with no signal;
// - on "save", reads the form into the groups API's body, seals it on the device (a fresh AES-GCM
//   key per entry, wrapped with the server's RSA-OAEP public key: the device cannot read it back)
//   and keeps the envelope in IndexedDB, shown as "waiting to send";
// - shows a member's crisis lines the moment a risk answer is entered, from the kept copy;
// What waits is sent at once, when the connection returns, and again with growing pauses, each with
// its idempotency key so that a retry never makes a second session. Signing out empties the device
// copy (the server's Clear-Site-Data does too, for a page where this script did not run).
(function () {
  "use strict";

  const DB_NAME = "rapport-offline";
  const STORE = "outbox";
  const FORMAT = "rapport-sealed-1";
  const FIRST_PAUSE = 5000; // then doubled up to MAX_PAUSE
  const MAX_PAUSE = 5 * 60 * 1000;

  // The group session screen (templates/staff/group_session_form.html) names its group and, when
  // editing, its session; the API's addresses follow from them (docs/architecture.md, groups API).
  const form = document.querySelector("form.group-capture[data-group]");
  const signOutForms = document.querySelectorAll('form[action$="/sign-out/"]');
  if (!window.crypto || !crypto.subtle || !window.indexedDB) return; // the plain form still works

  const groupId = form ? Number(form.dataset.group) : null;
  const packUrl = `/api/v1/groups/${groupId}/offline`;
  const sessionId = form && form.dataset.session ? Number(form.dataset.session) : null;
  const sendUrl = (group) => `/api/v1/groups/${group}/sealed-sessions`;
  const doneUrl = (group) => `/groups/${group}/sessions/`;
  let pack = null;
  let timer = null;
  let sending = false;
  let again = false;
  let confirmedSignOut = false;
  const mine = new Set(); // keys of what was saved from this page (its form is still on screen)
  const atOnce = new Set(); // ... and sent on the first try, as a plain form post would have been

  // ---- Words (English only for now: the pages are not yet translated either) ----
  const words = {
    waiting: (n) => (n === 1 ? "1 session waiting to send" : `${n} sessions waiting to send`),
    nothingWaiting: "Nothing waiting to send.",
    savedHere: "Saved on this phone, sealed, waiting to send. It will be sent when there is a connection.",
    sent: (n) => `Session ${n} was sent and saved.`,
    conflict: (n) =>
      `Session ${n} was changed on another device after this one opened it, so what was recorded here was not saved. Open the session again and enter the changes.`,
    refused: (n) => `Session ${n} was not saved:`,
    signIn: "Sign in again to send what waits.",
    noPack: "Open this group once with a connection so that it can be used offline.",
    crisisFor: (name) => `Crisis lines for ${name}`,
    signOutWaiting: (n) =>
      `${words.waiting(n)}. Signing out deletes it from this phone. Wait until it is sent, or press "Sign out" again to delete it.`,
  };

  // ---- IndexedDB: the outbox ----
  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function store(mode, action) {
    const db = await openDb();
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const result = action(tx.objectStore(STORE));
        tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
        tx.onerror = () => reject(tx.error);
      });
    } finally {
      db.close();
    }
  }

  // Only the session screen makes the database; elsewhere it is read only if it exists.
  async function hasOutbox() {
    if (form || !indexedDB.databases) return true;
    return (await indexedDB.databases()).some((d) => d.name === DB_NAME);
  }

  const allEntries = async () => ((await hasOutbox()) ? store("readonly", (s) => s.getAll()) : []);
  const putEntry = (entry) => store("readwrite", (s) => s.put(entry));
  const dropEntry = (id) => store("readwrite", (s) => s.delete(id));

  // ---- Sealing ----
  function b64(buffer) {
    let text = "";
    new Uint8Array(buffer).forEach((byte) => (text += String.fromCharCode(byte)));
    return btoa(text);
  }

  async function seal(body, idempotencyKey) {
    const jwk = pack.key;
    const publicKey = await crypto.subtle.importKey(
      "jwk",
      { kty: jwk.kty, n: jwk.n, e: jwk.e, alg: jwk.alg, ext: true },
      { name: "RSA-OAEP", hash: "SHA-256" },
      false,
      ["encrypt"],
    );
    const contentKey = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"]);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const bound = new TextEncoder().encode(`${FORMAT}|group=${groupId}|key=${idempotencyKey}`);
    const ciphertext = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: bound },
      contentKey,
      new TextEncoder().encode(JSON.stringify(body)),
    );
    const wrapped = await crypto.subtle.encrypt({ name: "RSA-OAEP" }, publicKey, await crypto.subtle.exportKey("raw", contentKey));
    // The content key goes out of scope here: nothing on the device can open the envelope.
    return { format: FORMAT, key_id: jwk.kid, wrapped_key: b64(wrapped), iv: b64(iv), ciphertext: b64(ciphertext) };
  }

  // ---- The form as the groups API's body (forms.py: "m<membership id>-<field>") ----
  function readSession() {
    const value = (name) => (form.elements.namedItem(name) ? form.elements.namedItem(name).value : "");
    const members = new Map();
    for (const element of form.elements) {
      const match = /^m(\d+)-(.+)$/.exec(element.name || "");
      if (!match) continue;
      const id = Number(match[1]);
      if (!members.has(id)) members.set(id, {});
      const fields = members.get(id);
      const field = match[2];
      if (element.type === "checkbox") {
        if (field === "mood_events") {
          fields.mood_events = fields.mood_events || [];
          if (element.checked) fields.mood_events.push(Number(element.value));
        } else {
          fields[field] = element.checked;
        }
      } else {
        fields[field] = element.value;
      }
    }
    const phq9Items = new Set(pack.phq9_items);
    return {
      number: Number(value("number")),
      date: value("date"),
      notes: value("notes"),
      paper_filled_on: value("paper_filled_on") || null,
      recorded_at: new Date().toISOString(),
      members: [...members.entries()].map(([id, f]) => {
        const answers = {};
        Object.entries(f).forEach(([name, given]) => {
          if (phq9Items.has(name) && given) answers[name] = given;
        });
        return {
          membership_id: id,
          attended: Boolean(f.attended),
          phq9: Object.keys(answers).length ? answers : null,
          mood_change: f.mood_change ? Number(f.mood_change) : null,
          mood_event_ids: f.mood_events || [],
          mood_note: f.mood_note || "",
          task_set: f.task_set || "",
          task_reviewed: f.task_reviewed || "",
          note: f.note || "",
          needs_follow_up: Boolean(f.needs_follow_up),
          needs_follow_up_for_risk: Boolean(f.needs_follow_up_for_risk),
        };
      }),
    };
  }

  // ---- What the person sees ----
  const status = document.createElement("section");
  status.className = "offline-status";
  status.setAttribute("aria-live", "polite");
  status.setAttribute("aria-label", "Sending");
  const count = document.createElement("p");
  count.className = "offline-count";
  count.dataset.offlineCount = "0";
  const notes = document.createElement("ul");
  notes.className = "offline-notes";
  status.append(count, notes);
  status.hidden = true; // shown only while something waits or there is news of a sending
  if (form) form.append(status); // at the foot, kept in sight (offline.css)
  else (document.querySelector("main") || document.body).prepend(status);

  function say(text, kind, extra) {
    const item = document.createElement("li");
    item.className = `offline-note ${kind}`;
    item.textContent = text;
    if (extra) item.append(extra);
    notes.prepend(item);
    status.hidden = false;
  }

  async function showCount() {
    const waiting = (await allEntries()).filter((e) => e.state === "waiting").length;
    count.dataset.offlineCount = String(waiting);
    count.textContent = waiting ? words.waiting(waiting) : words.nothingWaiting;
    status.hidden = !waiting && !notes.children.length; // nothing to say: no room taken on a phone
    return waiting;
  }

  function setLocked(locked) {
    if (!form) return;
    form.querySelectorAll("input, select, textarea, button").forEach((element) => {
      if (!element.closest(".offline-status")) element.disabled = locked;
    });
  }

  // ---- Crisis lines the moment a risk answer is entered, from the kept copy ----
  function crisisPanel(membershipId) {
    const member = pack && pack.members.find((m) => m.id === membershipId);
    if (!member) return null;
    const lines = pack.crisis[member.crisis];
    const panel = document.createElement("div");
    panel.className = "offline-crisis crisis-panel";
    panel.setAttribute("role", "alert");
    panel.dataset.offlineCrisis = String(membershipId);
    const heading = document.createElement("h3");
    heading.textContent = words.crisisFor(member.name);
    const list = document.createElement("ul");
    lines.lines.forEach((line) => {
      const item = document.createElement("li");
      const label = document.createElement("span");
      label.textContent = `${line.label}: `;
      item.append(label);
      if (line.tel_href) {
        const link = document.createElement("a");
        link.href = line.tel_href;
        link.textContent = line.number;
        item.append(link);
      } else {
        item.append(document.createTextNode(line.number));
      }
      if (line.hours) item.append(document.createTextNode(` (${line.hours})`));
      list.append(item);
    });
    if (!lines.lines.length && lines.directory_url) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = lines.directory_url;
      link.textContent = lines.directory_url;
      item.append(link);
      list.append(item);
    }
    panel.append(heading, list);
    return panel;
  }

  function atRisk(membershipId) {
    const marked = form.elements.namedItem(`m${membershipId}-needs_follow_up_for_risk`);
    if (marked && marked.checked) return true;
    return Object.entries(pack.risk_answers).some(([item, codes]) => {
      const answer = form.elements.namedItem(`m${membershipId}-${item}`);
      return answer && codes.includes(answer.value);
    });
  }

  function watchRisk(event) {
    const match = /^m(\d+)-/.exec(event.target.name || "");
    if (!match || !pack) return;
    const id = Number(match[1]);
    const shown = form.querySelector(`[data-offline-crisis="${id}"]`);
    if (atRisk(id)) {
      if (shown) return;
      const panel = crisisPanel(id);
      const record = event.target.closest("fieldset.member-record") || event.target.parentElement;
      if (panel) record.append(panel);
    } else if (shown) {
      shown.remove();
    }
  }

  // ---- Sending what waits ----
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function errorsOf(answer) {
    const list = document.createElement("ul");
    // First what was kept although the session was refused: a member's risk alert (api "kept").
    ((answer && answer.kept) || []).forEach((message) => {
      const item = document.createElement("li");
      item.className = "risk-kept";
      item.textContent = message;
      list.append(item);
    });
    Object.values((answer && answer.errors) || {}).flat().forEach((message) => {
      const item = document.createElement("li");
      item.textContent = message;
      list.append(item);
    });
    return list;
  }

  async function sendOne(entry) {
    let response;
    try {
      response = await fetch(sendUrl(entry.group), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Idempotency-Key": entry.id },
        body: JSON.stringify(entry.envelope),
      });
    } catch (e) {
      return "retry"; // no connection, or the answer was lost on the way: the same key again later
    }
    const answer = await response.json().catch(() => null);
    if (response.status === 200 || response.status === 201) {
      await dropEntry(entry.id);
      if (atOnce.has(entry.id) && answer && answer.id) {
        // Online all along: on to the saved session, as the plain form would go (its page shows
        // the crisis protocol of any member at risk).
        window.location.assign(`${doneUrl(entry.group)}${answer.id}/`);
        return "done";
      }
      let link = null;
      if (answer && answer.id) {
        link = document.createElement("a");
        link.href = `${doneUrl(entry.group)}${answer.id}/`;
        link.textContent = "Open it";
      }
      say(words.sent(entry.number) + (link ? " " : ""), "sent", link);
      if (mine.has(entry.id)) form.dataset.offlineSent = "true";
      return "done";
    }
    if (response.status === 401 || response.status === 403) {
      say(words.signIn, "warning");
      return "stop";
    }
    const conflict = response.status === 409 && !(answer && answer.errors && answer.errors["Idempotency-Key"]);
    if (conflict || response.status === 422 || response.status === 404) {
      // Nothing was saved. The device cannot read the entry back, so it is dropped; if its form is
      // still on this page, the form is posted as it is, and the server shows the conflict or the
      // refusal on its fields with everything that was typed. Otherwise the reasons are shown here.
      await dropEntry(entry.id);
      if (mine.has(entry.id) && response.status !== 404) {
        setLocked(false);
        form.submit();
        return "stop";
      }
      if (conflict) say(words.conflict(entry.number), "conflict", errorsOf({ kept: answer && answer.kept }));
      else say(words.refused(entry.number), "refused", errorsOf(answer));
      return "done";
    }
    return "retry"; // 5xx or 409 "still being handled": later, with the same key
  }

  async function sendWaiting() {
    if (sending) {
      again = true; // something was saved while sending: one more round when this one ends
      return;
    }
    sending = true;
    again = false;
    clearTimeout(timer);
    let retry = false;
    let pause = FIRST_PAUSE;
    try {
      for (const entry of await allEntries()) {
        if (entry.state !== "waiting") continue;
        const outcome = await sendOne(entry);
        if (outcome === "stop") break;
        if (outcome === "retry") {
          atOnce.delete(entry.id);
          const attempts = (entry.attempts || 0) + 1;
          await putEntry({ ...entry, attempts });
          pause = Math.min(FIRST_PAUSE * 2 ** (attempts - 1), MAX_PAUSE);
          retry = true;
          break; // keep the order: what was recorded first is sent first
        }
      }
    } finally {
      sending = false;
      await showCount();
    }
    if (retry) timer = setTimeout(sendWaiting, pause);
    else if (again) sendWaiting();
  }

  async function saveHere(event) {
    if (!pack && navigator.onLine) return; // the copy has not arrived: the plain form post it is
    event.preventDefault();
    if (!pack) {
      say(words.noPack, "warning");
      return;
    }
    const body = readSession();
    const key = crypto.randomUUID();
    const version = form.elements.namedItem("version");
    const plain = { session_id: sessionId, version: sessionId ? Number(version && version.value) : null, session: body };
    const envelope = await seal(plain, key);
    await putEntry({
      id: key,
      group: groupId,
      number: body.number,
      recorded_at: body.recorded_at,
      state: "waiting",
      attempts: 0,
      envelope,
    });
    mine.add(key);
    atOnce.add(key);
    setLocked(true);
    say(words.savedHere, "saved");
    await showCount();
    sendWaiting();
  }

  // ---- Signing out empties the device copy ----
  async function forgetDevice() {
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
    if (window.caches) await Promise.all((await caches.keys()).map((name) => caches.delete(name)));
    if (navigator.serviceWorker) {
      const registrations = await navigator.serviceWorker.getRegistrations();
      await Promise.all(registrations.map((r) => r.unregister()));
    }
  }

  signOutForms.forEach((signOut) =>
    signOut.addEventListener("submit", async (event) => {
      event.preventDefault();
      const waiting = await showCount();
      if (waiting && !confirmedSignOut) {
        confirmedSignOut = true;
        say(words.signOutWaiting(waiting), "warning");
        status.scrollIntoView();
        return;
      }
      await forgetDevice();
      signOut.submit();
    }),
  );

  // ---- Start ----
  const CACHE = "rapport-offline-v1"; // the service worker's cache

  // The service worker keeps what passes through it once it controls the page; what this first
  // visit loaded before that is put in its cache here: this screen, its own files, the group's copy.
  async function keepCopy(packCopy) {
    if (!window.caches) return;
    const cache = await caches.open(CACHE);
    if (packCopy) await cache.put(packUrl, packCopy);
    // Only the screen for a new session is kept: an edit's screen holds recorded scores and notes.
    if (!sessionId && !(await cache.match(location.href))) await cache.add(location.href);
    const files = [...document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=icon]")]
      .map((element) => new URL(element.src || element.href, location.href))
      .filter((url) => url.origin === location.origin && url.pathname.startsWith("/static/"));
    await cache.addAll(files.map(String));
  }

  async function loadPack() {
    let copy = null;
    try {
      const response = await fetch(packUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        copy = response.clone();
        pack = await response.json();
      }
    } catch (e) {
      pack = null;
    }
    if (!pack) say(words.noPack, "warning");
    form.dataset.offlineReady = pack ? "true" : "false";
    if (pack) keepCopy(copy).then(() => (form.dataset.offlineKept = "true")).catch(() => {});
  }

  window.addEventListener("online", sendWaiting);
  if (!form) {
    sendWaiting();
    return;
  }
  form.addEventListener("submit", saveHere);
  form.addEventListener("change", watchRisk);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/service-worker.js", { scope: "/" }).catch(() => {});
  }
  loadPack().then(showCount).then(sendWaiting);
})();
