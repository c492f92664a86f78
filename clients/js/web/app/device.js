// Screen wake lock and an optional beep (WebAudio, off until the user turns it on).

// Keeps the screen on while `wanted()` says so; the browser drops the lock when
// the tab is hidden, so it is asked for again when the tab comes back.
export function wakeLock(wanted) {
  let lock = null;
  let asking = false;
  async function update() {
    const want = wanted() && document.visibilityState === 'visible';
    if (!('wakeLock' in navigator)) return;
    if (want && !lock && !asking) {
      asking = true;
      try {
        lock = await navigator.wakeLock.request('screen');
        lock.addEventListener('release', () => { lock = null; });
      } catch { lock = null; /* refused (battery saver, no user gesture): the clock still works */ }
      asking = false;
    } else if (!want && lock) {
      const l = lock;
      lock = null;
      l.release().catch(() => {});
    }
  }
  document.addEventListener('visibilitychange', update);
  return { update, get held() { return lock !== null; } };
}

const BEEP_KEY = 'synckairos.beep';

export function beeper() {
  let ctx = null;
  let on = false;
  try { on = localStorage.getItem(BEEP_KEY) === '1'; } catch { /* ignore */ }

  function tone(freq, ms, gain = 0.2) {
    if (!on) return;
    try {
      ctx ??= new (window.AudioContext || window.webkitAudioContext)();
      if (ctx.state === 'suspended') ctx.resume();
      const osc = ctx.createOscillator();
      const g = ctx.createGain();
      osc.frequency.value = freq;
      g.gain.value = gain;
      osc.connect(g).connect(ctx.destination);
      const t = ctx.currentTime;
      g.gain.setTargetAtTime(0, t + ms / 1000 - 0.02, 0.01);
      osc.start(t);
      osc.stop(t + ms / 1000);
    } catch { /* no audio on this device */ }
  }
  return {
    get on() { return on; },
    set(v) {
      on = !!v;
      try { localStorage.setItem(BEEP_KEY, on ? '1' : '0'); } catch { /* ignore */ }
      if (on) tone(880, 60, 0.1); // also unlocks audio inside the click that turned it on
    },
    warn() { tone(880, 120); },
    tickSound() { tone(660, 40, 0.08); },
    timeout() { tone(440, 700, 0.3); },
  };
}
