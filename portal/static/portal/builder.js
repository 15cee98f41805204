// Live preview: while the operator types, show the unsaved settings in the phone frame.
// Without this script the "Preview changes" button does the same on click.
(function () {
  var form = document.querySelector("form[data-live-preview]");
  var button = document.getElementById("preview-button");
  if (!form || !button || !form.requestSubmit) { return; }
  var timer = null;
  form.addEventListener("input", function (event) {
    if (event.target.type === "file") { return; }
    clearTimeout(timer);
    timer = setTimeout(function () { form.requestSubmit(button); }, 500);
  });
})();
