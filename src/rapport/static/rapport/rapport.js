// After the idle limit with no activity, reload: the server has signed the person out and
// shows the sign-in page, so a screen left open stops showing a client's record.
(function () {
  const seconds = Number(document.body.dataset.idleSeconds || 0);
  if (!seconds) return;
  let timer;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => window.location.reload(), (seconds + 2) * 1000);
  };
  ["keydown", "pointerdown", "scroll"].forEach((e) => document.addEventListener(e, arm, { passive: true }));
  arm();
})();
