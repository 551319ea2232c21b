// The gate's QR scanner: the phone's back camera in the page, read with the browser's
// BarcodeDetector where it reads QR codes, else with jsQR (static/vendor/jsqr/), loaded
// only then, on a downscaled frame every 150 ms.
(function () {
  "use strict";
  var EVERY_MS = 150;
  var MAX_SIDE = 640;

  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) {
        resolve();
        return;
      }
      var script = document.createElement("script");
      script.src = url;
      script.onload = function () { resolve(); };
      script.onerror = function () { reject(new Error("decoder not loaded")); };
      document.head.appendChild(script);
    });
  }

  // A function that reads the QR code in the video's current frame: resolves with its
  // text, or null.
  function makeReader(video, jsqrUrl) {
    var native = window.BarcodeDetector
      ? window.BarcodeDetector.getSupportedFormats().catch(function () { return []; })
      : Promise.resolve([]);
    return native.then(function (formats) {
      if (formats.indexOf("qr_code") !== -1) {
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return function () {
          return detector.detect(video).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        };
      }
      return loadScript(jsqrUrl).then(function () {
        var canvas = document.createElement("canvas");
        var context = canvas.getContext("2d", { willReadFrequently: true });
        return function () {
          var width = video.videoWidth;
          var height = video.videoHeight;
          if (!width || !height) {
            return Promise.resolve(null);
          }
          var scale = Math.min(1, MAX_SIDE / Math.max(width, height));
          canvas.width = Math.round(width * scale);
          canvas.height = Math.round(height * scale);
          context.drawImage(video, 0, 0, canvas.width, canvas.height);
          var image = context.getImageData(0, 0, canvas.width, canvas.height);
          var code = window.jsQR(image.data, image.width, image.height, {
            inversionAttempts: "dontInvert"
          });
          return Promise.resolve(code ? code.data : null);
        };
      });
    });
  }

  // `options`: video (element), jsqrUrl, onFound(text), onStateChange(running),
  // onProblem(error).
  function Scanner(options) {
    this.options = options;
    this.stream = null;
    this.timer = null;
    this.running = false;
    this.generation = 0;
  }

  Scanner.supported = function () {
    return Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  };

  Scanner.prototype.start = function () {
    var self = this;
    var video = this.options.video;
    if (this.running) {
      return Promise.resolve();
    }
    var generation = ++this.generation;
    this.running = true;
    this.options.onStateChange(true);
    return navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        if (generation !== self.generation) {
          stream.getTracks().forEach(function (track) { track.stop(); });
          return null;
        }
        self.stream = stream;
        video.srcObject = stream;
        return video.play().then(function () {
          return makeReader(video, self.options.jsqrUrl);
        });
      })
      .then(function (read) {
        if (!read || generation !== self.generation) {
          return;
        }
        var look = function () {
          if (generation !== self.generation) {
            return;
          }
          read()
            .then(function (text) {
              if (generation !== self.generation) {
                return;
              }
              if (text) {
                self.stop();
                self.options.onFound(text);
              } else {
                self.timer = window.setTimeout(look, EVERY_MS);
              }
            })
            .catch(function () {
              self.timer = window.setTimeout(look, EVERY_MS);
            });
        };
        look();
      })
      .catch(function (error) {
        if (generation === self.generation) {
          self.stop();
          self.options.onProblem(error);
        }
      });
  };

  Scanner.prototype.stop = function () {
    this.generation++;
    window.clearTimeout(this.timer);
    this.timer = null;
    if (this.stream) {
      this.stream.getTracks().forEach(function (track) { track.stop(); });
      this.stream = null;
    }
    this.options.video.srcObject = null;
    if (this.running) {
      this.running = false;
      this.options.onStateChange(false);
    }
  };

  window.ElbeGateScanner = Scanner;
})();
