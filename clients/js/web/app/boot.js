// Classic (non-module) script: if the page's modules never start (old browser,
// the SDK failed to load, a script error), say so in words instead of a blank page.
'use strict';
(function () {
  function check() {
    if (document.documentElement.hasAttribute('data-booted')) return;
    var el = document.getElementById('boot-message');
    if (!el) return;
    el.hidden = false;
    var title = document.getElementById('message-title');
    if (title) title.textContent = 'The page could not start';
    el.className = 'notice error';
    el.textContent = 'The page could not start: its scripts did not load. ' +
      'Check the connection to the server and reload. (This page needs a browser with ' +
      'JavaScript modules: a current Chrome, Firefox, Safari or Edge.)';
  }
  // A module that fails to load fires 'error' on its <script> element (seen when capturing).
  window.addEventListener('error', function (ev) {
    var t = ev.target;
    if (t === window || (t && t.tagName === 'SCRIPT')) setTimeout(check, 0);
  }, true);
  setTimeout(check, 8000);
})();
