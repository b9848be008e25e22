/* global document */
// Keeps "3 minutes ago" true while a page stays open; the server renders the first value.
(function () {
  function ago(seconds) {
    var d = Math.round(Date.now() / 1000 - seconds);
    if (d < 10) return 'just now';
    if (d < 60) return d + ' seconds ago';
    var units = [
      [86400, 'day'],
      [3600, 'hour'],
      [60, 'minute'],
    ];
    for (var i = 0; i < units.length; i++) {
      if (d >= units[i][0]) {
        var n = Math.floor(d / units[i][0]);
        return n + ' ' + units[i][1] + (n === 1 ? '' : 's') + ' ago';
      }
    }
    return '';
  }
  function tick() {
    document.querySelectorAll('[data-time]').forEach(function (el) {
      var t = Number(el.getAttribute('data-time'));
      if (t) el.textContent = ago(t);
    });
  }
  setInterval(tick, 30000);
})();
