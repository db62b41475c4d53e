// Tag suggestions while a listing is written: key terms of the title and summary, offered as buttons that add
// the term to the tags field. Works without it: the field stays a plain text input.
(function () {
  var box = document.querySelector("[data-tag-suggest]");
  if (!box) { return; }
  var form = box.closest("form");
  var tags = form.querySelector("[name=tags]");
  var chips = box.querySelector("[data-tag-chips]");

  function current() {
    return tags.value.split(/[,，、;；\s]+/).filter(Boolean).map(function (t) { return t.toLowerCase(); });
  }

  function add(term) {
    if (current().indexOf(term.toLowerCase()) === -1) {
      tags.value = tags.value.trim() ? tags.value.trim().replace(/[,，、]$/, "") + "，" + term : term;
    }
  }

  box.querySelector("button").addEventListener("click", function () {
    var text = ["title", "summary", "indicators"].map(function (name) {
      var el = form.querySelector("[name=" + name + "]");
      return el ? el.value : "";
    }).join("\n");
    fetch(box.getAttribute("data-tag-suggest") + "?text=" + encodeURIComponent(text.slice(0, 2000)),
          { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { key_terms: [] }; })
      .then(function (data) {
        chips.textContent = "";
        (data.key_terms || []).slice(0, 12).forEach(function (term) {
          var b = document.createElement("button");
          b.type = "button";
          b.className = "btn btn-sm btn-light border me-1 mb-1";
          b.textContent = "+ " + term;
          b.addEventListener("click", function () { add(term); b.disabled = true; });
          chips.appendChild(b);
        });
      });
  });
})();
