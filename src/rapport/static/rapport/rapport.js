// Idle log-off that follows real activity. Typing or clicking tells the server (at most once a
// minute) that the person is still here, so a long form is not lost to the idle limit; with no
// activity for the whole limit the page reloads, the server signs the person out and shows the
// sign-in page, so a screen left open stops showing a client's record.
(function () {
  const body = document.body;
  const seconds = Number(body.dataset.idleSeconds || 0);
  const keepAlive = body.dataset.keepAlive;
  if (!seconds) return;
  const pingEvery = Math.min(60, seconds / 4) * 1000;
  let timer;
  let lastPing = Date.now();
  let csrf = "";
  try {
    csrf = JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch (e) {
    csrf = "";
  }
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      // The group session screen kept for use offline (offline.js): with no connection the server
      // cannot sign anyone out and the reload would show the same kept screen, losing only what
      // was typed. It reloads once the connection is back and the limit passes again.
      if (!navigator.onLine && document.querySelector("form.group-capture")) return arm();
      window.location.reload();
    }, (seconds + 2) * 1000);
    if (keepAlive && Date.now() - lastPing > pingEvery) {
      lastPing = Date.now();
      fetch(keepAlive, { method: "POST", headers: { "X-CSRFToken": csrf }, credentials: "same-origin" });
    }
  };
  ["keydown", "pointerdown", "scroll"].forEach((e) => document.addEventListener(e, arm, { passive: true }));
  arm();
})();

// The contract form: choosing a variant fills in its planned sessions and session length at once,
// unless the therapist has typed a value. The server fills the same defaults when the page is sent
// without this script.
(function () {
  const select = document.querySelector("select[data-defaults]");
  if (!select) return;
  const defaults = JSON.parse(select.dataset.defaults);
  const touched = new Set();
  Object.keys(defaults[select.value] || {}).forEach((name) => {
    const input = select.form.elements[name];
    if (input) input.addEventListener("input", () => touched.add(name));
  });
  select.addEventListener("change", () => {
    Object.entries(defaults[select.value] || {}).forEach(([name, value]) => {
      const input = select.form.elements[name];
      if (input && value !== null && !touched.has(name)) input.value = value;
    });
  });
})();
