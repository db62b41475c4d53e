// Events: print buttons and the check-in scanner (jsQR reads the badge's QR code from the phone camera).
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var scanner = document.getElementById("scanner");
  if (!scanner) {
    return;
  }
  var video = document.getElementById("scan-video");
  var canvas = document.getElementById("scan-canvas");
  var result = document.getElementById("scan-result");
  var lastCode = null;
  var busy = false;

  function show(text, kind) {
    result.textContent = text;
    result.className = "alert mt-2 alert-" + kind;
  }

  function submit(code) {
    if (busy || !code) {
      return;
    }
    busy = true;
    fetch(scanner.getAttribute("data-scan-url"), {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRFToken": scanner.getAttribute("data-csrf")},
      credentials: "same-origin",
      body: JSON.stringify({code: code})
    }).then(function (response) {
      return response.json().then(function (data) {
        show(data.ok ? data.message : data.reason, data.ok ? (data.already ? "warning" : "success") : "danger");
      });
    }).catch(function () {
      show(scanner.getAttribute("data-failed"), "danger");
    }).then(function () {
      busy = false;
    });
  }

  document.getElementById("manual-code").addEventListener("submit", function (event) {
    event.preventDefault();
    submit(document.getElementById("code-input").value.trim());
  });

  function tick() {
    if (video.readyState === video.HAVE_ENOUGH_DATA && typeof jsQR === "function") {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var context = canvas.getContext("2d");
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = jsQR(image.data, image.width, image.height, {inversionAttempts: "dontInvert"});
      if (found && found.data && found.data !== lastCode) {
        lastCode = found.data;
        submit(found.data);
      }
    }
    window.requestAnimationFrame(tick);
  }

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    show(scanner.getAttribute("data-no-camera"), "warning");
    return;
  }
  navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}}).then(function (stream) {
    video.srcObject = stream;
    video.play();
    window.requestAnimationFrame(tick);
  }).catch(function () {
    show(scanner.getAttribute("data-no-camera"), "warning");
  });
})();
