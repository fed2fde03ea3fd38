/* Photos taken on site: every form marked data-photo-form holds photo fields (templates/macros.html,
   photo_input). A picked photo is downscaled in the browser to at most 1600 px, uploaded at once to the
   form's data-upload-url, and its id is added to the field's hidden input; the file input is then emptied
   so the form does not send the file a second time. The form is held back while an upload is running.
   Without this script the files are posted with the form and stored by the server. */
(function () {
  "use strict";
  var MAX_SIDE = 1600;
  var QUALITY = 0.85;
  var tokenTag = document.querySelector('meta[name="csrf-token"]');
  var token = tokenTag ? tokenTag.getAttribute("content") : "";

  function decode(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" })
        .catch(function () { return viaImage(file); });
    }
    return viaImage(file);
  }

  function viaImage(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var image = new Image();
      image.onload = function () { URL.revokeObjectURL(url); resolve(image); };
      image.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
      image.src = url;
    });
  }

  /* A JPEG no larger than MAX_SIDE; a file the browser cannot decode goes as it is (the server checks it). */
  function downscale(file) {
    return decode(file).then(function (image) {
      var scale = Math.min(1, MAX_SIDE / Math.max(image.width, image.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(image.width * scale));
      canvas.height = Math.max(1, Math.round(image.height * scale));
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });
  }

  function refusal(field, response, body) {
    if (body && body.error) { return body.error; }
    if (response.status === 413) { return field.dataset.msgTooLarge; }
    if (response.status === 400 || response.status === 401) { return field.dataset.msgExpired; }
    return field.dataset.msgFailed + response.status;
  }

  function send(form, field, blob) {
    var data = new FormData();
    data.append("photo", blob, "photo.jpg");
    return fetch(form.dataset.uploadUrl, {
      method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": token }
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (!response.ok) { throw new Error(refusal(field, response, body)); }
        return body;
      });
    }, function () { throw new Error(field.dataset.msgOffline); });
  }

  function ids(field) {
    var input = field.querySelector("[data-photo-ids]");
    return input.value ? input.value.split(",").filter(Boolean) : [];
  }

  function setIds(field, list) {
    field.querySelector("[data-photo-ids]").value = list.join(",");
  }

  function addPreview(field, photo) {
    var figure = document.createElement("figure");
    figure.className = "photo-preview";
    figure.dataset.photoId = String(photo.id);
    var image = document.createElement("img");
    image.src = photo.thumbnail_url;
    image.alt = field.dataset.msgAlt;
    image.width = 96;
    image.height = 96;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link remove";
    remove.setAttribute("data-photo-remove", "");
    remove.textContent = field.dataset.msgRemove;
    figure.appendChild(image);
    figure.appendChild(remove);
    field.querySelector("[data-photo-previews]").appendChild(figure);
  }

  function status(field, text, failed) {
    var line = field.querySelector("[data-photo-status]");
    line.textContent = text;
    line.classList.toggle("error", Boolean(failed));
  }

  function pending(form, change) {
    var count = Number(form.dataset.uploading || 0) + change;
    form.dataset.uploading = String(count);
    return count;
  }

  function upload(form, field, input) {
    var files = Array.prototype.slice.call(input.files || []);
    input.value = "";
    files.forEach(function (file) {
      pending(form, 1);
      status(field, field.dataset.msgUploading);
      downscale(file).then(function (blob) { return send(form, field, blob); }).then(function (photo) {
        setIds(field, ids(field).concat([String(photo.id)]));
        addPreview(field, photo);
        status(field, field.dataset.msgUploaded);
      }).catch(function (error) {
        status(field, error.message, true);
      }).then(function () {
        pending(form, -1);
      });
    });
  }

  function wire(form) {
    form.addEventListener("change", function (event) {
      var input = event.target;
      if (input.matches && input.matches("[data-photo-input]")) {
        upload(form, input.closest("[data-photo-field]"), input);
      }
    });
    form.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-photo-remove]") : null;
      if (!button) { return; }
      var field = button.closest("[data-photo-field]");
      var figure = button.closest("[data-photo-id]");
      setIds(field, ids(field).filter(function (id) { return id !== figure.dataset.photoId; }));
      figure.remove();
    });
    form.addEventListener("submit", function (event) {
      if (Number(form.dataset.uploading || 0) > 0) {
        event.preventDefault();
        var field = form.querySelector("[data-photo-field]");
        if (field) { window.alert(field.dataset.msgWait); }
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-photo-form]"), wire);
})();
