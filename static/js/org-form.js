// Registration and "my organisation" forms: show only the organisation section that applies (registration)
// and the qualifications only for enterprises. Without JavaScript everything stays visible.
(function () {
  var typeSelect = document.getElementById("org_type");
  var qualifications = document.getElementById("org-qualifications");
  var radios = document.querySelectorAll("[data-org-choice]");
  if (!typeSelect || !qualifications) { return; }
  function update() {
    if (radios.length) {
      var chosen = document.querySelector("[data-org-choice]:checked");
      var value = chosen ? chosen.value : "new";
      document.querySelectorAll("[data-org-section]").forEach(function (el) {
        el.hidden = el.getAttribute("data-org-section") !== value;
      });
    }
    qualifications.hidden = typeSelect.value !== "enterprise";
  }
  radios.forEach(function (r) { r.addEventListener("change", update); });
  typeSelect.addEventListener("change", update);
  update();
})();
