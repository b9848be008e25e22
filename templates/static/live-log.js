/* global document, window, EventSource */
// Appends a running build step's log as it grows (server-sent events from /build/N/log/live).
// Without JavaScript the page still shows the log as it was when loaded.
(function () {
  var pre = document.querySelector('pre.log');
  var end = document.getElementById('log-end');
  if (!pre || !end || !window.EventSource) return;
  var status = document.getElementById('live-status');
  var n = Number(end.getAttribute('data-lines')) || 0;
  var partial = '';
  var source = new EventSource(end.getAttribute('data-live'));
  function addLine(text) {
    n += 1;
    var line = document.createElement('span');
    line.className = 'line';
    line.id = 'L' + n;
    var a = document.createElement('a');
    a.className = 'ln';
    a.href = '#L' + n;
    a.textContent = String(n);
    line.appendChild(a);
    line.appendChild(document.createTextNode(text));
    pre.insertBefore(line, end);
    pre.insertBefore(document.createTextNode('\n'), end);
  }
  source.onmessage = function (event) {
    var lines = (partial + JSON.parse(event.data).text).split('\n');
    partial = lines.pop();
    lines.forEach(addLine);
  };
  source.addEventListener('end', function () {
    if (partial) addLine(partial);
    source.close();
    if (status) status.textContent = 'finished';
  });
})();
