// kohub console: replays a ticket's terminal recording with asciinema-player (served from
// /static/, never a CDN). The recording comes as JSON data in the page (#cast-data), not
// from a URL, so the page needs nothing but itself. The command table's times seek to
// that command and play; without JavaScript the commands are there all the same.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("player");
    var data = document.getElementById("cast-data");
    if (!box || !data || !window.AsciinemaPlayer) return;
    var recording = JSON.parse(data.textContent);
    var player = window.AsciinemaPlayer.create({ data: recording.cast }, box, {
      fit: "width",
      // no idle-time limit: the commands' offsets are the recording's own seconds
      idleTimeLimit: Infinity,
      markers: recording.markers,
      terminalFontSize: "small"
    });
    document.querySelectorAll("[data-seek]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var at = parseFloat(link.getAttribute("data-seek"));
        Promise.resolve(player.seek(at)).then(function () { return player.play(); });
        box.scrollIntoView({ block: "nearest" });
        var focusable = box.querySelector("[tabindex]");
        if (focusable) focusable.focus({ preventScroll: true });
      });
    });
  });
})();
