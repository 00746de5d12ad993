// lacs: a little progressive enhancement. Without this script the council list's form and its
// column links work as plain GET requests answered by the server; with it, the same choices
// filter and sort the rows already on the page without reloading, and the address follows.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var table = document.getElementById("councils");
  if (!form || !table || !window.URLSearchParams) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var count = document.getElementById("count");
  var fields = ["q", "region", "rating", "intervention"];

  // The server's folding of search text (schema::query::search::fold).
  function fold(text) {
    return text.replace(/[-_]/g, " ").trim().split(/\s+/).join(" ").toLowerCase();
  }

  function filter() {
    var q = fold(form.elements.q.value);
    var region = form.elements.region.value;
    var rating = form.elements.rating.value;
    var intervention = form.elements.intervention.value;
    var shown = 0;
    rows.forEach(function (row) {
      var d = row.dataset;
      var match = (!q || d.search.indexOf(q) !== -1) && (!region || d.region === region) &&
        (!rating || d.rating === rating) && (!intervention || d.intervention === intervention);
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    count.textContent = "Showing " + shown + " of " + rows.length + " councils";
    var params = new URLSearchParams(window.location.search);
    fields.forEach(function (name) {
      var value = form.elements[name].value.trim();
      if (value) { params.set(name, value); } else { params.delete(name); }
    });
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  }

  function sortBy(th, index) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.sort(function (a, b) {
      var x = a.cells[index].getAttribute("data-sort-value") || "";
      var y = b.cells[index].getAttribute("data-sort-value") || "";
      var byValue = x < y ? -1 : x > y ? 1 : 0;
      var byName = a.cells[0].getAttribute("data-sort-value") < b.cells[0].getAttribute("data-sort-value") ? -1 : 1;
      return (ascending ? byValue : -byValue) || byName;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    var params = new URLSearchParams(window.location.search);
    params.set("sort", (ascending ? "" : "-") + th.getAttribute("data-sort"));
    window.history.replaceState(null, "", window.location.pathname + "?" + params.toString());
  }

  form.addEventListener("input", filter);
  form.addEventListener("change", filter);
  heads.forEach(function (th, index) {
    var link = th.querySelector("a");
    if (!link || !th.hasAttribute("data-sort")) { return; }
    link.addEventListener("click", function (event) {
      event.preventDefault();
      sortBy(th, index);
    });
  });
}());
