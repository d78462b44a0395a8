// The watchlist editor checks the text as it is typed (the Check button does the same without JavaScript).
"use strict";
(function () {
  var area = document.querySelector("textarea[data-validate]");
  var box = document.getElementById("check");
  if (!area || !box || !window.fetch) { return; }
  var timer = null;
  function show(result) {
    box.textContent = "";
    if (result.valid) {
      box.className = "ok";
      box.textContent = "Valid: watchlist \u201c" + result.name + "\u201d.";
      return;
    }
    box.className = "error";
    result.errors.forEach(function (e) {
      var where = document.createElement("span");
      where.className = "where";
      where.textContent = e.line ? "line " + e.line : "the text";
      box.appendChild(where);
      box.appendChild(document.createTextNode(": " + e.message + (e.hint ? " \u2014 " + e.hint : "")));
    });
  }
  function check() {
    fetch(area.getAttribute("data-validate"), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: area.value }),
      credentials: "same-origin"
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (result) { if (result) { show(result); } })
      .catch(function () {});
  }
  area.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });
})();
